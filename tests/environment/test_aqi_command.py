"""`dieuhanh aqi PATH [--json]`: the contract of DESIGN.md, bad rows, exit statuses, the console script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dieuhanh.core.errors import UserError
from dieuhanh.environment.management.commands.aqi import Command

CLI = Path(sys.executable).with_name("dieuhanh")

# §2.3 of Decision 1459: PM2.5 at 09:00 … 20:00, O3 136,1 and NO2 118,7 at 20:00 (local time, no offset).
PM25_0900_TO_2000 = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]


def worked_example_rows(station: str = "DL01") -> list[str]:
    rows = [f"{station},PM2.5,2019-11-12 {9 + i:02d}:00,{v},µg/m³" for i, v in enumerate(PM25_0900_TO_2000)]
    rows += [
        f"{station},O3,2019-11-12T20:00:00+07:00,136.1,µg/m³",
        f"{station},NO2,2019-11-12T13:00Z,118.7,ug/m3",
    ]
    return rows


def run_command(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("aqi", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(path: Path) -> tuple[dict[str, Any], str]:
    out, err = run_command(path, "--json")
    return json.loads(out), err


def test_json_contract_on_the_worked_example(write_csv: Any) -> None:
    # Vietnamese headers; NO2 given in UTC (13:00Z = 20:00 in Vietnam).
    path = write_csv(
        "quan_trac.csv",
        "Mã trạm,Thông số,Thời điểm quan trắc,Giá trị,Đơn vị\n" + "\n".join(worked_example_rows()) + "\n",
    )
    data, err = run_json(path)
    assert err == ""
    assert set(data) >= {"hourly", "daily"}
    row = next(h for h in data["hourly"] if h["hour"] == "2019-11-12T20:00:00+07:00")
    assert {"station", "hour", "aqi", "dominant", "band", "sub"} <= set(row)
    # Formula: NO2 59,35 → 59 and AQI^h 59; the decision prints 60 for both (see test_aqi.py).
    assert row["station"] == "DL01"
    assert row["sub"] == {"pm25": 41, "o3": 43, "no2": 59}
    assert (row["aqi"], row["dominant"], row["band"]) == (59, "no2", "Trung bình")
    assert (row["band_en"], row["rgb"]) == ("Moderate", [255, 255, 0])
    assert row["conc"]["pm25"] == pytest.approx(20.27, abs=0.01)
    # 09:00 has only c1 of the NowCast: no row; 10:00 has c1, c2.
    assert [h["hour"][11:16] for h in data["hourly"]] == [f"{h:02d}:00" for h in range(10, 21)]
    (day,) = data["daily"]
    assert {"station", "date", "aqi", "dominant", "band", "sub"} <= set(day)
    # 12 hours of PM2.5 are fewer than the 18 a 24-hour mean needs: no PM2.5 and so no AQI^d.
    assert (day["date"], day["aqi"], day["band"]) == ("2019-11-12", None, None)
    assert day["sub"] == {"o3": 43, "no2": 59} and day["hours"]["pm25"] == 12


def test_daily_values_and_text_output(write_csv: Any) -> None:
    # A full day of PM10 at 100 (→ 75) and CO in mg/m³: 20 mg/m³ = 20 000 µg/m³ → 75 too; tie → PM10.
    lines = ["station_code,parameter,observed_at,value,uom"]
    lines += [f"BL02,pm10,2026-03-01T{h:02d}:00+07:00,100,ug/m3" for h in range(1, 24)]
    lines += ["BL02,pm10,2026-03-02T00:00+07:00,100,ug/m3", "BL02,CO,2026-03-01T09:00+07:00,20,mg/m3"]
    path = write_csv("bl02.csv", "\n".join(lines) + "\n")
    data, _ = run_json(path)
    (day,) = data["daily"]
    assert day["sub"] == {"pm10": 75, "co": 75}
    assert (day["aqi"], day["dominant"], day["band"]) == (75, "pm10", "Trung bình")
    assert day["conc"]["co"] == 20000.0 and day["hours"]["pm10"] == 24
    text, _ = run_command(path)
    assert "BL02" in text and "Theo giờ / hourly" in text and "Theo ngày / daily" in text
    assert "2026-03-01T09:00:00+07:00" in text and "Trung bình / Moderate" in text


def test_bad_rows_are_reported_and_skipped(write_csv: Any) -> None:
    rows = [
        "station_code,parameter,observed_at,value,uom",
        *worked_example_rows(),
        "DL01,PM2.5,2019-11-12T21:00,-3,µg/m³",  # row 16: negative
        "DL01,benzene,2019-11-12T21:00,3,µg/m³",  # row 17: unknown parameter
        "DL01,NO2,2019-11-12T21:00,3,ppb",  # row 18: unit needing conditions
        "DL01,NO2,2019-11-12T21:00,3,kg",  # row 19: unknown unit
        "DL01,NO2,12/11/2019 21:00,3,µg/m³",  # row 20: not ISO 8601
        "DL01,NO2,2999-01-01T00:00+07:00,3,µg/m³",  # row 21: in the future
        'DL01,NO2,2019-11-12T21:00,"3,5",µg/m³',  # row 22: decimal comma
        ",NO2,2019-11-12T21:00,3,µg/m³",  # row 23: no station
    ]
    path = write_csv("loi.csv", "\n".join(rows) + "\n")
    data, err = run_json(path)
    expected = {
        16: ("value", "aqi.negative", "Nồng độ âm", "Negative concentration"),
        17: ("parameter", "aqi.unknown_parameter", "không dùng để tính VN_AQI", "not a VN_AQI parameter"),
        18: ("uom", "aqi.unit_needs_conditions", "nhiệt độ và áp suất", "temperature and pressure"),
        19: ("uom", "aqi.unknown_unit", "không được nhận", "not accepted"),
        20: ("observed_at", "aqi.time_invalid", "không đọc được", "cannot be read"),
        21: ("observed_at", "aqi.time_future", "tương lai", "future"),
        22: ("value", "aqi.value_invalid", "không phải số", "not a number"),
        23: ("station_code", "aqi.station_missing", "Thiếu mã trạm", "station code is missing"),
    }
    assert {p["row"]: p["code"] for p in data["rejected"]} == {r: e[1] for r, e in expected.items()}
    for row, (field, _code, vi, en) in expected.items():
        line = next(line for line in err.splitlines() if f"dòng/row {row}," in line)
        assert f"loi.csv, dòng/row {row}, cột/field {field}:" in line
        assert vi in line and en in line
    assert "skipped 8 of 22 bad row(s)" in err
    # The good rows still give the worked example.
    row = next(h for h in data["hourly"] if h["hour"] == "2019-11-12T20:00:00+07:00")
    assert row["aqi"] == 59


def test_sub_hourly_values_are_averaged_into_the_hour_they_end(write_csv: Any) -> None:
    # 10:20 and 10:40 belong to the hour ending 11:00 (1-hour means are labelled by their end);
    # the same time twice: the later row wins (60 replaces 999).
    path = write_csv(
        "phut.csv",
        "station_code,parameter,observed_at,value,uom\n"
        "S1,no2,2026-03-01T10:20+07:00,999,ug/m3\n"
        "S1,no2,2026-03-01T10:20+07:00,60,ug/m3\n"
        "S1,no2,2026-03-01T10:40+07:00,140,ug/m3\n"
        "S1,no2,2026-03-01T12:00+07:00,100,ug/m3\n",
    )
    data, _ = run_json(path)
    hours = {h["hour"]: h for h in data["hourly"]}
    assert hours["2026-03-01T11:00:00+07:00"]["conc"]["no2"] == pytest.approx(100.0)
    assert hours["2026-03-01T11:00:00+07:00"]["sub"] == {"no2": 50}
    assert hours["2026-03-01T11:00:00+07:00"]["aqi"] is None  # no PM: §2.1.b
    assert set(hours) == {"2026-03-01T11:00:00+07:00", "2026-03-01T12:00:00+07:00"}


def test_xlsx_with_date_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã trạm", "Thông số", "Thời điểm quan trắc", "Giá trị", "Đơn vị"])
    for i, v in enumerate(PM25_0900_TO_2000):
        sheet.append(["PT03", "pm2_5", datetime(2019, 11, 12, 9 + i), v, "µg/m³"])
    path = tmp_path / "pt03.xlsx"
    book.save(path)
    data, _ = run_json(path)
    last = data["hourly"][-1]
    assert (last["hour"], last["sub"], last["aqi"]) == ("2019-11-12T20:00:00+07:00", {"pm25": 41}, 41)
    assert last["band"] == "Tốt"


def test_missing_columns_and_unreadable_files_exit_2(
    write_csv: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv("thieu.csv", "Mã trạm,Thông số,Giá trị\nDL01,PM2.5,10\n")
    with pytest.raises(UserError) as refused:
        run_command(path)
    assert refused.value.code == "file.missing_columns"
    assert "observed_at" in refused.value.message_en and "uom" in refused.value.message_vi
    # Through the command line front (run_from_argv): exit 2, both languages on stderr.
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["dieuhanh", "aqi", str(tmp_path / "khong_co.csv")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "khong_co.csv" in err and "không tồn tại" in err and "no such file" in err


def test_console_script(tmp_path: Path) -> None:
    # The console script as a user runs it: its own settings, a fresh data dir.
    path = tmp_path / "obs.csv"
    rows = [*worked_example_rows(), "DL01,PM2.5,2019-11-12T21:00,-1,µg/m³"]
    path.write_text(
        "station_code,parameter,observed_at,value,uom\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    skip = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DIEUHANH_HTTPS", "DIEUHANH_DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env |= {
        "DIEUHANH_DATA_DIR": str(tmp_path / "data"),
        "DIEUHANH_SECRET_KEY": "cli-test-key-0123456789-abcdefghij",
    }
    result = subprocess.run(
        [str(CLI), "aqi", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    row = next(h for h in data["hourly"] if h["hour"] == "2019-11-12T20:00:00+07:00")
    assert (row["aqi"], row["dominant"], row["band"], row["sub"]) == (
        59,
        "no2",
        "Trung bình",
        {"pm25": 41, "o3": 43, "no2": 59},
    )
    assert (
        "obs.csv, dòng/row 16, cột/field value" in result.stderr and "Negative concentration" in result.stderr
    )
