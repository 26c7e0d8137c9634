"""The formulas of Decision 1459/QĐ-TCMT: sub-index (công thức 1 and 2), NowCast, rounding, band, dominant.

Section numbers (§) are those of the decision's guideline ("Hướng dẫn kỹ thuật", annex). Tags
as in REGULATIONS.md: [TEXT] from the decision; [CHOICE] the text is silent and we chose.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Final

from dieuhanh.environment.aqi.tables import (
    BANDS,
    BREAKPOINTS,
    COLUMNS,
    INDEX_LEVELS,
    LABELS,
    POLLUTANTS,
    AQIError,
    Averaging,
    Band,
    Pollutant,
    check_concentration,
    parse_pollutant,
)

AQI_MAX: Final = 500
NOWCAST_HOURS: Final = 12
_AVERAGINGS: Final[tuple[Averaging, ...]] = ("1h", "8h", "24h", "nowcast")


def round_half_up(value: float) -> int:
    """Round an AQI to an integer, halves upwards: 59.35 → 59, 44.65 → 45, 109.5 → 110, 50.5 → 51.

    §2.2.1.c and §2.2.2.c: "Giá trị AQI … được làm tròn thành số nguyên" [TEXT]; the mode is not
    given [CHOICE]: half-up reproduces every printed example but the NO2 hourly one (see
    ``docs/aqi.md``). Binary floating point cannot hold 109.5 − ε exactly, so the value is first
    rounded to 9 decimals: anything within 5·10⁻¹⁰ of a half counts as that half.
    """
    return math.floor(round(value, 9) + 0.5)


def column_of(pollutant: Pollutant | str, averaging: Averaging | str) -> str:
    """The column of Bảng 2 that ``pollutant`` averaged over ``averaging`` uses (refuses other pairs).

    "nowcast" and "24h" go with PM2.5 and PM10; "1h" and "8h" with O3; "1h" with NO2, SO2, CO
    (the daily rule uses their largest 1-hour mean, §2.2.2).
    """
    code = parse_pollutant(pollutant)
    if averaging not in _AVERAGINGS:
        raise AQIError(
            "aqi.unknown_averaging",
            f"Thời gian trung bình {averaging!r} không hợp lệ (1h, 8h, 24h, nowcast).",
            f"Unknown averaging period {averaging!r} (1h, 8h, 24h, nowcast).",
        )
    column = COLUMNS.get((code, averaging))
    if column is None:
        allowed = ", ".join(a for (p, a) in COLUMNS if p == code)
        raise AQIError(
            "aqi.averaging_not_defined",
            f"QĐ 1459 không tính AQI của {LABELS[code]} theo {averaging} (chỉ: {allowed}).",
            f"Decision 1459 has no {averaging} index for {LABELS[code]} (only: {allowed}).",
        )
    return column


def sub_index_exact(
    pollutant: Pollutant | str, concentration: float, averaging: Averaging | str
) -> float | None:
    """The sub-index AQIx before rounding (công thức 1 / 2, §2.2.1.b and §2.2.2.b) [TEXT]::

        AQIx = (I[i+1] − I[i]) / (BP[i+1] − BP[i]) × (C − BP[i]) + I[i],   BP[i] ≤ C ≤ BP[i+1]

    ``concentration`` in µg/m³ (CO too): the 1-hour mean, the NowCast, the 24-hour mean or the
    8-hour mean, as ``averaging`` says. The function is continuous, so a concentration on a
    breakpoint gives that level's index whichever segment is used.

    Caps [CHOICE, the last row of Bảng 2 reads "≥"]: at or above the last breakpoint the result is
    500. O3 (8h) has no levels 7-8: above 400 µg/m³ the result is ``None`` ("not defined"; the
    daily rule then uses the 1-hour maximum alone, §2.2.2.b).
    Refuses negative or non-finite concentrations, unknown pollutants and undefined pairs.
    """
    column = column_of(pollutant, averaging)
    return interpolate(column, check_concentration(concentration, LABELS[parse_pollutant(pollutant)]))


def interpolate(column: str, c: float) -> float | None:
    """Công thức 1/2 on one column of Bảng 2 for a checked concentration (no validation: the fast path)."""
    bps = BREAKPOINTS[column]
    last = len(bps) - 1
    if c >= bps[last]:
        if last == len(INDEX_LEVELS) - 1:
            return float(AQI_MAX)  # "≥" the last breakpoint: the cap
        return float(INDEX_LEVELS[last]) if c == bps[last] else None  # O3 (8h) above 400 µg/m³
    i = bisect_right(bps, c) - 1
    lo_bp, hi_bp = bps[i], bps[i + 1]
    lo_i, hi_i = INDEX_LEVELS[i], INDEX_LEVELS[i + 1]
    return (hi_i - lo_i) / (hi_bp - lo_bp) * (c - lo_bp) + lo_i


def sub_index(pollutant: Pollutant | str, concentration: float, averaging: Averaging | str) -> int | None:
    """The sub-index AQIx rounded half-up to an integer (see :func:`sub_index_exact`, :func:`round_half_up`).

    >>> sub_index("pm25", 20.3, "nowcast"), sub_index("no2", 130.8, "1h"), sub_index("pm25", 55.7, "24h")
    (41, 65, 110)
    """
    exact = sub_index_exact(pollutant, concentration, averaging)
    return None if exact is None else round_half_up(exact)


def nowcast(values_last_12h: Sequence[float | None]) -> float | None:
    """The 12-hour NowCast of PM2.5 or PM10 (§2.2.1.a) [TEXT], ``None`` when it cannot be computed.

    ``values_last_12h`` are the 1-hour means c1…c12 **newest first**: c1 is the current hour, c12
    the hour 11 hours before it; ``None`` (or a shorter sequence) marks missing hours.

    - w* = Cmin / Cmax over the values present; w = ½ if w* ≤ ½, else w = w*.
    - NowCast = Σ w^(i−1)·ci / Σ w^(i−1), with w^(i−1) = 0 for a missing ci.
    - At least 2 of c1, c2, c3 must be present, otherwise "no data" (``None``).

    For w = ½ the decision prints Σ (½)^i·ci without the denominator; with all 12 hours present
    that is this value × (1 − 2⁻¹²) (0.024 % lower), with missing hours it would understate the
    concentration by their weight. We use the normalised form for both cases [CHOICE, as
    REGULATIONS.md §5 notes]. When every present value is 0, Cmin/Cmax is 0/0: the NowCast is 0.
    The result is not rounded (the printed 20.3 is 20.27 to one decimal) [CHOICE].
    """
    if len(values_last_12h) > NOWCAST_HOURS:
        raise AQIError(
            "aqi.nowcast_length",
            f"NowCast dùng đúng 12 giá trị 1 giờ gần nhất, nhận được {len(values_last_12h)}.",
            f"NowCast takes the 12 latest 1-hour means, got {len(values_last_12h)}.",
        )
    present = [
        (i, check_concentration(v, f"c{i + 1}")) for i, v in enumerate(values_last_12h) if v is not None
    ]
    return nowcast_checked(present)


def nowcast_checked(present: Sequence[tuple[int, float]]) -> float | None:
    """:func:`nowcast` of checked values given as (i − 1, ci) pairs of the hours present (the fast path)."""
    recent = 0
    c_max = -1.0
    c_min = math.inf
    for i, v in present:
        if i < 3:
            recent += 1
        if v > c_max:
            c_max = v
        if v < c_min:
            c_min = v
    if recent < 2:
        return None
    if c_max == 0:
        return 0.0
    w_star = c_min / c_max
    w = 0.5 if w_star <= 0.5 else w_star
    numerator = 0.0
    denominator = 0.0
    for i, v in present:
        weight = w**i
        numerator += weight * v
        denominator += weight
    return numerator / denominator


def band(aqi: int) -> Band:
    """The band of an integer AQI (Bảng 1) [TEXT]: 0–50 Tốt, 51–100 Trung bình, 101–150 Kém, 151–200 Xấu,
    201–300 Rất xấu, 301–500 Nguy hại. Round first (:func:`round_half_up`); 50.4 is not an AQI.
    """
    if isinstance(aqi, bool) or not isinstance(aqi, Integral):
        raise AQIError(
            "aqi.band_not_integer",
            f"Mức AQI cần một số nguyên (đã làm tròn), nhận {aqi!r}.",
            f"An AQI band needs an integer (rounded) AQI, got {aqi!r}.",
        )
    value = int(aqi)
    for b in BANDS:
        if b.low <= value <= b.high:
            return b
    raise AQIError(
        "aqi.out_of_range",
        f"AQI {value} nằm ngoài thang 0–500.",
        f"AQI {value} is outside the 0–500 scale.",
    )


def dominant(exact: Mapping[str, float]) -> str | None:
    """The pollutant with the largest unrounded sub-index [CHOICE for ties].

    The decision names "the parameter with the highest AQIx" (Bảng 3) but not how to break ties:
    the larger unrounded value wins (59.4 beats 59.35, both shown as 59); exact ties go to the
    first of PM2.5, PM10, O3, NO2, SO2, CO.
    """
    best: str | None = None
    best_value = -1.0
    for code in POLLUTANTS:
        value = exact.get(code)
        if value is not None and value > best_value:
            best, best_value = code, value
    return best
