"""Tests for dieuhanh.core.periods, written by hand from the rules in DOMAIN.md ("Periods"),
DESIGN.md ("Period keys") and REGULATIONS.md §3 (Decree 09/2019/NĐ-CP, Articles 12–13)."""

import dataclasses
import pickle
from datetime import UTC, date, datetime, timedelta, timezone

import duckdb
import pytest
import sqlglot

from dieuhanh.core.periods import (
    REGIMES,
    TZ,
    Period,
    PeriodError,
    local_date,
    parse_period,
    period_of,
    periods_between,
    regime_of_key,
    sql_period_key,
)

D = date


def _error_code(excinfo: pytest.ExceptionInfo[PeriodError]) -> str:
    return excinfo.value.code


# --- parsing ------------------------------------------------------------------------------

PARSED = [
    # key, regime, start, end (exclusive)
    ("2025-07-14", "day", D(2025, 7, 14), D(2025, 7, 15)),
    ("2024-02-29", "day", D(2024, 2, 29), D(2024, 3, 1)),
    ("2025W27", "week", D(2025, 6, 30), D(2025, 7, 7)),
    ("2025W01", "week", D(2024, 12, 30), D(2025, 1, 6)),
    ("2020W53", "week", D(2020, 12, 28), D(2021, 1, 4)),
    ("2025M07", "month", D(2025, 7, 1), D(2025, 8, 1)),
    ("2025M12", "month", D(2025, 12, 1), D(2026, 1, 1)),
    ("2025Q1", "quarter", D(2025, 1, 1), D(2025, 4, 1)),
    ("2025Q3", "quarter", D(2025, 7, 1), D(2025, 10, 1)),
    ("2025Q4", "quarter", D(2025, 10, 1), D(2026, 1, 1)),
    ("2025H1", "half", D(2025, 1, 1), D(2025, 7, 1)),
    ("2025H2", "half", D(2025, 7, 1), D(2026, 1, 1)),
    ("2025", "year", D(2025, 1, 1), D(2026, 1, 1)),
    # Decree 09: monthly = 15th of the previous month .. 14th
    ("R09-2025M07", "r09_month", D(2025, 6, 15), D(2025, 7, 15)),
    ("R09-2025M01", "r09_month", D(2024, 12, 15), D(2025, 1, 15)),
    ("R09-2025M12", "r09_month", D(2025, 11, 15), D(2025, 12, 15)),
    # quarterly = 15th of the month before the quarter .. 14th of its last month
    ("R09-2025Q1", "r09_quarter", D(2024, 12, 15), D(2025, 3, 15)),
    ("R09-2025Q2", "r09_quarter", D(2025, 3, 15), D(2025, 6, 15)),
    ("R09-2025Q3", "r09_quarter", D(2025, 6, 15), D(2025, 9, 15)),
    ("R09-2025Q4", "r09_quarter", D(2025, 9, 15), D(2025, 12, 15)),
    # half-year = 15/12 .. 14/6 and 15/6 .. 14/12
    ("R09-2025H1", "r09_half", D(2024, 12, 15), D(2025, 6, 15)),
    ("R09-2025H2", "r09_half", D(2025, 6, 15), D(2025, 12, 15)),
    # annual = 15/12 of the previous year .. 14/12
    ("R09-2025", "r09_year", D(2024, 12, 15), D(2025, 12, 15)),
]


@pytest.mark.parametrize(("key", "regime", "start", "end"), PARSED)
def test_parse_period(key: str, regime: str, start: date, end: date) -> None:
    period = parse_period(key)
    assert (period.regime, period.key, period.start, period.end) == (regime, key, start, end)
    assert regime_of_key(key) == regime
    assert str(period) == key


def test_every_regime_is_covered_by_the_parse_table() -> None:
    assert {regime for _, regime, _, _ in PARSED} == set(REGIMES)
    assert REGIMES == (
        "day",
        "week",
        "month",
        "quarter",
        "half",
        "year",
        "r09_month",
        "r09_quarter",
        "r09_half",
        "r09_year",
    )


