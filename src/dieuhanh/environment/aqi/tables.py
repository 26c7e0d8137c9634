"""The data of Decision 1459/QĐ-TCMT (12/11/2019): pollutants, breakpoints (Bảng 2), bands (Bảng 1, 4, 5).

Source: the decision's text as transcribed, with page-image checks, in
qnguyenle075/hcmc-air-quality ``data/processed/qd_1459_vn_aqi.md`` (PDF:
vea.mae.gov.vn, "QD 1459 TCMT ngay 12_11_2019 AQI(1).pdf"); summarised in REGULATIONS.md §5.
Everything in this module is [TEXT] (from the decision) unless marked otherwise.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from numbers import Real
from typing import Final, Literal

Pollutant = Literal["pm25", "pm10", "o3", "no2", "so2", "co"]
Averaging = Literal["1h", "8h", "24h", "nowcast"]

#: The six VN_AQI parameters (§2.1.b), in the order used to break exact ties of the dominant
#: pollutant (particulates first: §2.1.b makes PM10 or PM2.5 mandatory). The order is our choice.
POLLUTANTS: Final[tuple[Pollutant, ...]] = ("pm25", "pm10", "o3", "no2", "so2", "co")
PARTICULATES: Final[tuple[Pollutant, ...]] = ("pm25", "pm10")
LABELS: Final[dict[str, str]] = {
    "pm25": "PM2.5",
    "pm10": "PM10",
    "o3": "O3",
    "no2": "NO2",
    "so2": "SO2",
    "co": "CO",
}


class AQIError(ValueError):
    """An input the VN_AQI formula cannot take; a stable ``code`` and Vietnamese and English messages."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(code, message_vi, message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


# --- Bảng 2: breakpoints BP_i (µg/m³, CO too) and the index I_i of each level i = 1..8 ------------
INDEX_LEVELS: Final[tuple[int, ...]] = (0, 50, 100, 150, 200, 300, 400, 500)

#: One column of Bảng 2 per table; the last breakpoint of every column but O3 (8h) is printed "≥":
#: at or above it the sub-index is 500 (the cap, our reading of "≥"). O3 (8h) stops at level 6
#: (400 µg/m³ → 300; levels 7-8 are "–"): above 400 the 8-hour sub-index is not defined and §2.2.2.b
#: says to use the 1-hour maximum alone.
BREAKPOINTS: Final[dict[str, tuple[float, ...]]] = {
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 120, 170, 210, 400),
    "co": (0, 10000, 30000, 45000, 60000, 90000, 120000, 150000),
    "so2": (0, 125, 350, 550, 800, 1600, 2100, 2630),
    "no2": (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "pm25": (0, 25, 50, 80, 150, 250, 350, 500),
}

#: Which column of Bảng 2 a pollutant uses for an averaging period:
#: hourly (§2.2.1.b): PM by NowCast, O3 by the O3 (1h) column, NO2/SO2/CO by their 1-hour mean;
#: daily (§2.2.2.b): PM by the 24-hour mean, O3 by the 1-hour and the 8-hour columns, NO2/SO2/CO by
#: the largest 1-hour mean of the day (so "1h" again).
COLUMNS: Final[dict[tuple[str, str], str]] = {
    ("pm25", "nowcast"): "pm25",
    ("pm25", "24h"): "pm25",
    ("pm10", "nowcast"): "pm10",
    ("pm10", "24h"): "pm10",
    ("o3", "1h"): "o3_1h",
    ("o3", "8h"): "o3_8h",
    ("no2", "1h"): "no2",
    ("so2", "1h"): "so2",
    ("co", "1h"): "co",
}


def _fold(text: str) -> str:
    # NFKC turns "O₃" into "O3", "m³" into "m3" and the micro sign into Greek mu.
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


_POLLUTANT_ALIASES: Final[dict[str, Pollutant]] = {
    "pm25": "pm25",
    "pm10": "pm10",
    "o3": "o3",
    "ozone": "o3",
    "no2": "no2",
    "so2": "so2",
    "co": "co",
}


def parse_pollutant(name: str) -> Pollutant:
    """``"PM2.5"``, ``"pm2_5"``, ``"PM2,5"``, ``"pm25"``, ``"O₃"``… → the canonical code (case-insensitive)."""
    key = _fold(str(name))
    for sep in ("_", "-", ".", ","):
        key = key.replace(sep, "")
    code = _POLLUTANT_ALIASES.get(key)
    if code is None:
        known = ", ".join(LABELS.values())
        raise AQIError(
            "aqi.unknown_parameter",
            f"Thông số {name!r} không dùng để tính VN_AQI (chỉ nhận {known}).",
            f"Parameter {name!r} is not a VN_AQI parameter (accepted: {known}).",
        )
    return code


