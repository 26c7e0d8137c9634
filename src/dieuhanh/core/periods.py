"""Reporting periods: calendar periods and Decree 09/2019/NĐ-CP report windows.

Every period is a half-open interval ``[start, end)`` of *local* dates (Asia/Ho_Chi_Minh).
A period is named by a canonical key (a contract shared with the API, the lake and packs):

==============  ===============  ==========================================================
regime          key              interval
==============  ===============  ==========================================================
``day``         ``2025-07-14``   that day
``week``        ``2025W27``      ISO 8601 week (Monday..Sunday) of ISO year 2025
``month``       ``2025M07``      2025-07-01 .. 2025-08-01
``quarter``     ``2025Q3``       2025-07-01 .. 2025-10-01
``half``        ``2025H1``       2025-01-01 .. 2025-07-01
``year``        ``2025``         2025-01-01 .. 2026-01-01
``r09_month``   ``R09-2025M07``  2025-06-15 .. 2025-07-15 (15th of previous month to 14th)
``r09_quarter`` ``R09-2025Q3``   2025-06-15 .. 2025-09-15
``r09_half``    ``R09-2025H1``   2024-12-15 .. 2025-06-15 (H2: 2025-06-15 .. 2025-12-15)
``r09_year``    ``R09-2025``     2024-12-15 .. 2025-12-15
==============  ===============  ==========================================================

The Decree 09 windows come from its Article 12 (data cut-off); see ``DOMAIN.md`` ("Periods")
and ``REGULATIONS.md`` §3. Keys are canonical and parsing is strict: ``2025M7``, ``2025Q5``,
``2025W53`` (2025 has 52 ISO weeks) and ``r09-2025`` are refused. Supported years are
``MIN_YEAR``..``MAX_YEAR`` so that every key has four digits and every bound is a valid date.

This module is pure Python (no Django) so the engine, the lake and the web layer share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "REGIMES",
    "TZ",
    "Period",
    "PeriodError",
    "local_date",
    "parse_period",
    "period_of",
    "periods_between",
    "regime_of_key",
    "sql_period_key",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REGIMES: tuple[str, ...] = (
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
MIN_YEAR = 1000
MAX_YEAR = 9998

_R09_PREFIX = "R09-"
_R09_CUTOFF_DAY = 15  # Decree 09, Art. 12: windows run from the 15th to the 14th.
_R09_DEADLINE_DAY = 25  # Decree 09, Art. 13: due by the 25th of the period's last month.
_MONTH_SPANS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_KEY_EXAMPLES = (
    "2025, 2025H1, 2025Q3, 2025M07, 2025W27, 2025-07-14, R09-2025M07, R09-2025Q3, R09-2025H1, R09-2025"
)
_Y = "([0-9]{4})"
_KEY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day", re.compile(_Y + "-([0-9]{2})-([0-9]{2})")),
    ("week", re.compile(_Y + "W(0[1-9]|[1-4][0-9]|5[0-3])")),
    ("month", re.compile(_Y + "M(0[1-9]|1[0-2])")),
    ("quarter", re.compile(_Y + "Q([1-4])")),
    ("half", re.compile(_Y + "H([12])")),
    ("year", re.compile(_Y + "()")),  # empty group: no sub-period number
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
_ROMAN = ("I", "II", "III", "IV")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

Lang = Literal["vi", "en"]


class PeriodError(ValueError):
    """A period could not be built or used; carries a stable ``code`` and two messages."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(code, message_vi, message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


def _invalid_key(key: object) -> PeriodError:
    return PeriodError(
        "period.invalid_key",
        f"Mã kỳ không hợp lệ: {key!r}. Ví dụ hợp lệ: {_KEY_EXAMPLES}.",
        f"Invalid period key: {key!r}. Valid examples: {_KEY_EXAMPLES}.",
    )


def _check_regime(regime: str) -> str:
    if regime not in REGIMES:
        raise PeriodError(
            "period.unknown_regime",
            f"Loại kỳ không được hỗ trợ: {regime!r} (hợp lệ: {', '.join(REGIMES)}).",
            f"Unknown period regime: {regime!r} (valid: {', '.join(REGIMES)}).",
        )
    return regime


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            "period.out_of_range",
            f"Năm {year} nằm ngoài phạm vi hỗ trợ ({MIN_YEAR}–{MAX_YEAR}).",
            f"Year {year} is outside the supported range ({MIN_YEAR}–{MAX_YEAR}).",
        )
    return year


