"""Reading a station list (CSV or XLSX, Vietnamese headers accepted) into checked rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from dieuhanh.core.errors import Problem, ProblemList, UserError
from dieuhanh.core.tabular import Row, TableFile, fold
from dieuhanh.environment.models import PARAMETERS

ALIASES = {
    "mã trạm": "code", "ma tram": "code", "station_code": "code", "code": "code",
    "tên trạm": "name", "ten tram": "name", "name": "name", "tên": "name",
    "mã đơn vị": "unit_code", "đơn vị": "unit_code", "unit": "unit_code", "unit_code": "unit_code",
    "vĩ độ": "latitude", "vi do": "latitude", "lat": "latitude", "latitude": "latitude",
    "kinh độ": "longitude", "kinh do": "longitude", "lon": "longitude", "lng": "longitude", "longitude": "longitude",
    "thông số": "parameters", "thông số đo": "parameters", "parameters": "parameters",
    "chu kỳ (phút)": "interval_minutes", "chu kỳ gửi (phút)": "interval_minutes", "chu kỳ": "interval_minutes",
    "interval_minutes": "interval_minutes", "interval": "interval_minutes",
    "hoạt động": "active", "active": "active",
}  # fmt: skip
_PARAM_ALIASES = {"pm2.5": "pm25", "pm2,5": "pm25", "pm2 5": "pm25", "pm 2.5": "pm25"}


@dataclass(frozen=True)
class StationRow:
    row: int
    code: str
    name: str
    unit_code: str
    latitude: float | None
    longitude: float | None
    parameters: tuple[str, ...]
    interval_minutes: int
    active: bool


def _number(row: Row, name: str, low: float, high: float, problems: ProblemList) -> float | None:
    text = row.get(name).replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError
    except ValueError:
        problems.add("station.bad_coordinate", f"{text!r} không phải số trong khoảng {low}…{high}.",
                     f"{text!r} is not a number between {low} and {high}.", row=row.number, field=name)  # fmt: skip
        return None
    return value


def _row(row: Row, problems: ProblemList) -> StationRow | None:
    before = len(problems.problems)
    code, name, unit = row.get("code"), row.get("name"), row.get("unit_code")
    for field, value in (("code", code), ("name", name), ("unit_code", unit)):
        if not value:
            problems.add("value.required", "Thiếu giá trị bắt buộc.", "A required value is missing.",
                         row=row.number, field=field)  # fmt: skip
    lat = _number(row, "latitude", -90, 90, problems)
    lon = _number(row, "longitude", -180, 180, problems)
    params: list[str] = []
    for raw in row.get("parameters").replace(";", ",").replace("|", ",").split(","):
        key = fold(raw.strip())
        if not key:
            continue
        key = _PARAM_ALIASES.get(key, key.replace(".", "").replace(" ", "_"))
        if key not in PARAMETERS:
            problems.add("station.unknown_parameter", f"Thông số {raw.strip()!r} không được nhận (nhận: "
                         f"{', '.join(PARAMETERS)}).", f"Parameter {raw.strip()!r} is not accepted (known: "
                         f"{', '.join(PARAMETERS)}).", row=row.number, field="parameters")  # fmt: skip
        elif key not in params:
            params.append(key)
    interval_text = row.get("interval_minutes") or "60"
    try:
        interval = int(float(interval_text))
        if interval < 1:
            raise ValueError
    except ValueError:
        problems.add("station.bad_interval", f"Chu kỳ {interval_text!r} phải là số phút nguyên dương.",
                     f"Interval {interval_text!r} must be a positive number of minutes.", row=row.number,
                     field="interval_minutes")  # fmt: skip
        interval = 60
    active = fold(row.get("active") or "true") not in {"false", "0", "không", "khong", "no"}
    if len(problems.problems) > before:
        return None
    return StationRow(row.number, code, name, unit, lat, lon, tuple(params), interval, active)


def read_stations_file(path: Path) -> tuple[str, list[StationRow], list[Problem]]:
    """(file name, readable rows, problems of the others). `UserError` if the file is unusable."""
    table = TableFile(path, ALIASES)
    missing = table.missing(["code", "name", "unit_code"])
    if missing:
        raise UserError(
            "file.bad_layout",
            f"Tệp {table.name} thiếu cột bắt buộc: {', '.join(missing)} (“Mã trạm”, “Tên trạm”, “Mã đơn vị”).",
            f"{table.name} lacks the required column(s) {', '.join(missing)} (code, name, unit_code).",
        )
    problems = ProblemList(table.name)
    rows = [r for r in (_row(row, problems) for row in table) if r is not None]
    return table.name, rows, problems.problems