@pytest.mark.parametrize(
    "key",
    [
        "2025M7",  # month must have two digits
        "2025M00",
        "2025M13",
        "2025Q5",
        "2025Q0",
        "2025Q03",
        "2025H0",
        "2025H3",
        "2025W7",
        "2025W00",
        "2025W54",
        "2025W53",  # 2025 has 52 ISO weeks
        "2025-02-29",  # not a leap year
        "2025-13-01",
        "2025-7-14",
        "20250714",
        "2025-07-14T00:00",
        "25",
        "02025",
        " 2025",
        "2025 ",
        "2025\n",
        "2025q3",
        "2025m07",
        "r09-2025",
        "R09 2025",
        "R092025",
        "R09-",
        "R09-2025W27",  # no Decree 09 weeks or days
        "R09-2025-07-14",
        "R09-R09-2025",
        "2025-Q3",
        "",
        "２０２５",  # full-width digits
        "٢٠٢٥",  # Arabic-Indic digits
    ],
)
def test_parse_refuses_non_canonical_keys(key: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(key)
    assert _error_code(excinfo) == "period.invalid_key"
    with pytest.raises(PeriodError):
        regime_of_key(key)


@pytest.mark.parametrize("key", [None, 2025, b"2025"])
def test_parse_refuses_non_strings(key: object) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(key)  # type: ignore[arg-type]
    assert _error_code(excinfo) == "period.invalid_key"


@pytest.mark.parametrize("key", ["0999", "0000", "9999", "R09-0999M01", "9999-01-01"])
def test_parse_refuses_years_out_of_range(key: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(key)
    assert _error_code(excinfo) == "period.out_of_range"


# --- period_of ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "day", "key"),
    [
        ("day", D(2025, 7, 14), "2025-07-14"),
        ("week", D(2025, 7, 14), "2025W29"),
        ("week", D(2024, 12, 30), "2025W01"),
        ("week", D(2021, 1, 3), "2020W53"),
        ("week", D(2024, 12, 29), "2024W52"),
        ("month", D(2025, 7, 31), "2025M07"),
        ("quarter", D(2025, 9, 30), "2025Q3"),
        ("quarter", D(2025, 10, 1), "2025Q4"),
        ("half", D(2025, 6, 30), "2025H1"),
        ("half", D(2025, 7, 1), "2025H2"),
        ("year", D(2025, 12, 31), "2025"),
        ("r09_month", D(2025, 7, 14), "R09-2025M07"),
        ("r09_month", D(2025, 7, 15), "R09-2025M08"),
        ("r09_month", D(2025, 6, 15), "R09-2025M07"),
        ("r09_month", D(2025, 12, 14), "R09-2025M12"),
        ("r09_month", D(2025, 12, 20), "R09-2026M01"),
        ("r09_quarter", D(2024, 12, 15), "R09-2025Q1"),
        ("r09_quarter", D(2025, 3, 14), "R09-2025Q1"),
        ("r09_quarter", D(2025, 3, 15), "R09-2025Q2"),
        ("r09_quarter", D(2025, 9, 14), "R09-2025Q3"),
        ("r09_quarter", D(2025, 9, 15), "R09-2025Q4"),
        ("r09_half", D(2025, 6, 14), "R09-2025H1"),
        ("r09_half", D(2025, 6, 15), "R09-2025H2"),
        ("r09_half", D(2025, 12, 14), "R09-2025H2"),
        ("r09_half", D(2025, 12, 15), "R09-2026H1"),
        ("r09_year", D(2025, 1, 1), "R09-2025"),
        ("r09_year", D(2025, 12, 14), "R09-2025"),
        ("r09_year", D(2025, 12, 15), "R09-2026"),
    ],
)
def test_period_of_date(regime: str, day: date, key: str) -> None:
    period = period_of(regime, day)
    assert period.key == key
    assert period.regime == regime
    assert period.contains(day)


def test_period_of_uses_the_local_date_of_an_aware_datetime() -> None:
    moment = datetime(2026, 2, 1, 6, 30, tzinfo=timezone(timedelta(hours=7)))
    assert moment.astimezone(UTC).month == 1  # January in UTC ...
    assert period_of("month", moment).key == "2026M02"  # ... but February in Vietnam
    assert period_of("month", moment.astimezone(UTC)).key == "2026M02"
    new_year_utc = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    assert period_of("year", new_year_utc).key == "2026"
    assert period_of("day", new_year_utc).key == "2026-01-01"
    cutoff = datetime(2025, 7, 14, 17, 0, tzinfo=UTC)  # 15/07 00:00 in Vietnam
    assert period_of("r09_month", cutoff).key == "R09-2025M08"
    assert period_of("r09_month", cutoff - timedelta(microseconds=1)).key == "R09-2025M07"


def test_period_of_refuses_naive_datetimes_and_other_values() -> None:
    with pytest.raises(PeriodError) as excinfo:
        period_of("month", datetime(2025, 7, 14, 12, 0))
    assert _error_code(excinfo) == "period.naive_datetime"
    with pytest.raises(PeriodError) as excinfo:
        period_of("month", "2025-07-14")  # type: ignore[arg-type]
    assert _error_code(excinfo) == "period.invalid_value"


@pytest.mark.parametrize("regime", ["", "Month", "monthly", "r09_week", "r09_day", "r09"])
def test_unknown_regime(regime: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        period_of(regime, D(2025, 7, 14))
    assert _error_code(excinfo) == "period.unknown_regime"
    with pytest.raises(PeriodError):
        periods_between(regime, D(2025, 1, 1), D(2025, 1, 1))
    with pytest.raises(PeriodError):
        sql_period_key(regime, "day")


def test_period_of_refuses_out_of_range_years() -> None:
    with pytest.raises(PeriodError) as excinfo:
        period_of("r09_year", D(9998, 12, 20))
    assert _error_code(excinfo) == "period.out_of_range"


def test_local_date() -> None:
    assert local_date(datetime(2025, 7, 14, 16, 59, tzinfo=UTC)) == D(2025, 7, 14)
    assert local_date(datetime(2025, 7, 14, 17, 0, tzinfo=UTC)) == D(2025, 7, 15)
    assert local_date(datetime(2025, 7, 14, 23, 0, tzinfo=timezone(timedelta(hours=-5)))) == D(2025, 7, 15)
    with pytest.raises(PeriodError) as excinfo:
        local_date(datetime(2025, 7, 14))
    assert _error_code(excinfo) == "period.naive_datetime"


# --- the Period object --------------------------------------------------------------------


def test_utc_bounds_are_local_midnights() -> None:
    period = parse_period("2025M07")
    assert period.start_utc == datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
    assert period.end_utc == datetime(2025, 7, 31, 17, 0, tzinfo=UTC)
    assert period.start_utc.utcoffset() == timedelta(0)
    assert period.start_utc.astimezone(TZ) == datetime(2025, 7, 1, tzinfo=TZ)
    r09 = parse_period("R09-2025")
    assert r09.start_utc == datetime(2024, 12, 14, 17, 0, tzinfo=UTC)
    assert r09.end_utc == datetime(2025, 12, 14, 17, 0, tzinfo=UTC)


def test_contains_is_half_open_in_local_time() -> None:
    period = parse_period("2025M07")
    assert period.contains(D(2025, 7, 1))
    assert period.contains(D(2025, 7, 31))
    assert not period.contains(D(2025, 8, 1))
    assert not period.contains(D(2025, 6, 30))
    assert period.contains(period.start_utc)
    assert not period.contains(period.end_utc)
    assert period.contains(period.end_utc - timedelta(microseconds=1))
    assert not period.contains(period.start_utc - timedelta(microseconds=1))
    assert period.contains(datetime(2025, 7, 31, 23, 59, tzinfo=TZ))
    with pytest.raises(PeriodError) as excinfo:
        period.contains(datetime(2025, 7, 14))
    assert _error_code(excinfo) == "period.naive_datetime"


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("2025-07-14", 1),
        ("2025W27", 7),
        ("2025M02", 28),
        ("2024M02", 29),
        ("2025Q1", 90),
        ("2025H2", 184),
        ("2024", 366),
        ("2025", 365),
        ("R09-2025M03", 28),  # 15/02 .. 14/03
        ("R09-2024M03", 29),
        ("R09-2025M07", 30),
        ("R09-2025Q1", 90),
        ("R09-2025H1", 182),
        ("R09-2025", 365),
    ],
)
def test_days(key: str, days: int) -> None:
    assert parse_period(key).days == days


