"""The IOC pages over computed values: tiles, map or cartogram, ranking, filters in the URL,
sectors without data, the wall screen, scoping, and a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.indicators.services import indicator_values_compute
from dieuhanh.ingest.services import batch_ingest, source_create
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGeometry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def dossier(i: int, unit: str, channel: str, day: int = 5) -> dict[str, str]:
    return {"record_id": f"D{i}", "unit_code": unit, "channel": channel,
            "received_at": f"2026-01-{day:02d}T08:00:00+07:00", "due_at": f"2026-01-{day + 5:02d}T17:00:00+07:00",
            "finished_at": f"2026-01-{day + 2:02d}T10:00:00+07:00",
            "status": "finished", "digitized": "true" if i % 2 else "false"}  # fmt: skip


@pytest.fixture
def computed(province: dict[str, OrgUnit], tmp_path: Path) -> Iterator[None]:
    """January 2026: Xã Lạc Dương 3 of 4 online, Xã Đạ Tẻh 1 of 4, the ward 0 of 2."""
    with override_settings(LAKE_DIR=tmp_path / "lake"):
        source = source_create(actor=Actor.system("t"), code="motcua", name="Một cửa", owner=province["68"],
                               units=[province["68"]])  # fmt: skip
        rows = [dossier(i, "24820", "online" if i < 3 else "direct") for i in range(4)]
        rows += [dossier(10 + i, "25270", "online" if i < 1 else "direct") for i in range(4)]
        rows += [dossier(20 + i, "24781", "direct") for i in range(2)]
        batch_ingest(
            actor=Actor.system("t"), source=source, table="dossiers", records=list(enumerate(rows, 2))
        )
        indicator_values_compute(full=True)
        yield


def login(make_user: Callable[[str, str], User], role: str, unit: str) -> Client:
    client = Client()
    assert client.login(username=make_user(role, unit).username, password=PASSWORD)
    return client


def test_overview_tiles_ranking_and_cartogram(computed: None, make_user: Callable[[str, str], User],
                                              django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    client = login(make_user, Role.VIEWER, "68")
    with django_assert_max_num_queries(20):
        page = client.get("/?regime=month&period=2026M01&level=commune").content.decode()
    # Province: 4 online of 10 received = 40,0% (sums first, then divide).
    assert "Tỷ lệ hồ sơ nộp trực tuyến" in page and "40,0%" in page
    assert "Tháng 1/2026" in page
    # Without boundaries, the children are shown as a grid, best first: 75,0% > 25,0% > 0,0%.
    assert page.index("Xã Lạc Dương") < page.index("Xã Đạ Tẻh") < page.index("Phường Xuân Hương")
    assert "75,0%" in page and "25,0%" in page
    assert "Giáo dục" in page  # listed among the sectors without data, never with invented numbers
    # The 766 total cannot be computed: its tile names what is missing, in words.
    assert "Thiếu thành phần: Công khai, minh bạch (18 điểm); " in page


def test_map_uses_our_own_boundaries(computed: None, make_user: Callable[[str, str], User],
                                     province: dict[str, OrgUnit]) -> None:  # fmt: skip
    for code in ("24820", "25270", "24781"):
        OrgUnitGeometry.objects.create(
            unit=province[code], geojson={"type": "Point", "coordinates": [108, 11]}
        )
    client = login(make_user, Role.VIEWER, "68")
    page = client.get("/?period=2026M01").content.decode()
    assert '"type": "choropleth"' in page and "/ban-do/68.geojson" in page
    assert "sapnhap.bando.com.vn" in page  # the boundaries' attribution under the map
    collection = client.get("/ban-do/68.geojson").json()
    assert {f["properties"]["code"] for f in collection["features"]} == {"24820", "25270", "24781"}


def test_filters_live_in_the_url(computed: None, make_user: Callable[[str, str], User]) -> None:
    client = login(make_user, Role.VIEWER, "68")
    page = client.get("/?regime=quarter&period=2026Q1").content.decode()
    assert "Quý I/2026" in page and "40,0%" in page
    # A period key of another regime falls back to the regime's current period, never an error.
    assert client.get("/?regime=year&period=2026M01").status_code == 200


def test_sector_pages(computed: None, make_user: Callable[[str, str], User]) -> None:
    client = login(make_user, Role.VIEWER, "68")
    page = client.get("/linh-vuc/hanh-chinh-cong/?period=2026M01").content.decode()
    assert "Tỷ lệ hồ sơ được số hoá" in page and "40,0%" in page
    empty = client.get("/linh-vuc/giao-duc/?period=2026M01").content.decode()
    assert "Chưa có dữ liệu" in empty and "/api/v1/ingest/" in empty
    assert client.get("/linh-vuc/khong-co/").status_code == 404


def test_commune_sees_only_its_own(computed: None, make_user: Callable[[str, str], User]) -> None:
    client = login(make_user, Role.VIEWER, "24820")
    page = client.get("/?period=2026M01").content.decode()
    assert "Xã Lạc Dương" in page and "75,0%" in page and "Xã Đạ Tẻh" not in page
    assert client.get("/?unit=25270").status_code == 404
    assert client.get("/?unit=68").status_code == 404
    assert client.get("/ban-do/68.geojson").status_code == 404


def test_wall_screen(computed: None, make_user: Callable[[str, str], User]) -> None:
    client = login(make_user, Role.VIEWER, "68")
    page = client.get("/man-hinh/?period=2026M01&rotate=15").content.decode()
    assert 'class="wall"' in page and 'data-rotate="15"' in page and 'hx-trigger="every 120s"' in page
    assert "Hành chính công" in page and "40,0%" in page
    fragment = client.get("/man-hinh/?period=2026M01", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "wall-panel" in fragment


def test_english(computed: None, make_user: Callable[[str, str], User]) -> None:
    client = login(make_user, Role.VIEWER, "68")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/?period=2026M01").content.decode()
    assert "40.0%" in page and "January 2026" in page and "Share of dossiers submitted online" in page


def test_cached_content_follows_the_data(computed: None, make_user: Callable[[str, str], User],
                                         province: dict[str, OrgUnit], tmp_path: Path,
                                         django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    client = login(make_user, Role.VIEWER, "68")
    assert "40,0%" in client.get("/?period=2026M01").content.decode()
    with django_assert_max_num_queries(8):  # nothing changed: the shell and two version queries
        assert "40,0%" in client.get("/?period=2026M01").content.decode()
    with override_settings(LAKE_DIR=tmp_path / "lake"):
        from dieuhanh.ingest.models import Source

        extra = [dossier(30 + i, "24781", "online") for i in range(2)]
        batch_ingest(actor=Actor.system("t"), source=Source.objects.get(code="motcua"), table="dossiers",
                     records=list(enumerate(extra, 2)))  # fmt: skip
        indicator_values_compute(full=True)
    # 6 online of 12 now: the page shows it at once.
    assert "50,0%" in client.get("/?period=2026M01").content.decode()


def test_indicator_page_and_exports(computed: None, make_user: Callable[[str, str], User]) -> None:
    client = login(make_user, Role.VIEWER, "68")
    page = client.get("/chi-so/dvc.online_share/?period=2026M01&level=commune").content.decode()
    assert "Tỷ lệ hồ sơ nộp trực tuyến" in page and "766/QĐ-TTg" in page  # name and legal basis
    assert "40,0%" in page and "Giá trị theo đơn vị" in page
    assert "/chi-so/dvc.online_share/ban-ghi/?unit=24820&period=2026M01&part=numerator" in page
    csv = client.get("/chi-so/dvc.online_share/?period=2026M01&level=commune&format=csv").content.decode(
        "utf-8-sig"
    )
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Mã đơn vị / Unit code")
    assert "24820,Xã Lạc Dương,2026M01,3.0,4.0,75.0" in lines[1]
    xlsx = client.get("/chi-so/dvc.online_share/?period=2026M01&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/chi-so/khong-co/").status_code == 404
    commune = login(make_user, Role.VIEWER, "25270")
    assert commune.get("/chi-so/dvc.online_share/?unit=24820").status_code == 404


def test_unit_page_sets_the_unit_beside_its_parent_and_peers(
    computed: None, make_user: Callable[[str, str], User]
) -> None:
    client = login(make_user, Role.VIEWER, "68")
    page = client.get("/don-vi/25270/?period=2026M01").content.decode()
    # Xã Đạ Tẻh: 25,0% online; the province 40,0%; its peers 75,0%, 25,0% and 0,0% (median 25,0%).
    row = page[page.index("Tỷ lệ hồ sơ nộp trực tuyến") :]
    row = row[: row.index("</tr>")]
    assert "25,0%" in row and "40,0%" in row and "2/3" in row
    worst = client.get("/don-vi/24781/?period=2026M01").content.decode()
    row = worst[worst.index("Tỷ lệ hồ sơ nộp trực tuyến") :]
    row = row[: row.index("</tr>")]
    assert "3/3" in row and "kéo tụt" in row  # last of three: it pulls the ward down


def test_the_environment_sector_lists_the_aqi_bands_in_their_official_order(computed: None) -> None:
    from dieuhanh.dashboards.selectors import sector_codes, sectors

    env = next(s for s in sectors() if s.code == "moi-truong")
    codes = sector_codes(env)
    bands = ["good", "moderate", "poor", "bad", "very_bad", "hazardous"]  # Tốt … Nguy hại (QĐ 1459)
    assert [c for c in codes if c.startswith("aqi.days_")] == [f"aqi.days_{b}" for b in bands]
    assert [c for c in codes if c.startswith("aqi.hours_")] == [f"aqi.hours_{b}" for b in bands]
