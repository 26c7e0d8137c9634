"""The live panel (sector page and wall), scoped to the user's subtree; "source silent" alerts."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.environment.models import AlertEpisode, AlertRule, Station
from dieuhanh.environment.services import stations_silent_check
from dieuhanh.ingest.models import Source
from dieuhanh.lake import Lake
from tests.conftest import PASSWORD
from tests.environment.test_derive import VN, ingest, obs

pytestmark = pytest.mark.django_db


def login(make_user: Callable[[str, str], User], role: str, unit: str) -> Client:
    client = Client()
    assert client.login(username=make_user(role, unit).username, password=PASSWORD)
    return client


def test_the_panel_changes_only_when_the_data_does(
    stations: dict[str, Station], sensors: Source, lake: Lake, make_user: Callable[[str, str], User],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    AlertRule.objects.create(
        name="AQI > 150 trong 2 giờ", metric="aqi", operator="gt", value=150, consecutive_hours=2
    )
    client = login(make_user, Role.OFFICER, "68")
    first = client.get("/moi-truong/truc-tiep/")
    assert first.status_code == 200
    html = first.content.decode()
    assert "Trạm Đà Lạt" in html and "Trạm Lạc Dương" in html and 'class="env-alert open"' not in html
    version = html.split('data-version="')[1].split('"')[0]
    assert client.get(f"/moi-truong/truc-tiep/?v={version}").status_code == 204  # nothing new: no swap
    t = datetime(2026, 3, 1, 0, tzinfo=VN)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sensors, [obs(t + timedelta(hours=h), "pm25", 100.0) for h in (1, 2, 3)])
    after = client.get(f"/moi-truong/truc-tiep/?v={version}")
    assert after.status_code == 200
    page = after.content.decode()
    # 164 (see test_derive), band Xấu with its colour (255, 0, 0), and the episode in progress.
    assert ">164<" in page and "Xấu" in page and "rgb(255, 0, 0)" in page
    assert (
        'class="env-alert open"' in page
        and "AQI &gt; 150 trong 2 giờ" in page
        and "Trạm Đà Lạt (DL01)" in page
    )
    wall = client.get("/moi-truong/truc-tiep/?wall=1").content.decode()
    assert "env-live-wall" in wall and "wall=1" in wall and ">164<" in wall


def test_the_panel_is_scoped_and_embedded(
    stations: dict[str, Station], lake: Lake, make_user: Callable[[str, str], User]
) -> None:
    commune = login(make_user, Role.VIEWER, "24820")
    html = commune.get("/moi-truong/truc-tiep/").content.decode()
    assert "Trạm Lạc Dương" in html and "Trạm Đà Lạt" not in html
    # Opened by itself it is a page (menu, styles); polled by htmx, only the fragment.
    assert "<html" in html and 'href="/linh-vuc/moi-truong/"' in html
    polled = commune.get("/moi-truong/truc-tiep/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in polled and polled.startswith('<section id="env-live"')
    assert Client().get("/moi-truong/truc-tiep/").status_code == 302  # signed-in users only
    province = login(make_user, Role.VIEWER, "68")
    sector = province.get("/linh-vuc/moi-truong/").content.decode()
    assert 'hx-get="/moi-truong/truc-tiep/"' in sector
    assert 'hx-get="/moi-truong/truc-tiep/"' not in province.get("/linh-vuc/giao-duc/").content.decode()
    assert 'hx-get="/moi-truong/truc-tiep/?wall=1"' in province.get("/man-hinh/").content.decode()


def test_source_silent_is_raised_once_and_ends_when_data_comes(
    stations: dict[str, Station], sensors: Source, lake: Lake, django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:  # fmt: skip
    settings.ENVIRONMENT_ALERT_EMAILS = "trucban@lamdong.gov.vn"
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    Station.objects.filter(code="DL01").update(last_seen_at=now - timedelta(minutes=65))  # interval 60 + 10
    Station.objects.filter(code="LD02").update(last_seen_at=now - timedelta(minutes=41))  # interval 30 + 10
    with django_capture_on_commit_callbacks(execute=True):
        assert stations_silent_check(now=now) == ["LD02"]
        assert stations_silent_check(now=now + timedelta(minutes=6)) == ["DL01"]
        assert stations_silent_check(now=now + timedelta(hours=3)) == []  # once per episode
    episodes = {e.station.code: e for e in AlertEpisode.objects.filter(kind="silent")}
    assert episodes["LD02"].started_at == now - timedelta(minutes=11) and episodes["LD02"].ended_at is None
    assert len(mail.outbox) == 2 and all(m.to == ["trucban@lamdong.gov.vn"] for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sensors, [obs(now.astimezone(VN), "pm25", 12.0, station="LD02")])
    episodes["LD02"].refresh_from_db()
    assert episodes["LD02"].ended_at == now
    assert AlertEpisode.objects.filter(kind="silent", ended_at__isnull=True).get().station.code == "DL01"


def test_the_scheduler_runs_the_silent_check(stations: dict[str, Station]) -> None:
    Station.objects.filter(code="DL01").update(last_seen_at=datetime.now(UTC) - timedelta(hours=5))
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "source silent: DL01" in out.getvalue()
    assert AlertEpisode.objects.filter(kind="silent", station__code="DL01", ended_at__isnull=True).exists()