@pytest.mark.parametrize(
    ("key", "previous", "following"),
    [
        ("2025-01-01", "2024-12-31", "2025-01-02"),
        ("2024-02-28", "2024-02-27", "2024-02-29"),
        ("2025W01", "2024W52", "2025W02"),
        ("2020W53", "2020W52", "2021W01"),
        ("2026W01", "2025W52", "2026W02"),
        ("2025M01", "2024M12", "2025M02"),
        ("2024M12", "2024M11", "2025M01"),
        ("2025Q1", "2024Q4", "2025Q2"),
        ("2024Q4", "2024Q3", "2025Q1"),
        ("2025H1", "2024H2", "2025H2"),
        ("2025H2", "2025H1", "2026H1"),
        ("2025", "2024", "2026"),
        ("R09-2025M01", "R09-2024M12", "R09-2025M02"),
        ("R09-2025M12", "R09-2025M11", "R09-2026M01"),
        ("R09-2025Q1", "R09-2024Q4", "R09-2025Q2"),
        ("R09-2025Q4", "R09-2025Q3", "R09-2026Q1"),
        ("R09-2025H1", "R09-2024H2", "R09-2025H2"),
        ("R09-2025H2", "R09-2025H1", "R09-2026H1"),
        ("R09-2025", "R09-2024", "R09-2026"),
    ],
)
def test_previous_and_next(key: str, previous: str, following: str) -> None:
    period = parse_period(key)
    assert period.previous().key == previous
    assert period.next().key == following
    assert period.previous().end == period.start
    assert period.next().start == period.end
    assert period.next().previous() == period


