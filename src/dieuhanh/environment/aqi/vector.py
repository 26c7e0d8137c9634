"""The hourly VN_AQI in one vectorised pass with NumPy (for the benchmark's baseline and bulk recomputes).

NumPy is not a runtime dependency of dieuhanh (it comes with the development tools): import this
module only where NumPy is installed. Arrays hold consecutive hours on their **last axis** and
NaN for a missing hour, so ``(stations, hours)`` matrices are computed at once. Results equal
:func:`dieuhanh.environment.aqi.hourly_aqi` (the tests compare them), NaN where it has no value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

try:
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
    from numpy.typing import ArrayLike, NDArray
except ImportError as exc:  # pragma: no cover - NumPy is installed with the development tools
    raise ImportError(
        "dieuhanh.environment.aqi.vector cần NumPy / needs NumPy (pip install numpy); "
        "the pure-Python functions of dieuhanh.environment.aqi do not."
    ) from exc

from dieuhanh.environment.aqi.formula import NOWCAST_HOURS, column_of
from dieuhanh.environment.aqi.tables import (
    BREAKPOINTS,
    INDEX_LEVELS,
    POLLUTANTS,
    AQIError,
    Averaging,
    Pollutant,
    parse_pollutant,
)

Floats = NDArray[np.float64]


def _checked(values: ArrayLike) -> Floats:
    array = np.asarray(values, dtype=np.float64)
    if np.any(array < 0) or np.any(np.isinf(array)):
        raise AQIError(
            "aqi.negative",
            "Có nồng độ âm hoặc vô hạn trong mảng: không tính.",
            "The array holds a negative or infinite concentration: not computed.",
        )
    return array


def round_half_up_array(values: ArrayLike) -> Floats:
    """:func:`~dieuhanh.environment.aqi.round_half_up` element-wise (NaN stays NaN)."""
    result: Floats = np.floor(np.round(np.asarray(values, dtype=np.float64), 9) + 0.5)
    return result


def sub_index_array(
    pollutant: Pollutant | str, concentration: ArrayLike, averaging: Averaging | str
) -> Floats:
    """Unrounded sub-indices (công thức 1/2); NaN for a missing value or O3 (8h) above 400 µg/m³."""
    column = column_of(pollutant, averaging)
    c = _checked(concentration)
    bps = np.asarray(BREAKPOINTS[column], dtype=np.float64)
    levels = np.asarray(INDEX_LEVELS[: len(bps)], dtype=np.float64)
    out: Floats = np.interp(c, bps, levels)  # the same slope × (C − BP) + I; 500 past the last "≥"
    if len(bps) < len(INDEX_LEVELS):
        out = np.where(c > bps[-1], np.nan, out)
    return np.where(np.isnan(c), np.nan, out)


def nowcast_array(values: ArrayLike) -> Floats:
    """The NowCast at every hour of the last axis (that hour and the 11 before it), NaN where
    fewer than 2 of the last 3 hours are present. Same rules as :func:`~dieuhanh.environment.aqi.nowcast`.
    """
    v = _checked(values)
    pad = np.full((*v.shape[:-1], NOWCAST_HOURS - 1), np.nan)
    windows = sliding_window_view(np.concatenate([pad, v], axis=-1), NOWCAST_HOURS, axis=-1)[..., ::-1]
    present = ~np.isnan(windows)  # windows[..., t, i] is c(i+1) of hour t: i = 0 the hour itself
    enough = present[..., :3].sum(axis=-1) >= 2
    c_max = np.where(present, windows, -np.inf).max(axis=-1)
    c_min = np.where(present, windows, np.inf).min(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w_star = np.where(c_max > 0, c_min / np.where(c_max > 0, c_max, 1.0), 1.0)
        w = np.where(w_star <= 0.5, 0.5, w_star)
        weights = np.where(present, w[..., None] ** np.arange(NOWCAST_HOURS), 0.0)
        numerator = (weights * np.where(present, windows, 0.0)).sum(axis=-1)
        denominator = weights.sum(axis=-1)
        result: Floats = np.where(enough, numerator / np.where(enough, denominator, 1.0), np.nan)
    return result


@dataclass(frozen=True)
class HourlyArrays:
    """``aqi`` (rounded, NaN without PM2.5 or PM10), ``dominant`` (index into ``POLLUTANTS``, −1 for
    none), per pollutant ``sub`` (rounded), ``exact`` (unrounded) and ``concentration`` (NowCast for PM).
    """

    aqi: Floats
    dominant: NDArray[np.int64]
    sub: dict[str, Floats] = field(hash=False)
    exact: dict[str, Floats] = field(hash=False, repr=False)
    concentration: dict[str, Floats] = field(hash=False, repr=False)


def hourly_aqi_arrays(values: Mapping[str, ArrayLike]) -> HourlyArrays:
    """AQI^h of aligned 1-hour-mean arrays ``{pollutant: array}`` (consecutive hours, NaN missing)."""
    arrays = {parse_pollutant(name): _checked(a) for name, a in values.items()}
    if not arrays:
        raise AQIError("aqi.empty", "Không có dữ liệu.", "No data.")
    shape = next(iter(arrays.values())).shape
    if any(a.shape != shape for a in arrays.values()):
        raise AQIError(
            "aqi.shapes",
            "Các mảng phải cùng kích thước (cùng các giờ).",
            "The arrays must have the same shape (the same hours).",
        )
    concentration: dict[str, Floats] = {}
    exact: dict[str, Floats] = {}
    for code, array in arrays.items():
        if code in ("pm25", "pm10"):
            concentration[code] = nowcast_array(array)
            exact[code] = sub_index_array(code, concentration[code], "nowcast")
        else:
            concentration[code] = array
            exact[code] = sub_index_array(code, array, "1h")
    missing = np.full(shape, np.nan)
    stacked = np.stack([exact.get(code, missing) for code in POLLUTANTS], axis=-1)
    has_pm = ~np.isnan(stacked[..., 0]) | ~np.isnan(stacked[..., 1])
    filled = np.where(np.isnan(stacked), -np.inf, stacked)
    top = filled.max(axis=-1)
    dominant = np.where(has_pm, filled.argmax(axis=-1), -1).astype(np.int64)
    aqi = np.where(has_pm, round_half_up_array(np.where(has_pm, top, 0.0)), np.nan)
    sub = {code: round_half_up_array(e) for code, e in exact.items()}
    return HourlyArrays(aqi, dominant, sub, exact, concentration)
