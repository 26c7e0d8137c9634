"""The pull connector: fetch a JSON list of records from a source system's address on a schedule.

A source with `pull_url` and `pull_table` is fetched every `pull_every_minutes` by the task
`pull_source_task` (django-tasks, database backend: works on SQLite and PostgreSQL). The
scheduler (`dieuhanh scheduler`) enqueues due pulls; workers (`dieuhanh db_worker`) run them.
The fetched records go through the same validation and batch as a file or a push.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import Channel, Source
from dieuhanh.ingest.readers import json_records
from dieuhanh.ingest.services import BatchResult, batch_ingest

MAX_BYTES = 100 * 1024 * 1024
TIMEOUT = 60


def fetch_json(url: str, *, token: str = "") -> object:
    if not url.startswith(("http://", "https://")):
        raise UserError("pull.bad_url", f"Địa chỉ không hợp lệ: {url}", f"Invalid address: {url}")
    headers = {"Accept": "application/json", "User-Agent": "dieuhanh-pull/1"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only, checked above
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only, checked
            body = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise UserError("pull.unreachable", f"Không lấy được dữ liệu từ {url}: {exc}",
                        f"Could not fetch {url}: {exc}") from exc  # fmt: skip
    if len(body) > MAX_BYTES:
        raise UserError(
            "pull.too_large", f"Dữ liệu từ {url} vượt quá 100 MB.", f"The answer of {url} exceeds 100 MB."
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise UserError("pull.bad_json", f"{url} không trả về JSON hợp lệ: {exc}",
                        f"{url} did not answer valid JSON: {exc}") from exc  # fmt: skip


def pull_source(source: Source) -> BatchResult:
    """Fetch the source's address once and ingest what it answers as one batch."""
    if not source.pull_url or not source.pull_table:
        raise UserError("pull.not_configured", f"Nguồn {source.code} chưa khai báo địa chỉ và bảng để lấy dữ liệu.",
                        f"Source {source.code} has no pull address and table.")  # fmt: skip
    payload = fetch_json(source.pull_url)
    result = batch_ingest(
        actor=Actor.system(f"pull:{source.code}"), source=source, table=source.pull_table,
        records=json_records(payload, name=source.pull_url), channel=Channel.PULL, file_name=source.pull_url[:260],
    )  # fmt: skip
    Source.objects.filter(pk=source.pk).update(last_pulled_at=timezone.now())
    from dieuhanh.indicators.services import indicator_values_schedule_after_batch

    indicator_values_schedule_after_batch(batch=result.batch)
    return result


@task()
def pull_source_task(source_id: int) -> dict[str, object]:
    source = Source.objects.get(pk=source_id)
    try:
        return pull_source(source).as_dict()
    except UserError as exc:
        # Recorded on the task result; the source is retried at its next slot.
        Source.objects.filter(pk=source.pk).update(last_pulled_at=timezone.now())
        return {"error": exc.as_dict()}


def due_sources(now: datetime | None = None) -> list[Source]:
    now = now or timezone.now()
    candidates = Source.objects.filter(active=True).exclude(pull_url="").exclude(pull_table="")
    due = []
    for source in candidates.filter(
        Q(last_pulled_at__isnull=True) | Q(last_pulled_at__lt=now - timedelta(minutes=1))
    ):
        if (
            source.last_pulled_at is None
            or source.last_pulled_at + timedelta(minutes=source.pull_every_minutes) <= now
        ):
            due.append(source)
    return due


def pulls_enqueue(now: datetime | None = None) -> list[str]:
    """Enqueue a pull for every due source; mark them so the next tick does not enqueue them again."""
    codes = []
    now = now or timezone.now()
    for source in due_sources(now):
        pull_source_task.enqueue(source.pk)
        # Claimed now; the task sets the real time when it finishes.
        Source.objects.filter(pk=source.pk).update(last_pulled_at=now)
        codes.append(source.code)
    return codes


__all__ = ["due_sources", "fetch_json", "pull_source", "pull_source_task", "pulls_enqueue"]