@pytest.mark.parametrize(
    ("key", "last_year"),
    [
        ("2025-07-14", "2024-07-14"),
        ("2024-02-29", "2023-02-28"),
        ("2021W10", "2020W10"),
        ("2020W53", "2019W52"),
        ("2025M07", "2024M07"),
        ("2025Q3", "2024Q3"),
        ("2025H1", "2024H1"),
        ("2025", "2024"),
        ("R09-2025M01", "R09-2024M01"),
        ("R09-2025Q1", "R09-2024Q1"),
        ("R09-2025H2", "R09-2024H2"),
        ("R09-2025", "R09-2024"),
    ],
)
def test_same_period_last_year(key: str, last_year: str) -> None:
    assert parse_period(key).same_period_last_year().key == last_year


LABELS = [
    ("2025-07-14", "14/07/2025", "2025-07-14"),
    ("2025W27", "Tuần 27/2025", "Week 27, 2025"),
    ("2025W01", "Tuần 1/2025", "Week 1, 2025"),
    ("2025M07", "Tháng 7/2025", "July 2025"),
    ("2025M01", "Tháng 1/2025", "January 2025"),
    ("2025M12", "Tháng 12/2025", "December 2025"),
    ("2025Q1", "Quý I/2025", "Q1 2025"),
    ("2025Q2", "Quý II/2025", "Q2 2025"),
    ("2025Q3", "Quý III/2025", "Q3 2025"),
    ("2025Q4", "Quý IV/2025", "Q4 2025"),
    ("2025H1", "6 tháng đầu năm 2025", "H1 2025"),
    ("2025H2", "6 tháng cuối năm 2025", "H2 2025"),
    ("2025", "Năm 2025", "2025"),
    (
        "R09-2025M07",
        "Kỳ báo cáo tháng 7/2025 (15/06/2025 – 14/07/2025)",
        "Report period July 2025 (2025-06-15 – 2025-07-14)",
    ),
    (
        "R09-2025M01",
        "Kỳ báo cáo tháng 1/2025 (15/12/2024 – 14/01/2025)",
        "Report period January 2025 (2024-12-15 – 2025-01-14)",
    ),
    (
        "R09-2025Q1",
        "Kỳ báo cáo quý I/2025 (15/12/2024 – 14/03/2025)",
        "Report period Q1 2025 (2024-12-15 – 2025-03-14)",
    ),
    (
        "R09-2025Q3",
        "Kỳ báo cáo quý III/2025 (15/06/2025 – 14/09/2025)",
        "Report period Q3 2025 (2025-06-15 – 2025-09-14)",
    ),
    (
        "R09-2025H1",
        "Kỳ báo cáo 6 tháng đầu năm 2025 (15/12/2024 – 14/06/2025)",
        "Report period H1 2025 (2024-12-15 – 2025-06-14)",
    ),
    (
        "R09-2025H2",
        "Kỳ báo cáo 6 tháng cuối năm 2025 (15/06/2025 – 14/12/2025)",
        "Report period H2 2025 (2025-06-15 – 2025-12-14)",
    ),
    (
        "R09-2025",
        "Kỳ báo cáo năm 2025 (15/12/2024 – 14/12/2025)",
        "Report period 2025 (2024-12-15 – 2025-12-14)",
    ),
]


