"""The environment sector's live panel in Chromium: observations arrive, the AQI and the alert
appear on the open sector page and wall screen without a reload. Nothing loads from outside."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.test import override_settings

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.environment.models import AlertRule, Station
from dieuhanh.ingest.models import Channel
from dieuhanh.ingest.services import batch_ingest, source_create
from dieuhanh.orgunits.models import OrgUnit
from tests.browser.conftest import Visit
from tests.browser.test_foundation_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VN = timezone(timedelta(hours=7))


@pytest.fixture
def sensors(province: dict[str, OrgUnit], tmp_path: Path) -> Iterator[object]:
    with override_settings(LAKE_DIR=tmp_path / "lake"):
        Station.objects.create(code="DL01", name="Trạm Đà Lạt", unit=province["24781"],
                               parameters=["pm25", "pm10", "o3", "no2", "so2", "co"])  # fmt: skip
        AlertRule.objects.create(name="AQI > 150 trong 2 giờ", metric="aqi", operator="gt", value=150,
                                 consecutive_hours=2)  # fmt: skip
        yield source_create(actor=Actor.system("t"), code="quan-trac", name="Quan trắc", owner=province["68"],
                            units=[province["68"]])  # fmt: skip


def send(source: object, hours: tuple[int, ...]) -> None:
    t = datetime(2026, 3, 1, 0, tzinfo=VN)
    rows = [{"station_code": "DL01", "unit_code": "", "parameter": "pm25", "value": "100",
             "observed_at": (t + timedelta(hours=h)).isoformat(), "uom": "µg/m³"} for h in hours]  # fmt: skip
    batch_ingest(actor=Actor.system("t"), source=source, table="observations",  # type: ignore[arg-type]
                 records=list(enumerate(rows, 1)), channel=Channel.MQTT)  # fmt: skip


def test_the_sector_page_and_the_wall_update_without_a_reload(
    sensors: object, visit: Callable[..., Visit], make_user: Callable[[str, str], User]
) -> None:
    user = make_user(Role.VIEWER, "68")
    page = visit()
    sign_in(page, user)
    page.goto("/linh-vuc/moi-truong/")
    wall = visit(width=1920, height=1080)
    sign_in(wall, user)
    wall.goto("/man-hinh/")
    for v in (page, wall):
        v.page.wait_for_selector("#env-live [data-station=DL01]", timeout=15000)  # type: ignore[attr-defined]
        assert v.page.inner_text("#env-live [data-station=DL01] .env-aqi") == "—"  # type: ignore[attr-defined]
        v.page.evaluate("() => { window.dieuhanhNotReloaded = true; }")  # type: ignore[attr-defined]
    send(sensors, (1, 2, 3))  # NowCast 100 µg/m³ → AQI 164 at 02:00 and 03:00: the alert opens
    for v in (page, wall):
        v.page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('#env-live [data-station=DL01] .env-aqi').textContent.trim() === '164'",
            timeout=15000,
        )
        v.page.wait_for_selector("#env-live .env-alert.open", timeout=15000)  # type: ignore[attr-defined]
        assert v.page.evaluate("() => window.dieuhanhNotReloaded === true")  # type: ignore[attr-defined]
        assert "AQI > 150 trong 2 giờ" in v.page.inner_text("#env-live")  # type: ignore[attr-defined]
        assert v.outside() == [], f"requests left this machine: {v.outside()}"
    page.shot("15-moi-truong-truc-tiep")
    wall.shot("16-man-hinh-moi-truong", full_page=False)
    assert wall.page.evaluate("() => document.documentElement.scrollWidth") <= 1920  # type: ignore[attr-defined]
