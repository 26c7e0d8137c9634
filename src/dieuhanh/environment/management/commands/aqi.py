"""`dieuhanh aqi PATH [--json]`: hourly and daily VN_AQI (Decision 1459/QĐ-TCMT) per station of a file.

Environment officers use it to check a station's export; it is also how the formula is checked
from outside. Bad rows go to standard error (file, row, field, reason in Vietnamese and English)
and are skipped (exit 0); an unreadable file or a missing required column exits 2.

JSON (contract): ``{"hourly": [{"station", "hour", "aqi", "dominant", "band", "sub": {…}}, …],
"daily": [{"station", "date", "aqi", "dominant", "band", "sub": {…}}, …]}``; hours in Vietnam time
(+07:00), ``band`` the official Vietnamese name. Each entry also carries ``band_en``, ``rgb`` and
``conc`` (the concentration that entered the table, µg/m³); daily entries ``sub_o3`` (the 1-hour
and 8-hour parts of O3) and ``hours`` (1-hour means per pollutant); the object ``rejected`` (rows).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.environment.aqi import LABELS, POLLUTANTS, Band, DailyAQI, HourlyAQI, daily_aqi, hourly_aqi
from dieuhanh.environment.readers import read_observations


def _band_fields(level: Band | None) -> dict[str, Any]:
    if level is None:
        return {"band": None, "band_en": None, "rgb": None}
    return {"band": level.name_vi, "band_en": level.name_en, "rgb": list(level.rgb)}


def _ordered(values: dict[str, Any] | Any) -> dict[str, Any]:
    return {code: values[code] for code in POLLUTANTS if code in values}


def hourly_entry(station: str, row: HourlyAQI) -> dict[str, Any]:
    return {
        "station": station,
        "hour": row.hour.isoformat(),
        "aqi": row.aqi,
        "dominant": row.dominant,
        **_band_fields(row.band),
        "sub": _ordered(row.sub),
        "conc": {code: round(v, 3) for code, v in _ordered(row.concentration).items()},
    }


def daily_entry(station: str, row: DailyAQI) -> dict[str, Any]:
    conc_keys = ("pm25", "pm10", "o3_1h", "o3_8h", "no2", "so2", "co")
    return {
        "station": station,
        "date": row.date.isoformat(),
        "aqi": row.aqi,
        "dominant": row.dominant,
        **_band_fields(row.band),
        "sub": _ordered(row.sub),
        "sub_o3": {"1h": row.o3_1h, "8h": row.o3_8h} if row.hours.get("o3") else None,
        "conc": {k: round(row.concentration[k], 3) for k in conc_keys if k in row.concentration},
        "hours": _ordered(row.hours),
    }


class Command(DieuhanhCommand):
    help = (
        "VN_AQI (QĐ 1459/QĐ-TCMT) theo giờ và theo ngày của từng trạm trong một tệp quan trắc CSV/XLSX / "
        "hourly and daily VN_AQI of each station in an observations CSV/XLSX file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="CSV/XLSX: station_code, parameter, observed_at, value, uom"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        data = read_observations(opts["path"], now=datetime.now(UTC))
        for problem in data.problems:
            self.stderr.write(f"  - {problem}")
        if data.problems:
            n = len(data.problems)
            self.stderr.write(
                f"{data.file}: bỏ qua {n}/{data.rows} dòng lỗi / skipped {n} of {data.rows} bad row(s)"
            )
        hourly: list[dict[str, Any]] = []
        daily: list[dict[str, Any]] = []
        for station in sorted(data.series):
            series = data.series[station]
            hourly += [hourly_entry(station, row) for row in hourly_aqi(series)]
            daily += [daily_entry(station, row) for row in daily_aqi(series)]
        if opts["json"]:
            self.emit_json(
                {"hourly": hourly, "daily": daily, "rejected": [p.as_dict() for p in data.problems]}
            )
            return
        self._print(hourly, daily)

    def _print(self, hourly: list[dict[str, Any]], daily: list[dict[str, Any]]) -> None:
        heads = "  ".join(f"{LABELS[c]:>5}" for c in POLLUTANTS)
        if not hourly and not daily:
            self.stdout.write("Không có giá trị VN_AQI nào / no VN_AQI value")
        for station in sorted({e["station"] for e in hourly} | {e["station"] for e in daily}):
            self.stdout.write(f"Trạm / station {station} — VN_AQI, QĐ 1459/QĐ-TCMT")
            self.stdout.write(
                f"  Theo giờ / hourly\n    {'giờ / hour':<25} {'AQI':>4}  {'chính':<6} {'mức / band':<24}{heads}"
            )
            for e in (e for e in hourly if e["station"] == station):
                self.stdout.write(f"    {e['hour']:<25} {self._line(e)}")
            self.stdout.write(
                f"  Theo ngày / daily\n    {'ngày / date':<25} {'AQI':>4}  {'chính':<6} {'mức / band':<24}{heads}"
            )
            for e in (e for e in daily if e["station"] == station):
                self.stdout.write(f"    {e['date']:<25} {self._line(e)}")

    @staticmethod
    def _line(entry: dict[str, Any]) -> str:
        aqi = "-" if entry["aqi"] is None else str(entry["aqi"])
        main = LABELS.get(entry["dominant"] or "", "-")
        band = f"{entry['band']} / {entry['band_en']}" if entry["band"] else "- (chưa có PM / no PM index)"
        subs = "  ".join(f"{entry['sub'].get(c, '-'):>5}" for c in POLLUTANTS)
        return f"{aqi:>4}  {main:<6} {band:<24}{subs}"
