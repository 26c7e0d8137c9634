"""The IOC in Chromium: overview with its map, a filter change, a sector, an indicator, the wall
screen at 1920×1080 and 4K, the overview on a 390-px phone. Nothing loads from outside."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.indicators.services import indicator_values_compute
from dieuhanh.ingest.services import batch_ingest, source_create
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGeometry
from tests.browser.conftest import Visit
from tests.browser.test_foundation_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SQUARES = {"24820": (108.40, 11.90), "25270": (108.50, 11.90), "24781": (108.45, 11.98)}


@pytest.fixture
def ioc(province: dict[str, OrgUnit], tmp_path: Path) -> Iterator[None]:
    with override_settings(LAKE_DIR=tmp_path / "lake"):
        source = source_create(actor=Actor.system("t"), code="motcua", name="Một cửa", owner=province["68"],
                               units=[province["68"]])  # fmt: skip
        rows = []
        for n, (unit, online) in enumerate([("24820", 3), ("25270", 1), ("24781", 0)]):
            for i in range(4):
                channel = "online" if i < online else "direct"
                rows.append({"record_id": f"R{n}-{i}", "unit_code": unit, "channel": channel,
                             "received_at": f"2026-01-0{i + 2}T08:00:00+07:00", "status": "processing"})  # fmt: skip
        batch_ingest(
            actor=Actor.system("t"), source=source, table="dossiers", records=list(enumerate(rows, 2))
        )
        indicator_values_compute(full=True)
        for code, (x, y) in SQUARES.items():
            ring = [[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]
            OrgUnitGeometry.objects.create(
                unit=province[code], geojson={"type": "Polygon", "coordinates": [ring]}
            )
        yield


def test_ioc_pages_in_chromium(
    ioc: None, visit: Callable[..., Visit], make_user: Callable[[str, str], User]
) -> None:
    leader = make_user(Role.VIEWER, "68")
    v = visit()
    sign_in(v, leader)
    v.goto("/?period=2026M01&level=commune")
    v.page.wait_for_selector(".map .choroplethlayer path", timeout=15000)  # type: ignore[attr-defined]
    body = v.page.inner_text("body")  # type: ignore[attr-defined]
    assert "Tỷ lệ hồ sơ nộp trực tuyến" in body and "33,3%" in body  # 4 online of 12
    v.shot("10-ioc-tong-quan")

    v.page.select_option("select[name=regime]", "quarter")  # type: ignore[attr-defined]
    v.page.wait_for_url("**regime=quarter**")  # type: ignore[attr-defined]
    v.page.select_option("select[name=period]", "2026Q1")  # type: ignore[attr-defined]
    v.page.wait_for_url("**period=2026Q1**")  # type: ignore[attr-defined]
    assert "Quý I/2026" in v.page.inner_text("h1")  # type: ignore[attr-defined]

    v.goto("/linh-vuc/hanh-chinh-cong/?period=2026M01")
    assert "Tỷ lệ hồ sơ được số hoá" in v.page.inner_text("body")  # type: ignore[attr-defined]
    v.shot("11-ioc-linh-vuc")
    v.goto("/linh-vuc/y-te/")
    assert "Chưa có dữ liệu cho lĩnh vực này" in v.page.inner_text("body")  # type: ignore[attr-defined]

    v.goto("/chi-so/dvc.online_share/?period=2026M01&level=commune")
    v.page.wait_for_selector(".dh-chart .main-svg", timeout=15000)  # type: ignore[attr-defined]
    assert "75,0%" in v.page.inner_text("table")  # type: ignore[attr-defined]
    v.shot("12-ioc-chi-so")
    assert v.outside() == [], f"requests left this machine: {v.outside()}"


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1920, 1080, "13-man-hinh-1080p"), (3840, 2160, "14-man-hinh-4k")]
)
def test_wall_screen(ioc: None, visit: Callable[..., Visit], make_user: Callable[[str, str], User],
                     width: int, height: int, name: str) -> None:  # fmt: skip
    v = visit(width=width, height=height)
    sign_in(v, make_user(Role.VIEWER, "68"))
    v.goto("/man-hinh/?period=2026M01&rotate=30")
    v.page.wait_for_selector(".wall-panel:not([hidden]) .map .choroplethlayer path", timeout=15000)  # type: ignore[attr-defined]
    assert v.page.inner_text("#wall-sector") == "Hành chính công"  # type: ignore[attr-defined]
    assert v.page.evaluate("() => document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    v.shot(name, full_page=False)
    assert v.outside() == []


def test_overview_on_a_phone(
    ioc: None, visit: Callable[..., Visit], make_user: Callable[[str, str], User]
) -> None:
    v = visit(width=390, height=844)
    sign_in(v, make_user(Role.VIEWER, "68"))
    v.goto("/?period=2026M01")
    assert v.page.evaluate("() => document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    assert "33,3%" in v.page.inner_text("body")  # type: ignore[attr-defined]
    v.shot("15-ioc-dien-thoai")
    assert v.outside() == []