def local_date(dt: datetime) -> date:
    """The Asia/Ho_Chi_Minh calendar date of an aware datetime; naive datetimes are refused."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise PeriodError(
            "period.naive_datetime",
            f"Thời điểm {dt.isoformat()} phải có múi giờ (ví dụ +07:00).",
            f"The datetime {dt.isoformat()} must be timezone-aware (e.g. +07:00).",
        )
    return dt.astimezone(TZ).date()


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return local_date(value)
    if isinstance(value, date):
        return value
    raise PeriodError(
        "period.invalid_value",
        f"Giá trị phải là ngày (date) hoặc thời điểm (datetime), không phải {type(value).__name__}.",
        f"The value must be a date or a datetime, not {type(value).__name__}.",
    )


def _split(regime: str) -> tuple[str, bool]:
    """``"r09_quarter"`` -> ``("quarter", True)``; ``"month"`` -> ``("month", False)``."""
    return regime.removeprefix("r09_"), regime.startswith("r09_")


def _month_start(ordinal: int, day: int) -> date:
    """The date ``day`` of the month numbered ``year * 12 + month - 1``."""
    year, month0 = divmod(ordinal, 12)
    return date(year, month0 + 1, day)


def _month_key(base: str, year: int, sub: int, r09: bool) -> str:
    suffix = {"year": "", "half": f"H{sub}", "quarter": f"Q{sub}", "month": f"M{sub:02d}"}[base]
    return f"{_R09_PREFIX if r09 else ''}{year:04d}{suffix}"


def _key_of(regime: str, day: date) -> str:
    """The canonical key of the period of ``regime`` containing the local date ``day``."""
    base, r09 = _split(_check_regime(regime))
    if base == "day":
        _check_year(day.year)
        return day.isoformat()
    if base == "week":
        iso_year, week, _ = day.isocalendar()
        return f"{_check_year(iso_year):04d}W{week:02d}"
    span = _MONTH_SPANS[base]
    ordinal = day.year * 12 + day.month - 1
    if r09 and day.day >= _R09_CUTOFF_DAY:
        ordinal += 1  # from the 15th on, a day belongs to the next month's window
    first = ordinal - ordinal % span
    year, month0 = divmod(first, 12)
    return _month_key(base, _check_year(year), month0 // span + 1, r09)


def _bounds(key: str) -> tuple[str, date, date]:
    """Strictly parse a key into ``(regime, start, end)``."""
    if not isinstance(key, str):
        raise _invalid_key(key)
    r09 = key.startswith(_R09_PREFIX)
    body = key.removeprefix(_R09_PREFIX)
    for base, pattern in _KEY_PATTERNS:
        match = pattern.fullmatch(body)
        if match is None or (r09 and base not in _MONTH_SPANS):
            continue
        year = _check_year(int(match.group(1)))
        try:
            if base == "day":
                start = date(year, int(match.group(2)), int(match.group(3)))
                return base, start, start + timedelta(days=1)
            if base == "week":
                start = date.fromisocalendar(year, int(match.group(2)), 1)
                return base, start, start + timedelta(days=7)
        except ValueError:
            raise _invalid_key(key) from None
        span = _MONTH_SPANS[base]
        first = year * 12 + (int(match.group(2) or 1) - 1) * span
        if r09:
            cut = _R09_CUTOFF_DAY
            return f"r09_{base}", _month_start(first - 1, cut), _month_start(first - 1 + span, cut)
        return base, _month_start(first, 1), _month_start(first + span, 1)
    raise _invalid_key(key)


@dataclass(frozen=True)
class Period:
    """A half-open interval ``[start, end)`` of local dates, named by a canonical key.

    Build periods with :func:`parse_period` or :func:`period_of`; direct construction is
    checked against the key, so an inconsistent period cannot exist.
    """

    regime: str
    key: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if _bounds(self.key) != (self.regime, self.start, self.end):
            raise PeriodError(
                "period.inconsistent",
                f"Kỳ {self.key!r} không khớp với loại kỳ {self.regime!r} và ngày {self.start}–{self.end}.",
                f"Period {self.key!r} does not match regime {self.regime!r} and dates "
                f"{self.start}–{self.end}.",
            )

    def __str__(self) -> str:
        return self.key

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    @property
    def start_utc(self) -> datetime:
        """Local midnight at the start, as an aware UTC datetime (inclusive)."""
        return datetime.combine(self.start, time(0), tzinfo=TZ).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """Local midnight at the end, as an aware UTC datetime (exclusive)."""
        return datetime.combine(self.end, time(0), tzinfo=TZ).astimezone(UTC)

    @property
    def is_r09(self) -> bool:
        """True for Decree 09/2019/NĐ-CP report windows."""
        return self.regime.startswith("r09_")

    def contains(self, value: date | datetime) -> bool:
        """Whether a date, or an aware datetime taken in local time, falls in the period."""
        return self.start <= _as_date(value) < self.end

    def previous(self) -> Period:
        """The period of the same regime just before this one."""
        return period_of(self.regime, self.start - timedelta(days=1))

    def next(self) -> Period:
        """The period of the same regime just after this one."""
        return period_of(self.regime, self.end)

    def same_period_last_year(self) -> Period:
        """The matching period one year earlier, for year-on-year comparisons.

        29 February maps to 28 February; ISO week 53 maps to week 52 when the previous ISO
        year has only 52 weeks.
        """
        if self.regime == "week":
            iso_year, week, _ = self.start.isocalendar()
            weeks_last_year = date(iso_year - 1, 12, 28).isocalendar()[1]
            return period_of("week", date.fromisocalendar(iso_year - 1, min(week, weeks_last_year), 1))
        day = min(self.start.day, 28) if (self.start.month, self.start.day) == (2, 29) else self.start.day
        return period_of(self.regime, self.start.replace(year=self.start.year - 1, day=day))

    def report_deadline(self) -> date:
        """The last day for sending a Decree 09 report to the Government: the 25th of the
        period's last month (the month containing ``end - 1 day``), e.g. R09-2025M07 → 25/07/2025.

        Source: Decree 09/2019/NĐ-CP Art. 13 (``REGULATIONS.md`` §3, via secondary sources;
        ``DOMAIN.md`` "Periods"). Uncertain / not modelled: the Decree allows other texts to
        provide otherwise, and ministries and provinces set their own (earlier) deadlines
        for their internal regimes; no shift is applied when the 25th is a weekend or a
        public holiday (no holiday calendar here); amendments after 2019 were not checked
        exhaustively. Art. 8(5)'s "≥ 1 working day after the cut-off" always holds (14th → 25th).
        """
        if not self.is_r09:
            raise PeriodError(
                "period.no_report_deadline",
                f"Kỳ {self.key} không phải kỳ báo cáo theo Nghị định 09/2019/NĐ-CP nên không có hạn gửi.",
                f"Period {self.key} is not a Decree 09/2019/NĐ-CP report period and has no deadline.",
            )
        return (self.end - timedelta(days=1)).replace(day=_R09_DEADLINE_DAY)

    def label(self, lang: Lang = "vi") -> str:
        """A human label: vi ``Quý III/2025``, en ``Q3 2025``; Decree 09 windows show their dates."""
        if lang not in ("vi", "en"):
            raise PeriodError(
                "period.invalid_language",
                f"Ngôn ngữ không được hỗ trợ: {lang!r} (chỉ 'vi' hoặc 'en').",
                f"Unsupported language: {lang!r} (only 'vi' or 'en').",
            )
        base, r09 = _split(self.regime)
        if base == "day":
            return self.start.strftime("%d/%m/%Y") if lang == "vi" else self.start.isoformat()
        if base == "week":
            iso_year, week, _ = self.start.isocalendar()
            return f"Tuần {week}/{iso_year}" if lang == "vi" else f"Week {week}, {iso_year}"
        last = self.end - timedelta(days=1)
        name = _month_label(base, last, lang)
        if not r09:
            return name[:1].upper() + name[1:]
        if lang == "vi":
            return f"Kỳ báo cáo {name} ({self.start:%d/%m/%Y} – {last:%d/%m/%Y})"
        return f"Report period {name} ({self.start.isoformat()} – {last.isoformat()})"


def _month_label(base: str, last: date, lang: Lang) -> str:
    """Label of a month-based period from its last day, lower-case in Vietnamese."""
    year, month = last.year, last.month
    quarter, half = (month - 1) // 3 + 1, 1 if month <= 6 else 2
    if lang == "vi":
        return {
            "month": f"tháng {month}/{year}",
            "quarter": f"quý {_ROMAN[quarter - 1]}/{year}",
            "half": f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}",
            "year": f"năm {year}",
        }[base]
    return {
        "month": f"{_EN_MONTHS[month - 1]} {year}",
        "quarter": f"Q{quarter} {year}",
        "half": f"H{half} {year}",
        "year": f"{year}",
    }[base]


def parse_period(key: str) -> Period:
    """The period named by a canonical key; raises :class:`PeriodError` otherwise."""
    regime, start, end = _bounds(key)
    return Period(regime, key, start, end)


def regime_of_key(key: str) -> str:
    """The regime of a valid key (``"2025Q3"`` → ``"quarter"``, ``"R09-2025"`` → ``"r09_year"``)."""
    return _bounds(key)[0]


def period_of(regime: str, value: date | datetime) -> Period:
    """The period of ``regime`` containing a date, or an aware datetime's local date."""
    return parse_period(_key_of(regime, _as_date(value)))


