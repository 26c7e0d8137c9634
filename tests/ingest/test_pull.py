"""The pull connector against a real HTTP server on 127.0.0.1, run through the database task queue."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import Channel, IngestBatch, Source
from dieuhanh.ingest.pull import due_sources, pull_source, pulls_enqueue
from dieuhanh.lake import Lake

pytestmark = pytest.mark.django_db(transaction=True)

RECORDS = [
    {"record_id": "VB-1", "unit_code": "68-SKHCN", "direction": "outgoing", "sent_at": "2026-03-02T09:00:00+07:00",
     "electronic": True, "digitally_signed": True, "interconnected": True},
    {"record_id": "VB-2", "unit_code": "68-SKHCN", "direction": "outgoing", "sent_at": "2026-03-02T10:00:00+07:00",
     "electronic": True, "digitally_signed": False, "interconnected": False},
    {"record_id": "VB-3", "unit_code": "nope", "direction": "outgoing", "sent_at": "2026-03-02T10:00:00+07:00"},
]  # fmt: skip


@pytest.fixture
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/broken":
                body, status = b"<html>not json</html>", 200
            else:
                body, status = json.dumps({"records": RECORDS}).encode(), 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_pull_fetches_validates_and_stores(server: str, source: Source, lake: Lake) -> None:
    source.pull_url, source.pull_table = f"{server}/vb", "documents"
    source.save()
    result = pull_source(source)
    batch = result.batch
    assert (batch.channel, batch.accepted, batch.rejected) == (Channel.PULL, 2, 1)
    assert result.outcome.problems[0].field == "unit_code"
    assert lake.connect().execute("select count(*) from documents").fetchall() == [(2,)]
    again = pull_source(source)  # the same answer again changes nothing
    assert (again.batch.accepted, again.batch.unchanged) == (0, 2)


def test_unreachable_or_bad_answers_are_explained(server: str, source: Source, lake: Lake) -> None:
    source.pull_table = "documents"
    source.pull_url = f"{server}/broken"
    with pytest.raises(UserError) as err:
        pull_source(source)
    assert err.value.code == "pull.bad_json"
    source.pull_url = "http://127.0.0.1:9/nothing-listens-here"
    with pytest.raises(UserError) as err:
        pull_source(source)
    assert err.value.code == "pull.unreachable" and "127.0.0.1:9" in err.value.message_en


def test_scheduler_enqueues_due_pulls_and_the_worker_runs_them(
    server: str, source: Source, lake: Lake
) -> None:
    source.pull_url, source.pull_table, source.pull_every_minutes = f"{server}/vb", "documents", 30
    source.save()
    assert [s.code for s in due_sources()] == ["motcua"]
    assert pulls_enqueue() == ["motcua"]
    assert pulls_enqueue() == []  # claimed: not enqueued twice
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert IngestBatch.objects.filter(channel=Channel.PULL, accepted=2).count() == 1
    source.refresh_from_db()
    assert source.last_pulled_at is not None
    # Due again only after its interval.
    assert due_sources(timezone.now() + timedelta(minutes=29)) == []
    assert [s.code for s in due_sources(timezone.now() + timedelta(minutes=31))] == ["motcua"]


def test_the_daily_job_is_due_once_a_day_after_its_hour() -> None:
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from dieuhanh.ingest.management.commands.scheduler import daily_due

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    seven = time(7)
    assert not daily_due(datetime(2026, 11, 23, 6, 59, tzinfo=vn), None, seven)
    assert daily_due(datetime(2026, 11, 23, 7, 0, tzinfo=vn), None, seven)
    assert not daily_due(datetime(2026, 11, 23, 15, 0, tzinfo=vn), date(2026, 11, 23), seven)
    # 00:30 UTC on the 23rd is 07:30 in Vietnam: due for the 23rd.
    assert daily_due(datetime(2026, 11, 23, 0, 30, tzinfo=ZoneInfo("UTC")), date(2026, 11, 22), seven)