@pytest.mark.parametrize(("key", "vi", "en"), LABELS)
def test_labels(key: str, vi: str, en: str) -> None:
    period = parse_period(key)
    assert period.label() == vi
    assert period.label("vi") == vi
    assert period.label("en") == en


def test_label_refuses_other_languages() -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period("2025").label("fr")  # type: ignore[arg-type]
    assert _error_code(excinfo) == "period.invalid_language"


@pytest.mark.parametrize(
    ("key", "deadline"),
    [
        ("R09-2025M07", D(2025, 7, 25)),
        ("R09-2025M01", D(2025, 1, 25)),
        ("R09-2025Q1", D(2025, 3, 25)),
        ("R09-2025Q3", D(2025, 9, 25)),
        ("R09-2025H1", D(2025, 6, 25)),
        ("R09-2025H2", D(2025, 12, 25)),
        ("R09-2025", D(2025, 12, 25)),
    ],
)
def test_report_deadline(key: str, deadline: date) -> None:
    period = parse_period(key)
    assert period.is_r09
    assert period.report_deadline() == deadline
    assert period.report_deadline() > period.end  # at least one working day after the cut-off


@pytest.mark.parametrize("key", ["2025", "2025M07", "2025Q3", "2025W27", "2025-07-14", "2025H1"])
def test_calendar_periods_have_no_report_deadline(key: str) -> None:
    period = parse_period(key)
    assert not period.is_r09
    with pytest.raises(PeriodError) as excinfo:
        period.report_deadline()
    assert _error_code(excinfo) == "period.no_report_deadline"


def test_period_is_frozen_hashable_and_checked() -> None:
    period = parse_period("2025M07")
    assert period == period_of("month", D(2025, 7, 3))
    assert len({period, parse_period("2025M07"), parse_period("2025M08")}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.key = "2025M08"  # type: ignore[misc]
    assert Period("month", "2025M07", D(2025, 7, 1), D(2025, 8, 1)) == period
    for wrong in [
        ("month", "2025M07", D(2025, 7, 1), D(2025, 7, 31)),
        ("quarter", "2025M07", D(2025, 7, 1), D(2025, 8, 1)),
        ("r09_month", "R09-2025M07", D(2025, 7, 1), D(2025, 8, 1)),
    ]:
        with pytest.raises(PeriodError) as excinfo:
            Period(*wrong)
        assert _error_code(excinfo) == "period.inconsistent"
    with pytest.raises(PeriodError) as excinfo:
        Period("month", "2025M7", D(2025, 7, 1), D(2025, 8, 1))
    assert _error_code(excinfo) == "period.invalid_key"


# --- periods_between ----------------------------------------------------------------------


def _keys(periods: list[Period]) -> list[str]:
    return [period.key for period in periods]


def test_periods_between() -> None:
    assert _keys(periods_between("month", D(2025, 1, 15), D(2025, 3, 1))) == ["2025M01", "2025M02"]
    assert _keys(periods_between("month", D(2025, 1, 15), D(2025, 3, 2))) == ["2025M01", "2025M02", "2025M03"]
    assert _keys(periods_between("quarter", D(2024, 11, 1), D(2025, 4, 1))) == ["2024Q4", "2025Q1"]
    assert _keys(periods_between("week", D(2024, 12, 25), D(2025, 1, 7))) == ["2024W52", "2025W01", "2025W02"]
    assert _keys(periods_between("r09_month", D(2025, 6, 1), D(2025, 7, 16))) == [
        "R09-2025M06",
        "R09-2025M07",
        "R09-2025M08",
    ]
    assert _keys(periods_between("r09_year", D(2024, 12, 15), D(2025, 12, 15))) == ["R09-2025"]
    assert _keys(periods_between("r09_half", D(2024, 12, 14), D(2025, 12, 16))) == [
        "R09-2024H2",
        "R09-2025H1",
        "R09-2025H2",
        "R09-2026H1",
    ]
    days = periods_between("day", D(2024, 1, 1), D(2025, 1, 1))
    assert len(days) == 366
    assert days[0].key == "2024-01-01"
    assert days[-1].key == "2024-12-31"


def test_periods_between_empty_and_reversed_ranges() -> None:
    assert periods_between("month", D(2025, 7, 1), D(2025, 7, 1)) == []
    with pytest.raises(PeriodError) as excinfo:
        periods_between("month", D(2025, 7, 2), D(2025, 7, 1))
    assert _error_code(excinfo) == "period.invalid_range"


# --- errors -------------------------------------------------------------------------------


def test_period_error_carries_code_and_two_messages() -> None:
    with pytest.raises(ValueError, match="Invalid period key") as excinfo:
        parse_period("2025M7")
    error = excinfo.value
    assert isinstance(error, PeriodError)
    assert error.code == "period.invalid_key"
    assert error.message_vi.startswith("Mã kỳ không hợp lệ: '2025M7'.")
    assert error.message_en.startswith("Invalid period key: '2025M7'.")
    assert str(error) == f"{error.message_vi} / {error.message_en}"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.code, copy.message_vi, copy.message_en) == (error.code, error.message_vi, error.message_en)


