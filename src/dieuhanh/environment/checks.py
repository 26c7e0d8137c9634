"""The station registry in the validation of observations (plugged in through `ingest.hooks`).

Applied to every observations batch, whatever the channel:
- a parameter must be one dieuhanh knows (`models.PARAMETERS`);
- the six VN_AQI pollutants must come in µg/m³ or mg/m³ (`aqi.unit_factor`; ppb/ppm need a
  temperature and pressure Decision 1459 does not give).
Once at least one station is registered (the registry is "in use"):
- the station must be registered and active, and measure that parameter;
- a row without a unit takes the station's unit;
- on the live channel (MQTT), a time more than `MAX_LATE` before the latest observation already
  received from that station is "far out of order" (files and the API may back-fill history).
Negative concentrations and future times are refused by the ingest rules themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dieuhanh.environment.aqi import AQIError, unit_factor
from dieuhanh.environment.models import PARAMETERS, Station
from dieuhanh.ingest.hooks import Found
from dieuhanh.ingest.models import Channel

POLLUTANTS = ("pm25", "pm10", "o3", "no2", "so2", "co")
MAX_LATE = timedelta(hours=24)
_SEP = "\x1f"


def _uom_ok(uom: str | None) -> bool:
    try:
        unit_factor(uom or "")
    except AQIError:
        return False
    return True


@dataclass
class StationRegistry:
    units: dict[str, str]  # active station code → unit code
    measured: set[str]  # "station\x1fparameter"
    last_seen: dict[str, datetime]

    @classmethod
    def load(cls) -> StationRegistry:
        units: dict[str, str] = {}
        measured: set[str] = set()
        seen: dict[str, datetime] = {}
        for code, unit, params, last in Station.objects.filter(active=True).values_list(
            "code", "unit__code", "parameters", "last_seen_at"
        ):
            units[code] = unit
            measured.update(f"{code}{_SEP}{p}" for p in params or [])
            if last is not None:
                seen[code] = last
        return cls(units, measured, seen)

    @property
    def in_use(self) -> bool:
        return bool(self.units) or Station.objects.exists()


class ObservationChecks:
    def __init__(self, *, channel: str = "") -> None:
        self.registry = StationRegistry.load()
        self.in_use = self.registry.in_use
        self.live = channel == Channel.MQTT
        self._codes = pa.array(sorted(self.registry.units), pa.string())
        self._station_units = pa.array(
            [self.registry.units[c] for c in sorted(self.registry.units)], pa.string()
        )

    def fill(self, sent: dict[str, Any], n: int) -> None:
        if not self.in_use or sent.get("station_code") is None:
            return
        station = pc.utf8_trim_whitespace(sent["station_code"])
        unit = pc.take(self._station_units, pc.index_in(station, value_set=self._codes))
        given = sent.get("unit_code")
        if given is None:
            sent["unit_code"] = unit
        else:
            blank = pc.equal(pc.utf8_trim_whitespace(given), "")
            sent["unit_code"] = pc.if_else(pc.fill_null(blank, True), unit, given)

    def check(self, typed: dict[str, Any], where: Callable[[Any], list[int]], order: int) -> list[Found]:
        out: list[Found] = []
        param, station, uom = typed["parameter"], typed["station_code"], typed["uom"]

        def at(name: str, positions: list[int]) -> list[Any]:
            return pc.take(typed[name], pa.array(positions, pa.int64())).to_pylist()  # type: ignore[no-any-return]

        unknown = where(pc.invert(pc.is_in(param, value_set=pa.array(PARAMETERS))))
        for p, prm in zip(unknown, at("parameter", unknown), strict=True):
            out.append((p, order, "observation.unknown_parameter", "parameter",
                        f"Thông số {prm!r} không được nhận (nhận: {', '.join(PARAMETERS)}).",
                        f"Parameter {prm!r} is not accepted (known: {', '.join(PARAMETERS)})."))  # fmt: skip
        pollutant = pc.is_in(param, value_set=pa.array(POLLUTANTS))
        uoms = [u for u in pc.unique(pc.filter(uom, pollutant)).to_pylist()]
        bad_uoms = [u for u in uoms if not _uom_ok(u)]
        if bad_uoms or None in uoms:
            bad_set = pa.array([u for u in bad_uoms if u is not None], pa.string())
            cond = pc.and_(pollutant, pc.or_(pc.is_null(uom), pc.is_in(uom, value_set=bad_set)))
            positions = where(cond)
            for p, u, prm in zip(positions, at("uom", positions), at("parameter", positions), strict=True):
                shown_vi = "(trống)" if not u else repr(u)
                shown_en = "(empty)" if not u else repr(u)
                vi = (
                    f"Đơn vị đo {shown_vi} không được nhận cho {prm}: chỉ nhận µg/m³ hoặc mg/m³ "
                    "(ppb/ppm cần nhiệt độ, áp suất mà QĐ 1459/QĐ-TCMT không quy định)."
                )
                en = (
                    f"Unit of measure {shown_en} is not accepted for {prm}: only µg/m³ or mg/m³ "
                    "(ppb/ppm need a temperature and pressure Decision 1459/QĐ-TCMT does not set)."
                )
                out.append((p, order, "observation.unknown_uom", "uom", vi, en))  # fmt: skip
        if not self.in_use:
            return out
        known = pc.is_in(station, value_set=self._codes)
        positions = where(pc.invert(known))
        for p, s in zip(positions, at("station_code", positions), strict=True):
            vi = f"Trạm {s!r} chưa được đăng ký (hoặc đã ngừng): đăng ký trạm trước khi gửi số liệu."
            en = f"Station {s!r} is not registered (or inactive): register it before sending data."
            out.append((p, order, "station.unknown", "station_code", vi, en))
        pairs = pc.binary_join_element_wise(station, param, _SEP)
        measured = pa.array(sorted(self.registry.measured), pa.string())
        positions = where(pc.and_(known, pc.and_(pc.is_in(param, value_set=pa.array(PARAMETERS)),
                                                 pc.invert(pc.is_in(pairs, value_set=measured)))))  # fmt: skip
        for p, s, prm in zip(
            positions, at("station_code", positions), at("parameter", positions), strict=True
        ):
            out.append((p, order, "station.parameter", "parameter",
                        f"Trạm {s} không đo thông số {prm} (theo danh mục trạm).",
                        f"Station {s} does not measure {prm} (per the station registry)."))  # fmt: skip
        if self.live and self.registry.last_seen:
            codes = sorted(self.registry.last_seen)
            limits = pa.array(
                [self.registry.last_seen[c] - MAX_LATE for c in codes], pa.timestamp("us", tz="UTC")
            )
            limit = pc.take(limits, pc.index_in(station, value_set=pa.array(codes, pa.string())))
            positions = where(pc.less(typed["observed_at"], limit))
            for p, s, t in zip(
                positions, at("station_code", positions), at("observed_at", positions), strict=True
            ):
                last = self.registry.last_seen[s]
                hours = f"{MAX_LATE.total_seconds() / 3600:.0f}"
                vi = (
                    f"Thời điểm {t:%d/%m/%Y %H:%M} (UTC) sớm hơn quá {hours} giờ so với số liệu mới nhất của trạm "
                    f"{s} ({last:%d/%m/%Y %H:%M} UTC): nếu là số liệu bổ sung, hãy gửi qua tệp hoặc API."
                )
                en = (
                    f"{t.isoformat()} is more than {hours} hours before station {s}'s latest observation "
                    f"({last.isoformat()}): send back-fills as a file or through the API."
                )
                out.append((p, order, "observation.out_of_order", "observed_at", vi, en))
        return out


def fill_units(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pushed records without a unit take their station's (MQTT and API payloads)."""
    if all(str(item.get("unit_code") or "").strip() for item in items):
        return items
    units = dict(Station.objects.filter(active=True).values_list("code", "unit__code"))
    out = []
    for item in items:
        if not str(item.get("unit_code") or "").strip():
            # Always give the key: a record set lacking a required header would refuse the batch.
            item = {**item, "unit_code": units.get(str(item.get("station_code") or "").strip(), "")}
        out.append(item)
    return out
