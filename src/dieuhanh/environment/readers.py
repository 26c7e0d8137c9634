"""Reading an observations file (CSV/XLSX) into VN_AQI series: one per station, hourly means in µg/m³.

Columns (DESIGN.md, fact table ``observations``): station_code, parameter, observed_at, value, uom
(unit_code is accepted and ignored), with the Vietnamese headers of station exports as aliases.
A bad row (negative or non-numeric value, unknown parameter or unit, unparsable or future time) is
reported with its file, row and field and skipped; a missing required column refuses the file.

Times are ISO 8601, with an offset or else Vietnam local time. A 1-hour mean is labelled by the end
of its hour (as Decision 1459 does: its day runs 01:00 … 00:00); a value stamped between two full
hours (10:20) belongs to the hour ending next (11:00), and several values of one hour are averaged.
The same station, parameter and time given twice: the later row wins (the lake's upsert key).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.periods import TZ
from dieuhanh.core.tabular import TableFile
from dieuhanh.environment.aqi import AQIError, Pollutant, parse_pollutant, unit_factor
from dieuhanh.environment.aqi.series import hour_label

REQUIRED = ["station_code", "parameter", "observed_at", "value", "uom"]

ALIASES: dict[str, str] = {
    "station_code": "station_code",
    "station": "station_code",
    "station id": "station_code",
    "mã trạm": "station_code",
    "mã trạm quan trắc": "station_code",
    "trạm": "station_code",
    "trạm quan trắc": "station_code",
    "unit_code": "unit_code",
    "mã đơn vị": "unit_code",
    "parameter": "parameter",
    "pollutant": "parameter",
    "thông số": "parameter",
    "thông số quan trắc": "parameter",
    "chỉ tiêu": "parameter",
    "observed_at": "observed_at",
    "time": "observed_at",
    "datetime": "observed_at",
    "thời điểm quan trắc": "observed_at",
    "thời điểm": "observed_at",
    "thời gian": "observed_at",
    "thời gian quan trắc": "observed_at",
    "value": "value",
    "giá trị": "value",
    "giá trị quan trắc": "value",
    "nồng độ": "value",
    "uom": "uom",
    "unit": "uom",
    "đơn vị": "uom",
    "đơn vị đo": "uom",
    "đơn vị tính": "uom",
}


@dataclass
class Observations:
    """What a file gave: ``series[station][pollutant][hour] = mean in µg/m³``, and the skipped rows."""

    file: str
    series: dict[str, dict[str, dict[datetime, float]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    accepted: int = 0


def parse_time(text: str) -> datetime:
    """ISO 8601 date and time; no offset means Vietnam local time. Raises ``ValueError``."""
    value = text.strip()
    if len(value) < 13 or not value[:4].isdigit():  # a date alone is not an observation time
        raise ValueError(text)
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=TZ) if parsed.tzinfo is None else parsed


def parse_value(text: str) -> float:
    """A plain decimal with a dot; "1,5" or "10.000,5" are refused (ambiguous). Raises ``ValueError``."""
    value = text.strip()
    if "," in value:
        raise ValueError(text)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def read_observations(path: Path, *, now: datetime) -> Observations:
    """Read ``path``; raise :class:`UserError` only for an unusable file (unreadable, columns missing)."""
    table = TableFile(path, ALIASES)
    missing = table.missing(REQUIRED)
    if missing:
        raise UserError(
            "file.missing_columns",
            f"Tệp {table.name} thiếu cột bắt buộc: {', '.join(missing)}.",
            f"{table.name} lacks required column(s): {', '.join(missing)}.",
            problems=[
                Problem(
                    "file.missing_column",
                    f"Thiếu cột {name} (tên khác được nhận: {_aliases_of(name)}).",
                    f"Column {name} is missing (other accepted names: {_aliases_of(name)}).",
                    file=table.name,
                    field=name,
                )
                for name in missing
            ],
        )
    result = Observations(file=table.name)
    # (station, pollutant, exact instant) -> value: the later row wins.
    latest: dict[tuple[str, Pollutant, datetime], float] = {}

    def bad(row: int, name: str, code: str, vi: str, en: str) -> None:
        result.problems.append(Problem(code, vi, en, file=table.name, row=row, field=name))

    for row in table:
        result.rows += 1
        station = row.get("station_code")
        if not station:
            bad(
                row.number,
                "station_code",
                "aqi.station_missing",
                "Thiếu mã trạm.",
                "The station code is missing.",
            )
            continue
        try:
            pollutant = parse_pollutant(row.get("parameter"))
        except AQIError as exc:
            bad(row.number, "parameter", exc.code, exc.message_vi, exc.message_en)
            continue
        text = row.get("observed_at")
        try:
            at = parse_time(text)
        except ValueError:
            bad(
                row.number,
                "observed_at",
                "aqi.time_invalid",
                f"Thời điểm {text!r} không đọc được (cần ISO 8601, ví dụ 2026-03-01T08:00+07:00).",
                f"Time {text!r} cannot be read (ISO 8601 expected, e.g. 2026-03-01T08:00+07:00).",
            )
            continue
        if at > now:
            bad(
                row.number,
                "observed_at",
                "aqi.time_future",
                f"Thời điểm {at.isoformat()} ở tương lai.",
                f"Time {at.isoformat()} is in the future.",
            )
            continue
        text = row.get("value")
        try:
            number = parse_value(text)
        except ValueError:
            bad(
                row.number,
                "value",
                "aqi.value_missing" if not text else "aqi.value_invalid",
                "Thiếu giá trị."
                if not text
                else f"Giá trị {text!r} không phải số (dùng dấu chấm thập phân).",
                "The value is missing."
                if not text
                else f"Value {text!r} is not a number (use a decimal point).",
            )
            continue
        if number < 0:
            bad(
                row.number,
                "value",
                "aqi.negative",
                f"Nồng độ âm ({text}): không có nghĩa.",
                f"Negative concentration ({text}): meaningless.",
            )
            continue
        try:
            factor = unit_factor(row.get("uom"))
        except AQIError as exc:
            bad(row.number, "uom", exc.code, exc.message_vi, exc.message_en)
            continue
        latest[(station, pollutant, at)] = number * factor
        result.accepted += 1

    hourly: dict[tuple[str, Pollutant, int], list[float]] = defaultdict(list)
    for (station, pollutant, at), value in latest.items():
        hourly[(station, pollutant, math.ceil(at.timestamp() / 3600))].append(value)
    for (station, pollutant, number), values in sorted(hourly.items()):
        by_hour = result.series.setdefault(station, {}).setdefault(pollutant, {})
        by_hour[hour_label(number)] = sum(values) / len(values)
    return result


def _aliases_of(name: str) -> str:
    return ", ".join(
        f'"{alias}"' for alias, canonical in ALIASES.items() if canonical == name and alias != name
    )
