"""VN_AQI against Decision 1459/QĐ-TCMT (12/11/2019).

Expected values are written by hand from the decision's numbers (§2.3 worked examples, Bảng 1 and
Bảng 2 as transcribed in REGULATIONS.md §5) and hand arithmetic, never produced by the code.
Where the decision's printed result disagrees with its own formula, the comment says so and the
test follows the formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pytest

from dieuhanh.environment.aqi import (
    BANDS,
    AQIError,
    band,
    daily_aqi,
    dominant,
    eight_hour_means,
    hourly_aqi,
    nowcast,
    parse_pollutant,
    round_half_up,
    sub_index,
    sub_index_exact,
    unit_factor,
)
from dieuhanh.environment.aqi.series import VN_TZ


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def hours_from(start: str, values: Sequence[float | None]) -> dict[datetime, float]:
    t0 = at(start)
    return {t0 + timedelta(hours=i): v for i, v in enumerate(values) if v is not None}


# ---------------------------------------------------------------------------------------------------
# §2.3.a — NowCast. PM2.5 at 09:00 … 20:00: 26,9 24,7 20,5 23,5 19,5 16,5 19,0 16,5 20,3 22,4 19,6 20,6
# c1 is the current hour (20:00), so newest first:
PM25_NEWEST_FIRST = [20.6, 19.6, 22.4, 20.3, 16.5, 19.0, 16.5, 19.5, 23.5, 20.5, 24.7, 26.9]


def test_worked_example_nowcast() -> None:
    # w* = Cmin/Cmax = 16,5/26,9 = 0,613… > 0,5, so w = w*; the decision prints NowCast = 20,3 µg/m³.
    value = nowcast(PM25_NEWEST_FIRST)
    assert value is not None
    assert round(value, 1) == 20.3
    # The decision rounds w to 0,61 for display; with that w the NowCast is 20,27 too: both → 20,3.
    assert value == pytest.approx(20.27, abs=0.01)


def test_worked_example_hourly_sub_indices() -> None:
    # AQI(O3) = 50/160 × 136,1 = 42,53 → 43 (decision: 43).
    assert sub_index_exact("o3", 136.1, "1h") == pytest.approx(42.53125)
    assert sub_index("o3", 136.1, "1h") == 43
    # AQI(PM2.5) = 50/25 × 20,3 = 40,6 → 41 (decision: 41).
    assert sub_index_exact("pm25", 20.3, "nowcast") == pytest.approx(40.6)
    assert sub_index("pm25", 20.3, "nowcast") == 41
    # AQI(NO2) = (100 − 50)/(200 − 100) × (118,7 − 100) + 50 = 59,35. THE DECISION PRINTS 60, which its
    # own formula does not give: 59,35 rounds to 59 (half-up, half-even and truncation all give 59; only
    # ceiling gives 60, and ceiling would turn the daily NO2 65,4 into 66 where the decision prints 65).
    # We follow the formula: 59.
    assert sub_index_exact("no2", 118.7, "1h") == pytest.approx(59.35)
    assert sub_index("no2", 118.7, "1h") == 59


def test_worked_example_hourly_aqi_from_the_series() -> None:
    # The same hour built from raw data: the twelve PM2.5 hours of §2.3.a, and O3 136,1 and NO2 118,7
    # at 20:00 (§2.3.b). AQI^h = max(43, 59, 41) = 59 by the formula. THE DECISION PRINTS AQI^h = 60
    # (from its NO2 = 60, see above); we follow the formula. Dominant: NO2; band 51–100 "Trung bình".
    series = {
        "PM2.5": hours_from("2019-11-12T09:00", PM25_NEWEST_FIRST[::-1]),
        "O3": {at("2019-11-12T20:00"): 136.1},
        "NO2": {at("2019-11-12T20:00"): 118.7},
    }
    rows = {row.hour: row for row in hourly_aqi(series)}
    row = rows[at("2019-11-12T20:00")]
    assert row.sub == {"pm25": 41, "o3": 43, "no2": 59}
    assert row.concentration["pm25"] == pytest.approx(20.27, abs=0.01)
    assert row.aqi == 59
    assert row.dominant == "no2"
    assert row.band is not None and row.band.name_vi == "Trung bình"
    assert row.hour.isoformat() == "2019-11-12T20:00:00+07:00"


def test_worked_example_daily_sub_indices() -> None:
    # §2.3.c: O3 8h max 89,3 → 50/100 × 89,3 = 44,65 → 45; O3 1h max 114,6 → 50/160 × 114,6 = 35,81 → 36;
    # NO2 1h max 130,8 → 0,5 × 30,8 + 50 = 65,4 → 65; PM2.5 24h 55,7 → 50/30 × 5,7 + 100 = 109,5 → 110.
    # All four agree with the decision (44,65 and 109,5 need halves rounded up: half-up).
    assert sub_index("o3", 89.3, "8h") == 45
    assert sub_index("o3", 114.6, "1h") == 36
    assert sub_index("no2", 130.8, "1h") == 65
    assert sub_index_exact("pm25", 55.7, "24h") == pytest.approx(109.5)
    assert sub_index("pm25", 55.7, "24h") == 110


def test_worked_example_daily_aqi_from_the_series() -> None:
    # A day (2019-11-12: hours 01:00 … 00:00 of the 13th) whose aggregates are those of §2.3.c:
    # PM2.5 55,7 every hour (24-hour mean 55,7); NO2 at most 130,8; O3 114,6 at 10:00 and an 8-hour
    # block 10:00 … 17:00 of mean 89,3 (114,6 + 6 × 85 + 89,8 = 714,4 = 8 × 89,3), 10 elsewhere.
    day = [at("2019-11-12T01:00") + timedelta(hours=i) for i in range(24)]
    o3 = dict.fromkeys(day, 10.0)
    block = [114.6, 85, 85, 85, 85, 85, 85, 89.8]
    for i, v in enumerate(block):
        o3[at("2019-11-12T10:00") + timedelta(hours=i)] = v
    no2 = dict.fromkeys(day, 40.0) | {at("2019-11-12T08:00"): 130.8}
    series = {"pm25": dict.fromkeys(day, 55.7), "o3": o3, "no2": no2}
    (row,) = daily_aqi(series)
    assert row.date == date(2019, 11, 12)
    assert row.concentration["o3_8h"] == pytest.approx(89.3)
    assert row.concentration["o3_1h"] == pytest.approx(114.6)
    assert (row.o3_8h, row.o3_1h) == (45, 36)
    assert row.sub == {"pm25": 110, "no2": 65, "o3": 45}
    assert row.aqi == 110  # decision: AQI^d = 110
    assert row.dominant == "pm25"
    assert row.band is not None and (row.band.name_vi, row.band.rgb) == ("Kém", (255, 126, 0))


# §2.2.2.a — the decision's example of 8-hour O3 means: 1-hour means from 18:00 the day before to
# 00:00 the day after, and the 24 printed 8-hour means of the day (01:00 … 00:00).
O3_HOURLY_FROM_18H = [
    15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7,  # 18:00 … 00:00 (00:00 closes the day before)
    22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2, 55.8, 69.6,  # 01:00 … 12:00
    78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5, 19.4, 20.4, 21.3,  # 13:00 … 00:00
]  # fmt: skip
O3_8H_PRINTED = [
    18.0, 19.4, 21.2, 23.0, 23.8, 25.8, 28.2, 30.9, 33.8, 36.6, 39.9, 44.7,  # 01:00 … 12:00
    51.3, 58.4, 66.2, 71.1, 74.4, 73.7, 71.0, 65.0, 57.8, 48.7, 39.1, 31.6,  # 13:00 … 00:00
]  # fmt: skip


def test_worked_example_eight_hour_means() -> None:
    series = hours_from("2019-11-11T18:00", O3_HOURLY_FROM_18H)
    means = eight_hour_means(series)
    day = [at("2019-11-12T01:00") + timedelta(hours=i) for i in range(24)]
    for hour, printed in zip(day, O3_8H_PRINTED, strict=True):
        if hour == at("2019-11-12T12:00"):
            # THE PRINTED 44,7 DISAGREES with the printed hours: (25,3 + 34,7 + 35,2 + 41,6 + 45,7 +
            # 49,2 + 55,8 + 69,6)/8 = 357,1/8 = 44,6375. We follow the arithmetic.
            assert means[hour] == pytest.approx(44.6375)
            continue
        # The printed means have one decimal (21,25 is printed 21,2 and 25,75 is printed 25,8).
        assert means[hour] == pytest.approx(printed, abs=0.05 + 1e-9), hour
    # "Giá trị trung bình 8 giờ lớn nhất trong ngày là: 74,4" = (49,2 + … + 71,8)/8 = 595,1/8 = 74,3875.
    assert means[at("2019-11-12T17:00")] == pytest.approx(74.3875)


def test_worked_example_eight_hour_day_as_daily_o3() -> None:
    # Same data through the daily rule: max 8-hour mean 74,3875 → 50/100 × 74,3875 = 37,19 → 37;
    # max 1-hour mean 97,7 (15:00) → 50/160 × 97,7 = 30,53 → 31; O3 sub-index of the day: 37.
    series = {"o3": hours_from("2019-11-11T18:00", O3_HOURLY_FROM_18H)}
    row = next(r for r in daily_aqi(series) if r.date == date(2019, 11, 12))
    assert row.concentration["o3_8h"] == pytest.approx(74.3875)
    assert row.concentration["o3_1h"] == pytest.approx(97.7)
    assert (row.o3_8h, row.o3_1h, row.sub["o3"]) == (37, 31, 37)
    assert row.hours["o3"] == 24
    # No PM2.5 or PM10: §2.1.b makes one of them mandatory, so there is no AQI^d, only the O3 part.
    assert (row.aqi, row.dominant, row.band) == (None, None, None)


# ---------------------------------------------------------------------------------------------------
# Bảng 2, typed from REGULATIONS.md §5: (I, O3 1h, O3 8h, CO, SO2, NO2, PM10, PM2.5) per level.
LEVELS = [
    (0, 0, 0, 0, 0, 0, 0, 0),
    (50, 160, 100, 10000, 125, 100, 50, 25),
    (100, 200, 120, 30000, 350, 200, 150, 50),
    (150, 300, 170, 45000, 550, 700, 250, 80),
    (200, 400, 210, 60000, 800, 1200, 350, 150),
    (300, 800, 400, 90000, 1600, 2350, 420, 250),
    (400, 1000, None, 120000, 2100, 3100, 500, 350),
    (500, 1200, None, 150000, 2630, 3850, 600, 500),
]
TABLES = [  # (column position in LEVELS, pollutant, averaging)
    (1, "o3", "1h"),
    (2, "o3", "8h"),
    (3, "co", "1h"),
    (4, "so2", "1h"),
    (5, "no2", "1h"),
    (6, "pm10", "24h"),
    (6, "pm10", "nowcast"),
    (7, "pm25", "24h"),
    (7, "pm25", "nowcast"),
]
ROWS = [
    (pollutant, averaging, LEVELS[i][0], LEVELS[i][col])
    for col, pollutant, averaging in TABLES
    for i in range(8)
    if LEVELS[i][col] is not None
]
SEGMENTS = [
    (pollutant, averaging, LEVELS[i][0], LEVELS[i + 1][0], LEVELS[i][col], LEVELS[i + 1][col])
    for col, pollutant, averaging in TABLES
    for i in range(7)
    if LEVELS[i + 1][col] is not None
]


@pytest.mark.parametrize(("pollutant", "averaging", "index", "bp"), ROWS)
def test_every_breakpoint_gives_its_level(pollutant: str, averaging: str, index: int, bp: float) -> None:
    assert sub_index_exact(pollutant, bp, averaging) == pytest.approx(index)
    assert sub_index(pollutant, bp, averaging) == index


@pytest.mark.parametrize(("pollutant", "averaging", "i_lo", "i_hi", "bp_lo", "bp_hi"), SEGMENTS)
def test_every_segment_is_linear(
    pollutant: str, averaging: str, i_lo: int, i_hi: int, bp_lo: float, bp_hi: float
) -> None:
    # Midpoint → mid-index; a quarter of the way → a quarter of the index step.
    assert sub_index_exact(pollutant, (bp_lo + bp_hi) / 2, averaging) == pytest.approx((i_lo + i_hi) / 2)
    quarter = bp_lo + (bp_hi - bp_lo) / 4
    assert sub_index_exact(pollutant, quarter, averaging) == pytest.approx(i_lo + (i_hi - i_lo) / 4)


@pytest.mark.parametrize(
    ("pollutant", "averaging", "above"),
    [("o3", "1h", 1200.5), ("co", "1h", 200000), ("so2", "1h", 2631), ("no2", "1h", 5000),
     ("pm10", "24h", 601), ("pm25", "nowcast", 500.1), ("pm25", "24h", 10_000)],
)  # fmt: skip
def test_above_the_last_breakpoint_is_capped_at_500(pollutant: str, averaging: str, above: float) -> None:
    # The last row of Bảng 2 reads "≥ 1.200", "≥ 500"…: at or above it, 500.
    assert sub_index(pollutant, above, averaging) == 500


def test_o3_8h_is_undefined_above_400() -> None:
    # O3 (8h) stops at level 6 (400 → 300); levels 7-8 are "–".
    assert sub_index("o3", 400, "8h") == 300
    assert sub_index("o3", 400.01, "8h") is None
    assert sub_index("o3", 1500, "8h") is None


# ---------------------------------------------------------------------------------------------------
# Bảng 1: bands, names, colours.
@pytest.mark.parametrize(
    ("aqi", "level", "name_vi", "name_en", "rgb"),
    [
        (0, 1, "Tốt", "Good", (0, 228, 0)), (50, 1, "Tốt", "Good", (0, 228, 0)),
        (51, 2, "Trung bình", "Moderate", (255, 255, 0)), (100, 2, "Trung bình", "Moderate", (255, 255, 0)),
        (101, 3, "Kém", "Poor", (255, 126, 0)), (150, 3, "Kém", "Poor", (255, 126, 0)),
        (151, 4, "Xấu", "Bad", (255, 0, 0)), (200, 4, "Xấu", "Bad", (255, 0, 0)),
        (201, 5, "Rất xấu", "Very bad", (143, 63, 151)), (300, 5, "Rất xấu", "Very bad", (143, 63, 151)),
        (301, 6, "Nguy hại", "Hazardous", (126, 0, 35)), (500, 6, "Nguy hại", "Hazardous", (126, 0, 35)),
    ],
)  # fmt: skip
def test_band_edges(aqi: int, level: int, name_vi: str, name_en: str, rgb: tuple[int, int, int]) -> None:
    b = band(aqi)
    assert (b.level, b.name_vi, b.name_en, b.rgb) == (level, name_vi, name_en, rgb)
    assert aqi in b


def test_bands_carry_the_decision_texts() -> None:
    assert [b.colour_vi for b in BANDS] == ["Xanh", "Vàng", "Da cam", "Đỏ", "Tím", "Nâu"]
    assert band(0).hex == "#00E400" and band(250).hex == "#8F3F97"
    assert band(75).advice_sensitive_vi.startswith("Nên theo dõi các triệu chứng như ho hoặc khó thở")
    assert band(400).advice_general_vi == band(400).advice_sensitive_vi  # Bảng 5 merges the 301–500 row
    assert all(b.health_vi and b.health_en and b.advice_general_en for b in BANDS)


@pytest.mark.parametrize("bad", [-1, 501, 50.4, True, "50"])
def test_band_refuses_what_is_not_a_rounded_aqi(bad: object) -> None:
    with pytest.raises(AQIError):
        band(bad)  # type: ignore[arg-type]


def test_rounding_is_half_up_at_band_edges() -> None:
    # PM2.5 NowCast 25,25 → 50 + 2 × 0,25 = 50,5 → 51 "Trung bình" (half-even would say 50 "Tốt").
    assert sub_index("pm25", 25.25, "nowcast") == 51
    assert band(51).name_vi == "Trung bình"
    # 25,2 → 50,4 → 50 "Tốt"; 12,25 → 24,5 → 25 (half-even: 24).
    assert sub_index("pm25", 25.2, "nowcast") == 50
    assert sub_index("pm25", 12.25, "nowcast") == 25
    # PM10 150,5 → 100 + 0,5 × 0,5 = 100,25 → 100; PM10 151 → 100,5 → 101 "Kém".
    assert sub_index("pm10", 150.5, "24h") == 100
    assert sub_index("pm10", 151, "24h") == 101
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 109.49999999999999, 59.35)] == [1, 2, 3, 110, 59]


# ---------------------------------------------------------------------------------------------------
# NowCast weighting and missing hours (§2.2.1.a).
def test_nowcast_of_a_constant_is_the_constant() -> None:
    assert nowcast([35.0] * 12) == pytest.approx(35.0)  # w* = 1: plain mean


def test_nowcast_weight_floor_of_one_half() -> None:
    # c1 = 10, c2…c12 = 30: w* = 1/3 ≤ 1/2 → w = 1/2.
    # Σ w^(i−1)ci = 10 + 30 × (1 − 2⁻¹¹) = 81890/2048; Σ w^(i−1) = 2 − 2⁻¹¹ = 4095/2048 → 81890/4095.
    assert nowcast([10.0] + [30.0] * 11) == pytest.approx(81890 / 4095)
    # w* exactly 1/2 (c1 = 10, the rest 20) takes w = 1/2 too: (10 + 20 × 2047/2048)/(4095/2048) = 61420/4095.
    assert nowcast([10.0] + [20.0] * 11) == pytest.approx(61420 / 4095)


def test_nowcast_weight_above_one_half_is_w_star() -> None:
    # c1 = 20, c2 = 15: w* = 0,75 → (20 + 0,75 × 15)/(1 + 0,75) = 31,25/1,75.
    assert nowcast([20.0, 15.0]) == pytest.approx(31.25 / 1.75)


def test_nowcast_literal_half_formula_is_the_normalised_one_within_0_03_percent() -> None:
    # The decision prints, for w = 1/2, NowCast = Σ (1/2)^i ci without a denominator. With all twelve
    # hours: 10/2 + 30 × (1/2 − 1/4096) = 19,99267578125, i.e. ours × (1 − 2⁻¹²).
    literal = 5 + 30 * (0.5 - 1 / 4096)
    assert literal == pytest.approx(19.99267578125)
    ours = nowcast([10.0] + [30.0] * 11)
    assert ours is not None
    assert ours * (1 - 2**-12) == pytest.approx(literal)
    assert abs(ours - literal) / ours < 0.0003


def test_nowcast_needs_two_of_the_last_three_hours() -> None:
    assert nowcast([None, 20.0, 30.0]) == pytest.approx(24.0)  # w = 2/3: (2/3·20 + 4/9·30)/(2/3 + 4/9)
    assert nowcast([20.0, None, 30.0]) == pytest.approx(300 / 13)  # (20 + 4/9·30)/(1 + 4/9)
    assert nowcast([20.0, 30.0]) is not None
    assert nowcast([20.0, None, None, 30.0, 30.0, 30.0]) is None
    assert nowcast([None, None, 20.0] + [20.0] * 9) is None
    assert nowcast([None, 20.0, None] + [20.0] * 9) is None
    assert nowcast([]) is None


def test_nowcast_missing_hours_weigh_nothing_and_do_not_count_for_min_max() -> None:
    # c1 = c2 = 10, c3 … c11 missing, c12 = 100: w* = 0,1 → 1/2; weights 1, 1/2, 2⁻¹¹.
    # (10 + 5 + 100/2048)/(1,5 + 1/2048) = 30820/3073.
    assert nowcast([10.0, 10.0] + [None] * 9 + [100.0]) == pytest.approx(30820 / 3073)
    # Missing hours are not zeros: with c3 missing, w* = 10/20 = 1/2, not 0.
    assert nowcast([10.0, 20.0, None]) == pytest.approx(20 / 1.5)


def test_nowcast_of_zeros() -> None:
    assert nowcast([0.0] * 12) == 0.0
    assert nowcast([0.0, 0.0, 5.0]) == pytest.approx(1.25 / 1.75)  # w* = 0 → 1/2


def test_nowcast_refusals() -> None:
    with pytest.raises(AQIError):
        nowcast([1.0] * 13)
    with pytest.raises(AQIError) as negative:
        nowcast([10.0, -1.0, 10.0])
    assert negative.value.code == "aqi.negative"
    with pytest.raises(AQIError):
        nowcast([10.0, float("nan"), 10.0])


def test_hourly_nowcast_covers_an_hour_whose_own_value_is_missing() -> None:
    # PM10 at 08:00 = 100 and 09:00 = 100, nothing at 10:00, 50 at 11:00: the 10:00 NowCast has c2, c3
    # (100, 100): NowCast 100 → PM10 50 + 0,5 × 50 = 75. At 11:00: c1 = 50, c2 missing, c3 = 100:
    # w* = 1/2 → w = 1/2: (50 + 1/4 × 100 + 1/8 × 100)/(1 + 1/4 + 1/8) = 87,5/1,375 = 63,64 → 50 + (63,64 − 50)/2.
    series = {"pm10": hours_from("2026-03-01T08:00", [100.0, 100.0, None, 50.0])}
    rows = {r.hour.hour: r for r in hourly_aqi(series)}
    assert 8 not in rows  # 08:00 has only c1: no NowCast, no sub-index at all
    assert rows[9].aqi == 75  # c1 = c2 = 100: NowCast 100 → 50 + 0,5 × (100 − 50)
    assert rows[10].concentration["pm10"] == pytest.approx(100.0)
    assert rows[10].aqi == 75
    assert rows[11].concentration["pm10"] == pytest.approx(87.5 / 1.375)
    assert rows[11].aqi == round_half_up(50 + (87.5 / 1.375 - 50) / 2) == 57


def test_hourly_aqi_needs_a_particulate() -> None:
    # §2.1.b: at least one of PM10, PM2.5 is mandatory. O3 alone: sub-index given, no AQI.
    (row,) = hourly_aqi({"o3": {at("2026-03-01T10:00"): 160.0}})
    assert row.sub == {"o3": 50}
    assert (row.aqi, row.dominant, row.band) == (None, None, None)


# ---------------------------------------------------------------------------------------------------
# Daily rules (§2.2.2).
def test_daily_pm_window_runs_from_01_to_00_next_day() -> None:
    # 30 every hour 01:00 … 00:00 of 1 March; a 200 labelled 00:00 of 1 March closes 28 February.
    pm = hours_from("2026-03-01T01:00", [30.0] * 24) | {at("2026-03-01T00:00"): 200.0}
    rows = {r.date: r for r in daily_aqi({"pm25": pm})}
    march = rows[date(2026, 3, 1)]
    assert march.concentration["pm25"] == pytest.approx(30.0)
    assert march.sub["pm25"] == 60  # 50 + 2 × (30 − 25)
    assert march.aqi == 60
    feb = rows[date(2026, 2, 28)]
    assert feb.hours["pm25"] == 1 and feb.aqi is None  # one hour: no 24-hour mean (see completeness)


def test_daily_completeness_is_18_of_24_hours_by_default() -> None:
    seventeen = {"pm25": hours_from("2026-03-01T01:00", [30.0] * 17)}
    eighteen = {"pm25": hours_from("2026-03-01T01:00", [30.0] * 18)}
    assert daily_aqi(seventeen)[0].aqi is None
    assert daily_aqi(eighteen)[0].aqi == 60
    assert daily_aqi(seventeen, min_hours_24h=1)[0].aqi == 60  # the literal reading
    with pytest.raises(AQIError):
        daily_aqi(seventeen, min_hours_24h=0)


def test_daily_o3_eight_hour_part_needs_six_of_eight_hours() -> None:
    five = hours_from("2026-03-01T10:00", [150.0] * 5)
    six = hours_from("2026-03-01T10:00", [150.0] * 6)
    assert daily_aqi({"o3": five})[0].o3_8h is None
    # 150 as an 8-hour mean: 100 + 50/50 × (150 − 120) = 130; as a 1-hour max: 50/160 × 150 = 46,9 → 47.
    row = daily_aqi({"o3": six})[0]
    assert (row.o3_8h, row.o3_1h, row.sub["o3"]) == (130, 47, 130)


def test_daily_o3_eight_hour_part_is_dropped_above_400() -> None:
    # Eight hours of 450: 8-hour mean 450 > 400 → not computed (§2.2.2.b); 1-hour max 450 →
    # 200 + 100/400 × (450 − 400) = 212,5 → 213.
    row = daily_aqi({"o3": hours_from("2026-03-01T01:00", [450.0] * 8)})[0]
    assert (row.o3_8h, row.o3_1h, row.sub["o3"]) == (None, 213, 213)
    # Exactly 400 is still defined: 8-hour part 300, 1-hour part 200 → 300.
    row = daily_aqi({"o3": hours_from("2026-03-01T01:00", [400.0] * 8)})[0]
    assert (row.o3_8h, row.o3_1h, row.sub["o3"]) == (300, 200, 300)


def test_daily_gases_use_the_largest_one_hour_mean() -> None:
    day = {
        "pm25": hours_from("2026-03-01T01:00", [10.0] * 24),  # 20
        "no2": hours_from("2026-03-01T01:00", [50.0, 130.8, 90.0]),  # 130,8 → 65
        "so2": hours_from("2026-03-01T05:00", [125.0, 20.0]),  # 125 → 50
        "co": hours_from("2026-03-01T05:00", [20000.0]),  # 50 + 50 × 10000/20000 = 75
    }
    (row,) = daily_aqi(day)
    assert row.sub == {"pm25": 20, "no2": 65, "so2": 50, "co": 75}
    assert (row.aqi, row.dominant) == (75, "co")
    assert row.band is not None and row.band.name_en == "Moderate"


# ---------------------------------------------------------------------------------------------------
# Dominant pollutant.
def test_dominant_is_the_largest_unrounded_sub_index() -> None:
    assert dominant({"o3": 59.4, "no2": 59.35}) == "o3"  # both shown as 59
    assert dominant({"no2": 65.4, "pm25": 109.5}) == "pm25"
    assert dominant({}) is None


def test_dominant_exact_tie_goes_to_the_particulate() -> None:
    # PM2.5 constant 25 → NowCast 25 → 50,0; NO2 100 → 50,0: a tie, reported as PM2.5.
    series = {
        "pm25": hours_from("2026-03-01T08:00", [25.0, 25.0, 25.0]),
        "no2": {at("2026-03-01T10:00"): 100.0},
    }
    row = hourly_aqi(series)[-1]
    assert row.sub == {"pm25": 50, "no2": 50}
    assert (row.aqi, row.dominant) == (50, "pm25")
    assert dominant({"co": 80.0, "so2": 80.0, "pm10": 80.0}) == "pm10"


# ---------------------------------------------------------------------------------------------------
# Names, units, refusals.
@pytest.mark.parametrize(
    ("name", "code"),
    [("pm25", "pm25"), ("PM2.5", "pm25"), ("pm2_5", "pm25"), ("PM2,5", "pm25"), ("PM₂.₅", "pm25"),
     ("pm10", "pm10"), ("PM10", "pm10"), ("O3", "o3"), ("O₃", "o3"), ("no2", "no2"), ("NO₂", "no2"),
     ("SO2", "so2"), ("co", "co"), (" Co ", "co")],
)  # fmt: skip
def test_parameter_names(name: str, code: str) -> None:
    assert parse_pollutant(name) == code


@pytest.mark.parametrize("name", ["pm1", "TSP", "NO", "CO2", "nhiệt độ", ""])
def test_unknown_parameters_are_refused(name: str) -> None:
    with pytest.raises(AQIError) as refused:
        parse_pollutant(name)
    assert refused.value.code == "aqi.unknown_parameter"
    with pytest.raises(AQIError):
        sub_index(name, 10.0, "1h")


def test_negative_and_non_finite_concentrations_are_refused() -> None:
    with pytest.raises(AQIError) as refused:
        sub_index("pm25", -0.1, "24h")
    assert refused.value.code == "aqi.negative"
    assert "âm" in refused.value.message_vi and "negative" in refused.value.message_en
    for bad in (float("nan"), float("inf")):
        with pytest.raises(AQIError):
            sub_index("pm25", bad, "24h")
    with pytest.raises(AQIError):
        hourly_aqi({"no2": {at("2026-03-01T10:00"): -5.0}})
    assert sub_index("pm25", 0, "24h") == 0


@pytest.mark.parametrize(
    ("pollutant", "averaging"), [("no2", "8h"), ("pm25", "1h"), ("o3", "24h"), ("co", "x")]
)
def test_undefined_averaging_is_refused(pollutant: str, averaging: str) -> None:
    with pytest.raises(AQIError):
        sub_index(pollutant, 10.0, averaging)


def test_units() -> None:
    for micro in ("µg/m³", "μg/m³", "ug/m3", "UG/M3", "µg/m3"):
        assert unit_factor(micro) == 1.0
    assert unit_factor("mg/m³") == 1000.0  # an SI prefix: CO 1,5 mg/m³ = 1 500 µg/m³
    with pytest.raises(AQIError) as ppb:
        unit_factor("ppb")
    assert ppb.value.code == "aqi.unit_needs_conditions"
    for unknown in ("ppm", "kg", "", "µg/Nm3"):
        with pytest.raises(AQIError):
            unit_factor(unknown)


def test_series_hours_must_be_aware_and_on_the_hour() -> None:
    with pytest.raises(AQIError):
        hourly_aqi({"pm25": {datetime(2026, 3, 1, 10): 10.0}})
    with pytest.raises(AQIError):
        hourly_aqi({"pm25": {at("2026-03-01T10:30"): 10.0}})
    assert hourly_aqi({}) == [] and daily_aqi({}) == []


def test_series_in_another_offset_are_the_same_hours() -> None:
    # 03:00Z is 10:00 in Vietnam: same hour, reported with +07:00.
    utc = {"no2": {datetime.fromisoformat("2026-03-01T03:00+00:00"): 100.0}}
    (row,) = hourly_aqi(utc)
    assert row.hour.isoformat() == "2026-03-01T10:00:00+07:00"


# ---------------------------------------------------------------------------------------------------
# The NumPy path gives the same hourly values as the pure-Python one.
def test_vectorised_hourly_equals_the_pure_path() -> None:
    import numpy as np  # a development dependency (through pandas): never skipped

    from dieuhanh.environment.aqi import POLLUTANTS
    from dieuhanh.environment.aqi.vector import hourly_aqi_arrays, nowcast_array

    rng = np.random.default_rng(1459)
    n_stations, n_hours = 4, 72
    scale = {"pm25": 300, "pm10": 400, "o3": 500, "no2": 900, "so2": 700, "co": 40000}
    arrays = {}
    for code, top in scale.items():
        a = rng.random((n_stations, n_hours)) * top
        a[rng.random((n_stations, n_hours)) < 0.2] = np.nan  # 20 % missing hours
        arrays[code] = a
    arrays["pm25"][0, 30:40] = np.nan  # a long gap: no NowCast
    result = hourly_aqi_arrays(arrays)
    t0 = at("2026-03-01T01:00")
    for s in range(n_stations):
        series = {
            code: {t0 + timedelta(hours=j): float(v) for j, v in enumerate(a[s]) if not np.isnan(v)}
            for code, a in arrays.items()
        }
        pure = {r.hour: r for r in hourly_aqi(series)}
        for j in range(n_hours):
            row = pure.get(t0 + timedelta(hours=j))
            aqi = result.aqi[s, j]
            assert (None if np.isnan(aqi) else int(aqi)) == (row.aqi if row else None)
            if row is not None and row.dominant is not None:
                assert POLLUTANTS[result.dominant[s, j]] == row.dominant
    assert nowcast_array(np.array(PM25_NEWEST_FIRST[::-1]))[-1] == pytest.approx(nowcast(PM25_NEWEST_FIRST))
