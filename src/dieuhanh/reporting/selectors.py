"""Reads of periodic reporting: forms, periods, who must submit, prefill, rules, completeness."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope
from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.core.periods import Period, PeriodError, parse_period, period_of, periods_between
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.expressions import parse_expression
from dieuhanh.reporting.models import (
    FormElement,
    MissingValues,
    ReportForm,
    Submission,
    SubmissionStatus,
    ValidationRule,
)
from dieuhanh.reporting.schedule import deadline_of, lock_of

log = logging.getLogger(__name__)

_OPS = {
    "==": lambda a, b: abs(a - b) < 1e-9,
    "!=": lambda a, b: abs(a - b) >= 1e-9,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b + 1e-9,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a + 1e-9 >= b,
}


def form_list(*, active: bool = True) -> QuerySet[ReportForm]:
    qs = ReportForm.objects.all()
    return qs.filter(active=True) if active else qs


def form_get(*, code: str) -> ReportForm:
    form = ReportForm.objects.filter(code=code).first()
    if form is None:
        raise NotFound(
            "report.form_not_found",
            f"Không có biểu mẫu báo cáo mã {code}.",
            f"No report form with code {code}.",
        )
    return form


def form_elements(form: ReportForm) -> list[FormElement]:
    return list(form.elements.filter(active=True).order_by("position", "id"))


def form_period(form: ReportForm, key: str) -> Period:
    """The period `key` of the form's regime, not before its first period."""
    try:
        period = parse_period(key)
    except PeriodError as exc:
        raise UserError(exc.code, exc.message_vi, exc.message_en) from exc
    if period.regime != form.regime:
        raise UserError(
            "report.period_regime",
            f"Biểu mẫu {form.code} báo cáo theo kỳ {form.regime}, không theo kỳ {key}.",
            f"Form {form.code} reports by {form.regime} periods, not {key}.",
        )
    if period.start < parse_period(form.first_period).start:
        raise UserError(
            "report.period_before",
            f"Biểu mẫu {form.code} áp dụng từ kỳ {form.first_period}.",
            f"Form {form.code} applies from period {form.first_period}.",
        )
    return period


def form_periods(form: ReportForm, *, today: date | None = None, last: int = 12) -> list[Period]:
    """The form's periods that have begun, newest first (at most `last`)."""
    today = today or timezone.localdate()
    first = parse_period(form.first_period)
    if first.start > today:
        return []
    periods = periods_between(form.regime, first.start, today + timedelta(days=1))
    return list(reversed(periods))[:last]


def deadline(form: ReportForm, period: Period) -> date:
    return deadline_of(form.deadline_kind, form.deadline_value, period)


def lock_date(form: ReportForm, period: Period) -> date:
    return lock_of(deadline(form, period), form.lock_after_days)


def expected_units(form: ReportForm, period: Period) -> QuerySet[OrgUnit]:
    """The units that must submit the form for the period (those that existed on its last day)."""
    last_day = period.end - timedelta(days=1)
    explicit = list(form.units.values_list("pk", flat=True))
    return (
        OrgUnit.objects.valid_on(last_day)
        .filter(Q(kind__in=list(form.unit_kinds)) | Q(pk__in=explicit))
        .order_by("code")
    )


def is_expected(form: ReportForm, unit: OrgUnit, period: Period) -> bool:
    return expected_units(form, period).filter(pk=unit.pk).exists()


def submission_find(form: ReportForm, unit: OrgUnit, period: Period) -> Submission | None:
    return Submission.objects.filter(form=form, unit=unit, period=period.key).first()


def submission_values(submission: Submission) -> dict[str, float | None]:
    return {code: v for code, v in submission.values.values_list("element__code", "value")}


def submission_origins(submission: Submission) -> dict[str, str]:
    return dict(submission.values.values_list("element__code", "origin"))


def submission_editable(submission: Submission, *, today: date | None = None) -> bool:
    """Draft or returned, and before the lock date (or inside a reopen window)."""
    today = today or timezone.localdate()
    if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
        return False
    period = parse_period(submission.period)
    if today <= lock_date(submission.form, period):
        return True
    return submission.reopened_until is not None and today <= submission.reopened_until


def prefill(form: ReportForm, unit: OrgUnit, period: Period) -> dict[str, float | None]:
    """The values the records already hold (element code → value; None when the records say nothing)."""
    from dieuhanh.indicators.selectors import indicator_value_lookup

    out: dict[str, float | None] = {}
    for element in form_elements(form):
        if not element.prefill_indicator:
            continue
        try:
            found = indicator_value_lookup(
                code=element.prefill_indicator, unit_code=unit.code, period_key=period.key
            )
        except UserError as exc:
            log.warning("prefill %s for %s %s: %s", element.prefill_indicator, unit.code, period.key, exc)
            out[element.code] = None
            continue
        value = found.get("value")
        out[element.code] = None if value is None else float(value)
    return out