def periods_between(regime: str, start: date, end: date) -> list[Period]:
    """The periods of ``regime`` overlapping the half-open range ``[start, end)``, in order."""
    first, stop = _as_date(start), _as_date(end)
    if stop < first:
        raise PeriodError(
            "period.invalid_range",
            f"Ngày kết thúc ({stop}) không được sớm hơn ngày bắt đầu ({first}).",
            f"The end date ({stop}) must not be before the start date ({first}).",
        )
    _check_regime(regime)
    periods: list[Period] = []
    while first < stop:
        periods.append(period_of(regime, first))
        first = periods[-1].end
    return periods


def sql_period_key(regime: str, day_column: str) -> str:
    """A SQL expression giving the canonical key of ``regime`` for a LOCAL DATE column.

    Written for DuckDB with functions SQLGlot transpiles to Spark SQL (``year``, ``month``,
    ``day``, ``weekofyear``, ``strftime``, ``lpad``, ``CAST``, ``CASE``, ``||``). The column
    must already hold Asia/Ho_Chi_Minh dates, not UTC timestamps. ``day_column`` must be a
    plain identifier, optionally qualified (``t.day``); anything else is refused.
    """
    base, r09 = _split(_check_regime(regime))
    if not isinstance(day_column, str) or not _IDENTIFIER.fullmatch(day_column):
        raise PeriodError(
            "period.invalid_column",
            f"Tên cột không hợp lệ: {day_column!r} (chỉ chấp nhận định danh như d hoặc t.d).",
            f"Invalid column name: {day_column!r} (only identifiers such as d or t.d).",
        )
    col = day_column
    if base == "day":
        return f"strftime({col}, '%Y-%m-%d')"
    year, month = f"year({col})", f"month({col})"
    if base == "week":  # ISO year: January days in week 52/53 and December days in week 1
        iso_year = (
            f"CASE WHEN {month} = 1 AND weekofyear({col}) >= 52 THEN {year} - 1"
            f" WHEN {month} = 12 AND weekofyear({col}) = 1 THEN {year} + 1 ELSE {year} END"
        )
        return f"({_sql_text(iso_year, 4)} || 'W' || {_sql_text(f'weekofyear({col})', 2)})"
    if r09:  # from the 15th on, a day belongs to the next month's window
        late = f"day({col}) >= {_R09_CUTOFF_DAY}"
        year = f"({year} + CASE WHEN {month} = 12 AND {late} THEN 1 ELSE 0 END)"
        month = f"(CASE WHEN {late} THEN {month} % 12 + 1 ELSE {month} END)"
    suffix = {
        "year": "",
        "half": f"CASE WHEN {month} <= 6 THEN 'H1' ELSE 'H2' END",
        "quarter": (
            f"CASE WHEN {month} <= 3 THEN 'Q1' WHEN {month} <= 6 THEN 'Q2'"
            f" WHEN {month} <= 9 THEN 'Q3' ELSE 'Q4' END"
        ),
        "month": f"'M' || {_sql_text(month, 2)}",
    }[base]
    prefix = f"'{_R09_PREFIX}' || " if r09 else ""
    return f"({prefix}{_sql_text(year, 4)}{' || ' + suffix if suffix else ''})"


def _sql_text(expr: str, width: int) -> str:
    """An integer SQL expression as zero-padded text."""
    return f"lpad(CAST({expr} AS VARCHAR), {width}, '0')"