# --- Units of measure ------------------------------------------------------------------------------
#: Bảng 2 is in µg/m³ for every parameter, CO included. mg/m³ converts by the SI prefix alone
#: (× 1000, exact); ppb/ppm would need a temperature and pressure that neither the decision nor
#: REGULATIONS.md gives, so they are refused rather than guessed.
_UNIT_FACTORS: Final[dict[str, float]] = {
    "μg/m3": 1.0,  # NFKC folds the micro sign (U+00B5) into Greek mu (U+03BC)
    "ug/m3": 1.0,
    "mcg/m3": 1.0,
    "microgram/m3": 1.0,
    "mg/m3": 1000.0,
}
_MIXING_RATIOS: Final[frozenset[str]] = frozenset({"ppb", "ppm", "ppbv", "ppmv"})


def unit_factor(uom: str) -> float:
    """The factor that turns a value in ``uom`` into µg/m³; ppb/ppm and unknown units are refused."""
    key = _fold(str(uom)).replace("^", "").replace("**", "")
    factor = _UNIT_FACTORS.get(key)
    if factor is not None:
        return factor
    if key in _MIXING_RATIOS:
        raise AQIError(
            "aqi.unit_needs_conditions",
            f"Đơn vị {uom!r}: đổi ppb/ppm sang µg/m³ cần nhiệt độ và áp suất mà QĐ 1459 không quy định; "
            "hãy gửi giá trị theo µg/m³ (hoặc mg/m³).",
            f"Unit {uom!r}: converting ppb/ppm to µg/m³ needs a temperature and pressure that Decision "
            "1459 does not set; send values in µg/m³ (or mg/m³).",
        )
    shown = "(trống)" if not key else repr(uom)
    shown_en = "(empty)" if not key else repr(uom)
    raise AQIError(
        "aqi.unknown_unit",
        f"Đơn vị {shown} không được nhận (chỉ nhận µg/m³ hoặc mg/m³).",
        f"Unit {shown_en} is not accepted (only µg/m³ or mg/m³).",
    )


def check_concentration(value: float, what: str = "") -> float:
    """A concentration the formula can take: a finite number ≥ 0 (µg/m³)."""
    kind = type(value)
    if kind is float or kind is int:  # the common case, without the slower ABC check
        number = float(value)
        if 0 <= number < math.inf:
            return number
    label = f" {what}" if what else ""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise AQIError(
            "aqi.not_a_number",
            f"Nồng độ{label} phải là một số: {value!r}.",
            f"Concentration{label} must be a number: {value!r}.",
        )
    number = float(value)
    if not math.isfinite(number):
        raise AQIError(
            "aqi.not_finite",
            f"Nồng độ{label} không hữu hạn: {value!r}.",
            f"Concentration{label} is not finite: {value!r}.",
        )
    if number < 0:
        raise AQIError(
            "aqi.negative",
            f"Nồng độ{label} âm ({value}): không có nghĩa, không tính.",
            f"Concentration{label} is negative ({value}): meaningless, not used.",
        )
    return number


# --- Bands: Bảng 1 (range, name, colour, RGB), Bảng 4 (health effect), Bảng 5 (advice) -------------
@dataclass(frozen=True)
class Band:
    """One of the six VN_AQI levels.

    ``name_vi``, ``colour_vi``, ``rgb`` (Bảng 1), ``health_vi`` (Bảng 4), ``advice_general_vi`` and
    ``advice_sensitive_vi`` (Bảng 5) are the decision's words. The English texts are our translation
    (the decision is published in Vietnamese only); ``name_en`` follows the names used in English
    by Vietnamese air-quality portals.
    """

    level: int
    low: int
    high: int
    name_vi: str
    name_en: str
    colour_vi: str
    colour_en: str
    rgb: tuple[int, int, int]
    health_vi: str = field(repr=False)
    health_en: str = field(repr=False)
    advice_general_vi: str = field(repr=False)
    advice_general_en: str = field(repr=False)
    advice_sensitive_vi: str = field(repr=False)
    advice_sensitive_en: str = field(repr=False)

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)

    def __contains__(self, aqi: object) -> bool:
        return isinstance(aqi, int) and self.low <= aqi <= self.high


