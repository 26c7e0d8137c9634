"""Deadlines and statuses of steering tasks: pure functions, no database.

A task is due once (a date) or recurs by a period regime of `dieuhanh.core.periods`: calendar
months, quarters, half-years, years, or Decree 09/2019/NĐ-CP report windows. A recurring task
has one occurrence per period, each with its own deadline and status.

Deadlines are inclusive: a task due on 30/11/2023 ("trước ngày 30/11/2023") finished on that day
is on time. Statuses, given the effective deadline (after approved extensions), the day it was
done (the first report at 100%) and whether anything was reported:

- done on time: done on or before the deadline;
- done late: done after the deadline;
- overdue: not done and the deadline has passed;
- in progress: not done, not yet due, at least one report;
- not started: not done, not yet due, no report.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.periods import Period, period_of

DUE_SOON_DAYS = 7


class Recurrence(models.TextChoices):
    ONCE = "once", _("once")
    MONTH = "month", _("monthly")
    QUARTER = "quarter", _("quarterly")
    HALF = "half", _("half-yearly")
    YEAR = "year", _("yearly")
    R09_MONTH = "r09_month", _("monthly, Decree 09 report window")
    R09_QUARTER = "r09_quarter", _("quarterly, Decree 09 report window")
    R09_HALF = "r09_half", _("half-yearly, Decree 09 report window")
    R09_YEAR = "r09_year", _("yearly, Decree 09 report window")


# Vietnamese and English names for files, e-mails and the CLI (not translated at run time).
RECURRENCE_LABELS: dict[str, tuple[str, str]] = {
    "once": ("Một lần", "Once"),
    "month": ("Hằng tháng", "Monthly"),
    "quarter": ("Hằng quý", "Quarterly"),
    "half": ("6 tháng", "Half-yearly"),
    "year": ("Hằng năm", "Yearly"),
    "r09_month": ("Hằng tháng (kỳ báo cáo NĐ 09)", "Monthly (Decree 09 window)"),
    "r09_quarter": ("Hằng quý (kỳ báo cáo NĐ 09)", "Quarterly (Decree 09 window)"),
    "r09_half": ("6 tháng (kỳ báo cáo NĐ 09)", "Half-yearly (Decree 09 window)"),
    "r09_year": ("Hằng năm (kỳ báo cáo NĐ 09)", "Yearly (Decree 09 window)"),
}


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE_ON_TIME = "done_on_time", _("done on time")
    DONE_LATE = "done_late", _("done late")
    OVERDUE = "overdue", _("overdue")


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "not_started": ("Chưa thực hiện", "Not started"),
    "in_progress": ("Đang thực hiện", "In progress"),
    "done_on_time": ("Hoàn thành đúng hạn", "Done on time"),
    "done_late": ("Hoàn thành quá hạn", "Done late"),
    "overdue": ("Quá hạn", "Overdue"),
}


def status_of(*, deadline: date, done_on: date | None, reported: bool, today: date) -> str:
    """The status of one occurrence on `today` (see the module docstring)."""
    if done_on is not None:
        return Status.DONE_ON_TIME if done_on <= deadline else Status.DONE_LATE
    if today > deadline:
        return Status.OVERDUE
    return Status.IN_PROGRESS if reported else Status.NOT_STARTED


def due_in_period(regime: str, period: Period, due_day: int | None) -> date:
    """The deadline of a recurring task's occurrence for `period`.

    With `due_day`, that day of the period's last month (clamped to the month's length: 31 in a
    30-day month is the 30th). Without it: the 25th of the last month for a Decree 09 window
    (`Period.report_deadline`, Art. 13), the last day of the period for a calendar period.
    """
    last = period.end - timedelta(days=1)
    if due_day is not None:
        days = calendar.monthrange(last.year, last.month)[1]
        return last.replace(day=min(due_day, days))
    if regime.startswith("r09_"):
        return period.report_deadline()
    return last


def periods_to_date(regime: str, *, starts_on: date, ends_on: date | None, until: date) -> list[Period]:
    """The periods of a recurring task that have begun by `until`: from the one containing
    `starts_on`, to the one containing `ends_on` (when given)."""
    out: list[Period] = []
    period = period_of(regime, starts_on)
    while period.start <= until and (ends_on is None or period.start <= ends_on):
        out.append(period)
        period = period.next()
    return out


def days_between(first: date, second: date) -> int:
    return (second - first).days