# --- SQL ----------------------------------------------------------------------------------


def _sql_keys(regime: str, first: date, stop: date) -> dict[date, str]:
    expr = sql_period_key(regime, "t.d")
    rows = (
        duckdb.connect()
        .sql(
            f"SELECT t.d, {expr} AS k FROM "
            f"(SELECT CAST(r AS DATE) AS d FROM range(DATE '{first}', DATE '{stop}', INTERVAL 1 DAY) x(r)) t"
        )
        .fetchall()
    )
    return dict(rows)


@pytest.mark.parametrize("regime", REGIMES)
def test_sql_period_key_matches_python_every_day(regime: str) -> None:
    first, stop = D(2024, 1, 1), D(2027, 1, 1)
    sql = _sql_keys(regime, first, stop)
    assert len(sql) == (stop - first).days
    mismatches = {day: key for day, key in sql.items() if key != period_of(regime, day).key}
    assert mismatches == {}


def test_sql_iso_weeks_over_four_decades() -> None:
    sql = _sql_keys("week", D(2000, 1, 1), D(2041, 1, 1))
    mismatches = {day: key for day, key in sql.items() if key != period_of("week", day).key}
    assert mismatches == {}


@pytest.mark.parametrize(
    ("regime", "day", "key"),
    [
        ("r09_month", D(2025, 7, 15), "R09-2025M08"),
        ("r09_month", D(2025, 12, 20), "R09-2026M01"),
        ("r09_quarter", D(2024, 12, 15), "R09-2025Q1"),
        ("r09_half", D(2025, 6, 15), "R09-2025H2"),
        ("r09_year", D(2025, 12, 15), "R09-2026"),
        ("week", D(2024, 12, 30), "2025W01"),
        ("week", D(2021, 1, 3), "2020W53"),
        ("month", D(2025, 7, 14), "2025M07"),
        ("day", D(2025, 7, 14), "2025-07-14"),
    ],
)
def test_sql_period_key_examples(regime: str, day: date, key: str) -> None:
    result = duckdb.connect().sql(f"SELECT {sql_period_key(regime, 'd')} FROM (SELECT DATE '{day}' AS d)")
    assert result.fetchall() == [(key,)]


@pytest.mark.parametrize(
    "column",
    ["", "d; DROP TABLE x", "d)", "1d", "a.b.c", "d -- x", '"d"', "d d", "t.", "ngày", "d\n"],
)
def test_sql_period_key_refuses_non_identifiers(column: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        sql_period_key("month", column)
    assert _error_code(excinfo) == "period.invalid_column"


@pytest.mark.parametrize("regime", REGIMES)
def test_sql_period_key_transpiles_to_spark(regime: str) -> None:
    (spark,) = sqlglot.transpile(
        sql_period_key(regime, "t.d"),
        read="duckdb",
        write="spark",
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )
    for not_in_spark in ("ISOYEAR", "ISODOW", "STRFTIME", "VARCHAR", "WEEK("):
        assert not_in_spark not in spark.upper()
    if regime == "day":
        assert spark == "DATE_FORMAT(t.d, 'yyyy-MM-dd')"