@dataclass
class RuleResult:
    rule: ValidationRule
    left: float | None
    right: float | None
    passed: bool | None  # None: skipped (missing values)

    @property
    def failed(self) -> bool:
        return self.passed is False

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.rule.code,
            "left": self.rule.left,
            "operator": self.rule.operator,
            "right": self.rule.right,
            "left_value": self.left,
            "right_value": self.right,
            "passed": self.passed,
            "message_vi": self.rule.message_vi,
            "message_en": self.rule.message_en,
        }


def rules_check(form: ReportForm, values: Mapping[str, float | None]) -> list[RuleResult]:
    """Each active rule with its outcome; a rule whose values are missing is skipped as it says."""
    out = []
    for rule in form.rules.filter(active=True).order_by("id"):
        left, right = parse_expression(rule.left), parse_expression(rule.right)
        names = [*left.names, *right.names]
        missing = [n for n in names if values.get(n) is None]
        if missing and rule.missing == MissingValues.SKIP_IF_ANY:
            out.append(RuleResult(rule, None, None, None))
            continue
        if names and len(missing) == len(names) and rule.missing == MissingValues.SKIP_IF_ALL:
            out.append(RuleResult(rule, None, None, None))
            continue
        a = left.evaluate(values, missing_as_zero=True)
        b = right.evaluate(values, missing_as_zero=True)
        passed = None if a is None or b is None else bool(_OPS[rule.operator](a, b))
        out.append(RuleResult(rule, a, b, passed))
    return out


def can_decide(user: User, unit: OrgUnit) -> bool:
    """Accept, return or reopen: a manager (or admin) of a unit strictly above `unit`."""
    if not user.can("approve"):
        return False
    return unit.parent is not None and in_scope(user, unit.parent)


@dataclass
class CompletenessRow:
    unit: OrgUnit
    submission: Submission | None
    state: str  # accepted | submitted | returned | draft | missing
    on_time: bool | None  # None: not submitted
    submitted_on: date | None

    @property
    def delivered(self) -> bool:
        return self.state in ("submitted", "accepted")


@dataclass
class Completeness:
    form: ReportForm
    period: Period
    deadline: date
    lock: date
    rows: list[CompletenessRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.delivered)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.delivered and r.on_time)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r.delivered and not r.on_time)

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.state == "accepted")

    def share(self, n: int) -> float | None:
        return None if not self.expected else round(100.0 * n / self.expected, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form.code,
            "period": self.period.key,
            "deadline": self.deadline.isoformat(),
            "lock": self.lock.isoformat(),
            "expected": self.expected,
            "submitted": self.submitted,
            "accepted": self.accepted,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "units": [
                {
                    "unit": r.unit.code,
                    "name": r.unit.name,
                    "state": r.state,
                    "on_time": r.on_time,
                    "submitted_on": r.submitted_on.isoformat() if r.submitted_on else None,
                }
                for r in self.rows
            ],
        }


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def completeness(form: ReportForm, period: Period, *, within: OrgUnit | None = None) -> Completeness:
    """Expected / submitted / on time / late / missing by unit (under `within`, if given)."""
    units = expected_units(form, period)
    if within is not None:
        units = units.filter(ancestor_links__ancestor=within)
    due = deadline(form, period)
    subs = {s.unit_id: s for s in Submission.objects.filter(form=form, period=period.key, unit__in=units)}
    result = Completeness(form, period, due, lock_of(due, form.lock_after_days))
    for unit in units:
        sub = subs.get(unit.pk)
        if sub is None:
            result.rows.append(CompletenessRow(unit, None, "missing", None, None))
            continue
        submitted_on = _local_day(sub.submitted_at) if sub.submitted_at else None
        delivered = sub.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
        on_time = (submitted_on <= due) if (delivered and submitted_on) else None
        result.rows.append(CompletenessRow(unit, sub, str(sub.status), on_time, submitted_on))
    return result


def pending_decisions(user: User) -> QuerySet[Submission]:
    """Submissions waiting for the user's decision (submitted by units strictly below)."""
    if not user.can("approve") or user.unit_id is None:
        return Submission.objects.none()
    return (
        Submission.objects.filter(
            status=SubmissionStatus.SUBMITTED, unit__parent__ancestor_links__ancestor=user.unit
        )
        .select_related("form", "unit")
        .order_by("submitted_at")
    )


def current_period(form: ReportForm, *, today: date | None = None) -> Period:
    """The period units are reporting now: the latest one that has ended, else the running one."""
    today = today or timezone.localdate()
    running = period_of(form.regime, today)
    previous = running.previous()
    first = parse_period(form.first_period)
    return previous if previous.start >= first.start else running