_OUTDOORS_FREE_VI = "Tự do thực hiện các hoạt động ngoài trời"
_OUTDOORS_FREE_EN = "Outdoor activities freely"
_STAY_IN_VI = (
    "Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần thiết phải ra ngoài, "
    "hãy đeo khẩu trang đạt tiêu chuẩn."
)
_STAY_IN_EN = (
    "Everyone should stay indoors with doors and windows closed. If going out is necessary, "
    "wear a mask that meets the standard."
)

BANDS: Final[tuple[Band, ...]] = (
    Band(
        1, 0, 50, "Tốt", "Good", "Xanh", "green", (0, 228, 0),
        "Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe",
        "Good air quality, no effect on health",
        _OUTDOORS_FREE_VI, _OUTDOORS_FREE_EN, _OUTDOORS_FREE_VI, _OUTDOORS_FREE_EN,
    ),
    Band(
        2, 51, 100, "Trung bình", "Moderate", "Vàng", "yellow", (255, 255, 0),
        "Chất lượng không khí ở mức chấp nhận được. Tuy nhiên, đối với những người nhạy cảm (người già, "
        "trẻ em, người mắc các bệnh hô hấp, tim mạch…) có thể chịu những tác động nhất định tới sức khỏe.",
        "Air quality is acceptable. However, sensitive people (the elderly, children, people with "
        "respiratory or cardiovascular diseases…) may feel some effects on their health.",
        _OUTDOORS_FREE_VI, _OUTDOORS_FREE_EN,
        "Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động bên ngoài.",
        "Watch for symptoms such as coughing or shortness of breath, but outdoor activity is still possible.",
    ),
    Band(
        3, 101, 150, "Kém", "Poor", "Da cam", "orange", (255, 126, 0),
        "Những người nhạy cảm gặp phải các vấn đề về sức khỏe, những người bình thường ít ảnh hưởng.",
        "Sensitive people have health problems; other people are little affected.",
        "Những người thấy có triệu chứng đau mắt, ho hoặc đau họng… nên cân nhắc giảm các hoạt động ngoài "
        "trời. Đối với học sinh, có thể hoạt động bên ngoài, nhưng nên giảm bớt việc tập thể dục kéo dài.",
        "People with sore eyes, a cough or a sore throat… should consider reducing outdoor activities. "
        "Pupils may be active outdoors but should cut down prolonged exercise.",
        "Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Những người mắc bệnh hen suyễn "
        "có thể cần sử dụng thuốc thường xuyên hơn.",
        "Reduce strenuous activities and time spent outdoors. People with asthma may need their medicine "
        "more often.",
    ),
    Band(
        4, 151, 200, "Xấu", "Bad", "Đỏ", "red", (255, 0, 0),
        "Những người bình thường bắt đầu có các ảnh hưởng tới sức khỏe, nhóm người nhạy cảm có thể gặp "
        "những vấn đề sức khỏe nghiêm trọng hơn.",
        "Everyone begins to feel effects on health; sensitive groups may have more serious problems.",
        "Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo dài và nghỉ ngơi "
        "nhiều hơn trong nhà.",
        "Everyone should reduce strenuous outdoor activities, avoid prolonged exercise and rest more "
        "indoors.",
        "Nên ở trong nhà và giảm hoạt động mạnh. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt "
        "tiêu chuẩn.",
        "Stay indoors and reduce strenuous activities. If going out is necessary, wear a mask that meets "
        "the standard.",
    ),
    Band(
        5, 201, 300, "Rất xấu", "Very bad", "Tím", "purple", (143, 63, 151),
        # Verbatim, including the decision's "Cảnh báo hưởng" (for "ảnh hưởng").
        "Cảnh báo hưởng tới sức khỏe: mọi người bị ảnh hưởng tới sức khỏe nghiêm trọng hơn.",
        "Health warning: everyone may have more serious health effects.",
        "Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển tất cả các hoạt động vào trong nhà. "
        "Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
        "Everyone should keep outdoor activities to a minimum and move all activities indoors. If going "
        "out is necessary, wear a mask that meets the standard.",
        "Nên ở trong nhà và giảm hoạt động mạnh.",
        "Stay indoors and reduce strenuous activities.",
    ),
    Band(
        6, 301, 500, "Nguy hại", "Hazardous", "Nâu", "maroon", (126, 0, 35),
        "Cảnh báo khẩn cấp về sức khỏe: Toàn bộ dân số bị ảnh hưởng tới sức khỏe tới mức nghiêm trọng.",
        "Health emergency: the whole population is seriously affected.",
        # Bảng 5 merges the two cells of this row: one advice for everyone.
        _STAY_IN_VI, _STAY_IN_EN, _STAY_IN_VI, _STAY_IN_EN,
    ),
)  # fmt: skip
