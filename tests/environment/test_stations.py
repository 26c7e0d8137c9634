"""Stations: import from CSV/XLSX, the command, and the registry in the validation of observations."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.environment.checks import fill_units
from dieuhanh.environment.models import Station
from dieuhanh.ingest.models import Channel, RejectedRow, Source
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit

CSV = (
    "Mã trạm,Tên trạm,Mã đơn vị,Vĩ độ,Kinh độ,Thông số,Chu kỳ (phút)\n"
    'DL01,Trạm Đà Lạt,24781,11.9404,108.4583,"PM2.5, PM10, O3, NO2, SO2, CO",60\n'
    "LD02,Trạm Lạc Dương,24820,12.0,108.42,PM2.5;humidity,30\n"
    "XX09,Trạm lạ,99999,,,pm25,60\n"
    "XX10,Trạm lỗi,24820,95,108,benzene,0\n"
)


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_import_csv_creates_updates_and_refuses_with_reasons(
    province: dict[str, OrgUnit], write_csv: Callable[[str, str], Path]
) -> None:
    path = write_csv("tram.csv", CSV)
    result = run("stations", "import", str(path))
    assert (result["accepted"], result["created"], result["unchanged"], result["rejected"]) == (2, 2, 0, 2)
    assert result["batch"] == "tram.csv"
    by_row = {(p["row"], p["field"], p["code"]) for p in result["problems"]}
    assert by_row == {
        (4, "unit_code", "unit.unknown"),
        (5, "latitude", "station.bad_coordinate"),
        (5, "parameters", "station.unknown_parameter"),
        (5, "interval_minutes", "station.bad_interval"),
    }
    assert all(p["message_vi"] and p["message_en"] for p in result["problems"])
    dl = Station.objects.get(code="DL01")
    assert dl.parameters == ["pm25", "pm10", "o3", "no2", "so2", "co"]
    assert (dl.unit.code, dl.latitude, dl.interval_minutes) == ("24781", 11.9404, 60)
    assert Station.objects.get(code="LD02").parameters == ["pm25", "humidity"]
    assert AuditEntry.objects.filter(action="station.create").count() == 2
    again = run("stations", "import", str(path))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    path.write_text(CSV.replace("Trạm Lạc Dương,24820,12.0,108.42,PM2.5;humidity,30",
                                "Trạm Lạc Dương,24820,12.0,108.42,PM2.5;humidity,15"), encoding="utf-8")  # fmt: skip
    changed = run("stations", "import", str(path))
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    assert Station.objects.get(code="LD02").interval_minutes == 15


@pytest.mark.django_db
def test_import_xlsx_and_list(province: dict[str, OrgUnit], tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã trạm", "Tên trạm", "Mã đơn vị", "Thông số"])
    sheet.append(["PT01", "Trạm Phan Thiết", "25270", "pm25, pm10"])
    book.save(tmp_path / "tram.xlsx")
    assert run("stations", "import", str(tmp_path / "tram.xlsx"))["created"] == 1
    (listed,) = run("stations", "list")
    assert (listed["code"], listed["unit"], listed["parameters"], listed["interval_minutes"]) == (
        "PT01", "25270", ["pm25", "pm10"], 60,
    )  # fmt: skip


@pytest.mark.django_db
def test_import_without_a_required_column_is_unusable(
    province: dict[str, OrgUnit], write_csv: Callable[[str, str], Path]
) -> None:
    from dieuhanh.core.errors import UserError

    with pytest.raises(UserError) as exc:
        call_command("stations", "import", str(write_csv("x.csv", "Mã trạm,Tên trạm\nA,B\n")))
    assert exc.value.code == "file.bad_layout"
    assert Station.objects.count() == 0


def ingest(source: Source, rows: list[dict[str, Any]], channel: str = Channel.API) -> Any:
    records = [(i, {k: str(v) for k, v in r.items()}) for i, r in enumerate(rows, start=1)]
    return batch_ingest(actor=Actor.system("test"), source=source, table="observations", records=records,
                        channel=channel).batch  # fmt: skip


def obs(
    station: str, parameter: str, at: str, value: float, uom: str = "µg/m³", unit: str = ""
) -> dict[str, Any]:
    return {"station_code": station, "unit_code": unit, "parameter": parameter, "observed_at": at, "value": value,
            "uom": uom}  # fmt: skip


@pytest.mark.django_db
def test_registry_quarantines_bad_observations_with_reasons(
    stations: dict[str, Station], sensors: Source, lake: Lake
) -> None:
    future = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    batch = ingest(sensors, [
        obs("DL01", "pm25", "2026-03-01T08:00:00+07:00", 20.5),            # 1 good; unit from the registry
        obs("ZZ99", "pm25", "2026-03-01T08:00:00+07:00", 20.5, unit="24781"),  # 2 unknown station
        obs("LD02", "no2", "2026-03-01T08:00:00+07:00", 30.0),             # 3 not measured by LD02
        obs("DL01", "benzene", "2026-03-01T08:00:00+07:00", 1.0),          # 4 unknown parameter
        obs("DL01", "no2", "2026-03-01T08:00:00+07:00", 30.0, uom="ppb"),  # 5 unit needing T and p
        obs("DL01", "so2", "2026-03-01T08:00:00+07:00", 3.0, uom=""),      # 6 no unit of measure
        obs("DL01", "pm10", "2026-03-01T08:00:00+07:00", -4.0),            # 7 negative
        obs("DL01", "pm10", future, 40.0),                                 # 8 future
        obs("LD02", "humidity", "2026-03-01T08:00:00+07:00", 81, uom="%"),  # 9 good (not a pollutant)
        obs("DL01", "co", "2026-03-01T08:00:00+07:00", 1.2, uom="mg/m³"),  # 10 good (mg/m³)
    ])  # fmt: skip
    assert (batch.accepted, batch.rejected) == (3, 7)
    reasons = {(r.row, r.code, r.field) for r in RejectedRow.objects.filter(batch=batch)}
    assert reasons == {
        (2, "station.unknown", "station_code"),
        (3, "station.parameter", "parameter"),
        (4, "observation.unknown_parameter", "parameter"),
        (5, "observation.unknown_uom", "uom"),
        (6, "observation.unknown_uom", "uom"),
        (7, "value.range", "value"),
        (8, "value.future", "observed_at"),
    }
    assert all(r.message_vi and r.message_en for r in RejectedRow.objects.filter(batch=batch))
    stored = (
        lake.connect()
        .sql("select station_code, unit_code, parameter from observations order by 1, 3")
        .fetchall()
    )
    assert stored == [("DL01", "24781", "co"), ("DL01", "24781", "pm25"), ("LD02", "24820", "humidity")]
    again = ingest(sensors, [obs("DL01", "pm25", "2026-03-01T08:00:00+07:00", 20.5)] * 50)
    assert (again.accepted, again.unchanged, again.rejected) == (0, 50, 0)  # a flood of duplicates: nothing


@pytest.mark.django_db
def test_live_channel_refuses_far_out_of_order_times(
    stations: dict[str, Station], sensors: Source, lake: Lake
) -> None:
    Station.objects.filter(code="DL01").update(last_seen_at=datetime(2026, 3, 5, 8, tzinfo=UTC))
    rows = [
        obs("DL01", "pm25", "2026-03-01T08:00:00+07:00", 20.5),
        obs("DL01", "pm25", "2026-03-05T07:00:00Z", 21),
    ]
    live = ingest(sensors, rows, channel=Channel.MQTT)
    assert (live.accepted, live.rejected) == (1, 1)
    assert RejectedRow.objects.get(batch=live).code == "observation.out_of_order"
    backfill = ingest(sensors, rows, channel=Channel.API)  # files and the API may back-fill history
    assert (backfill.accepted, backfill.rejected) == (1, 0)


def test_mqtt_records_without_a_unit_take_the_stations(stations: dict[str, Station]) -> None:
    items = [{"station_code": "LD02", "parameter": "pm25"}, {"station_code": "NOPE"},
             {"station_code": "DL01", "unit_code": "25270"}]  # fmt: skip
    assert [i["unit_code"] for i in fill_units(items)] == ["24820", "", "25270"]


@pytest.mark.django_db
def test_without_a_registry_stations_are_not_checked(
    province: dict[str, OrgUnit], sensors: Source, lake: Lake
) -> None:
    batch = ingest(sensors, [obs("ANY1", "pm25", "2026-03-01T08:00:00+07:00", 20.5, unit="24781")])
    assert (batch.accepted, batch.rejected) == (1, 0)
