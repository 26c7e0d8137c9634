"""VN_AQI, the Vietnamese air-quality index of Decision 1459/QĐ-TCMT (12/11/2019). Pure Python, no Django.

>>> from dieuhanh.environment.aqi import band, nowcast, sub_index
>>> round(nowcast([20.6, 19.6, 22.4, 20.3, 16.5, 19.0, 16.5, 19.5, 23.5, 20.5, 24.7, 26.9]), 1)
20.3
>>> sub_index("pm25", 20.3, "nowcast"), band(110).name_vi
(41, 'Kém')

Rules, sources and the choices made where the decision is silent: ``docs/aqi.md``.
``dieuhanh.environment.aqi.vector`` has a NumPy path (NumPy is not a runtime dependency).
"""

from dieuhanh.environment.aqi.formula import (
    AQI_MAX,
    NOWCAST_HOURS,
    band,
    column_of,
    dominant,
    nowcast,
    round_half_up,
    sub_index,
    sub_index_exact,
)
from dieuhanh.environment.aqi.series import (
    MIN_HOURS_8H,
    MIN_HOURS_24H,
    VN_TZ,
    DailyAQI,
    HourlyAQI,
    Series,
    daily_aqi,
    eight_hour_means,
    hour_label,
    hour_number,
    hourly_aqi,
)
from dieuhanh.environment.aqi.tables import (
    BANDS,
    BREAKPOINTS,
    INDEX_LEVELS,
    LABELS,
    POLLUTANTS,
    AQIError,
    Averaging,
    Band,
    Pollutant,
    parse_pollutant,
    unit_factor,
)

__all__ = [
    "AQI_MAX",
    "BANDS",
    "BREAKPOINTS",
    "INDEX_LEVELS",
    "LABELS",
    "MIN_HOURS_8H",
    "MIN_HOURS_24H",
    "NOWCAST_HOURS",
    "POLLUTANTS",
    "VN_TZ",
    "AQIError",
    "Averaging",
    "Band",
    "DailyAQI",
    "HourlyAQI",
    "Pollutant",
    "Series",
    "band",
    "column_of",
    "daily_aqi",
    "dominant",
    "eight_hour_means",
    "hour_label",
    "hour_number",
    "hourly_aqi",
    "nowcast",
    "parse_pollutant",
    "round_half_up",
    "sub_index",
    "sub_index_exact",
    "unit_factor",
]
