"""Reads of steering, scoped in one place.

A user sees a task when its lead unit, one of its supporting units or the directive's issuer lies
in the user's subtree (`accounts.scoping.restrict`, applied to each of the three). Out-of-scope
objects answer `NotFound`, like missing ones.

Figures per unit and period count the occurrences whose (extended) deadline falls in the period,
by lead unit: assigned, done on time, done late, overdue (not done and past the deadline on
`today`), pending (not done, not yet due). They are additive: sum them up the tree, never average
their shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet

from dieuhanh.accounts.scoping import in_scope, restrict
from dieuhanh.core.errors import NotFound
from dieuhanh.core.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, Extension, Occurrence, OccurrenceQuerySet, Task
from dieuhanh.steering.schedule import STATUS_LABELS, Status

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

# Data elements of the figures, as rows of the `data_values` fact table (indicator inputs).
FIGURE_ELEMENTS = {
    "assigned": "steering.tasks_assigned",
    "done_on_time": "steering.tasks_done_on_time",
    "done_late": "steering.tasks_done_late",
    "overdue": "steering.tasks_overdue",
}


def _visible(user: User) -> Q:
    base = Task.objects.all()
    return (
        Q(pk__in=restrict(base, user, unit_field="lead_unit").values("pk"))
        | Q(pk__in=restrict(base, user, unit_field="supporting_units").values("pk"))
        | Q(pk__in=restrict(base, user, unit_field="directive__issuer").values("pk"))
    )


def _of_unit(unit: OrgUnit, *, supporting: bool = True) -> Q:
    """Tasks led (or supported) by the unit or any unit of its subtree."""
    units = OrgUnit.objects.subtree_of(unit).values("pk")
    q = Q(pk__in=Task.objects.filter(lead_unit__in=units).values("pk"))
    if supporting:
        q |= Q(pk__in=Task.objects.filter(supporting_units__in=units).values("pk"))
    return q


def tasks_visible(*, user: User) -> QuerySet[Task]:
    return Task.objects.filter(_visible(user))


def occurrences_visible(*, user: User) -> OccurrenceQuerySet:
    return Occurrence.objects.filter(task__in=tasks_visible(user=user))


def occurrences_of_unit(*, unit: OrgUnit, supporting: bool = True) -> OccurrenceQuerySet:
    return Occurrence.objects.filter(task__in=Task.objects.filter(_of_unit(unit, supporting=supporting)))


def directives_visible(*, user: User) -> QuerySet[Directive]:
    """Directives the user's subtree issued, or with a task the user sees."""
    issued = restrict(Directive.objects.all(), user, unit_field="issuer").values("pk")
    with_task = tasks_visible(user=user).values("directive_id")
    return Directive.objects.filter(Q(pk__in=issued) | Q(pk__in=with_task)).select_related("issuer")


def directive_get(*, user: User, pk: int) -> Directive:
    found = directives_visible(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("directive.not_found", f"Không có văn bản #{pk}.", f"No directive #{pk}.")
    return found


def task_get(*, user: User, pk: int) -> Task:
    found = (
        tasks_visible(user=user)
        .select_related("directive__issuer", "lead_unit")
        .prefetch_related("supporting_units")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("task.not_found", f"Không có nhiệm vụ #{pk}.", f"No task #{pk}.")
    return found


def occurrence_get(*, user: User, pk: int) -> Occurrence:
    found = (
        occurrences_visible(user=user)
        .select_related("task__directive__issuer", "task__lead_unit")
        .filter(pk=pk)
    )
    occ = found.first()
    if occ is None:
        raise NotFound("task.not_found", f"Không có nhiệm vụ (kỳ) #{pk}.", f"No task occurrence #{pk}.")
    return occ


def extension_get(*, user: User, pk: int) -> Extension:
    ext = (
        Extension.objects.filter(occurrence__in=occurrences_visible(user=user), pk=pk)
        .select_related("occurrence__task__directive__issuer", "occurrence__task__lead_unit")
        .first()
    )
    if ext is None:
        raise NotFound(
            "extension.not_found", f"Không có đề nghị gia hạn #{pk}.", f"No extension request #{pk}."
        )
    return ext


def task_can_edit(*, user: User, task: Task) -> bool:
    """The issuing level: manager or above whose subtree holds the directive's issuer."""
    return user.can("approve") and in_scope(user, task.directive.issuer)


def task_can_report(*, user: User, task: Task) -> bool:
    """The lead unit: officer or above whose subtree holds the lead unit."""
    return user.can("submit") and in_scope(user, task.lead_unit)


@dataclass(frozen=True)
class TaskLine:
    """One occurrence, flattened for lists, exports, the CLI and the API."""

    occurrence_id: int
    task_id: int
    directive_id: int
    directive: str
    directive_date: date
    issuer: str
    number: str
    content: str
    lead_unit: str
    lead_unit_name: str
    supporting_units: list[str]
    supporting_names: list[str]
    recurrence: str
    period: str
    due_on: date
    deadline: date
    done_on: date | None
    percent: int
    status: str
    days_overdue: int
    days_left: int | None

    @property
    def status_vi(self) -> str:
        return STATUS_LABELS[self.status][0]

    @property
    def status_en(self) -> str:
        return STATUS_LABELS[self.status][1]

    @property
    def extended(self) -> bool:
        return self.deadline != self.due_on

    def as_dict(self) -> dict[str, Any]:
        return {
            "occurrence_id": self.occurrence_id,
            "task_id": self.task_id,
            "directive": self.directive,
            "directive_date": self.directive_date.isoformat(),
            "issuer": self.issuer,
            "number": self.number,
            "content": self.content,
            "lead_unit": self.lead_unit,
            "lead_unit_name": self.lead_unit_name,
            "supporting_units": self.supporting_units,
            "recurrence": self.recurrence,
            "period": self.period,
            "due_on": self.due_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "percent": self.percent,
            "status": self.status,
            "days_overdue": self.days_overdue,
        }


def task_lines(occurrences: QuerySet[Occurrence], *, today: date) -> list[TaskLine]:
    """Flatten occurrences (three queries whatever their number)."""
    qs = occurrences.select_related("task__directive__issuer", "task__lead_unit").prefetch_related(
        "task__supporting_units"
    )
    out: list[TaskLine] = []
    for o in qs:
        t = o.task
        support = sorted(t.supporting_units.all(), key=lambda u: u.code)
        status = o.status_on(today)
        out.append(
            TaskLine(
                occurrence_id=o.pk,
                task_id=t.pk,
                directive_id=t.directive_id,
                directive=t.directive.number,
                directive_date=t.directive.issued_on,
                issuer=t.directive.issuer.code,
                number=t.number,
                content=t.content,
                lead_unit=t.lead_unit.code,
                lead_unit_name=t.lead_unit.name,
                supporting_units=[u.code for u in support],
                supporting_names=[u.name for u in support],
                recurrence=t.recurrence,
                period=o.period_key,
                due_on=o.due_on,
                deadline=o.deadline,
                done_on=o.done_on,
                percent=o.percent,
                status=status,
                days_overdue=o.days_overdue(today),
                days_left=(o.deadline - today).days
                if o.done_on is None and status != Status.OVERDUE
                else None,
            )
        )
    return out


def task_overdue(*, today: date, user: User | None = None, unit: OrgUnit | None = None) -> list[TaskLine]:
    """Overdue occurrences, most overdue first: those the user sees, or those a unit's subtree leads
    or supports, or all of them."""
    qs: OccurrenceQuerySet = Occurrence.objects.all()
    if user is not None:
        qs = occurrences_visible(user=user)
    if unit is not None:
        qs = qs.filter(task__in=Task.objects.filter(_of_unit(unit)))
    return task_lines(
        qs.overdue(today).order_by("deadline", "task__lead_unit__code", "task_id", "pk"), today=today
    )


@dataclass
class Alerts:
    overdue: list[TaskLine] = field(default_factory=list)
    due_soon: list[TaskLine] = field(default_factory=list)


def task_alerts(*, user: User, today: date) -> Alerts:
    """What the user's unit must act on: overdue tasks and those due within seven days."""
    qs = occurrences_visible(user=user)
    return Alerts(
        overdue=task_lines(qs.overdue(today).order_by("deadline", "pk"), today=today),
        due_soon=task_lines(qs.due_soon(today).order_by("deadline", "pk"), today=today),
    )


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    unit_name: str
    assigned: int
    done_on_time: int
    done_late: int
    overdue: int

    @property
    def pending(self) -> int:
        return self.assigned - self.done_on_time - self.done_late - self.overdue

    @property
    def on_time_share(self) -> Decimal | None:
        """Done on time ÷ tasks already due or done, in %, or None when there are none."""
        due = self.done_on_time + self.done_late + self.overdue
        return (Decimal(self.done_on_time) * 100 / due).quantize(Decimal("0.1")) if due else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "assigned": self.assigned,
            "done_on_time": self.done_on_time,
            "done_late": self.done_late,
            "overdue": self.overdue,
            "pending": self.pending,
        }


@dataclass(frozen=True)
class Figures:
    period: Period
    today: date
    rows: list[UnitFigures]
    total: UnitFigures


def task_figures(
    *, period: Period, today: date, user: User | None = None, unit: OrgUnit | None = None
) -> Figures:
    """Per lead unit, the occurrences due in `period` (see the module docstring)."""
    qs: QuerySet[Occurrence] = Occurrence.objects.filter(deadline__gte=period.start, deadline__lt=period.end)
    if user is not None:
        qs = restrict(qs, user, unit_field="task__lead_unit")
    if unit is not None:
        qs = qs.filter(task__lead_unit__in=OrgUnit.objects.subtree_of(unit).values("pk"))
    grouped = (
        qs.values("task__lead_unit__code", "task__lead_unit__name")
        .annotate(
            assigned=Count("pk"),
            on_time=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("deadline"))),
            late=Count("pk", filter=Q(done_on__isnull=False, done_on__gt=F("deadline"))),
            overdue=Count("pk", filter=Q(done_on__isnull=True, deadline__lt=today)),
        )
        .order_by("task__lead_unit__code")
    )
    rows = [
        UnitFigures(
            g["task__lead_unit__code"],
            g["task__lead_unit__name"],
            g["assigned"],
            g["on_time"],
            g["late"],
            g["overdue"],
        )
        for g in grouped
    ]
    total = UnitFigures(
        "",
        "",
        sum(r.assigned for r in rows),
        sum(r.done_on_time for r in rows),
        sum(r.done_late for r in rows),
        sum(r.overdue for r in rows),
    )
    return Figures(period=period, today=today, rows=rows, total=total)


def task_figures_data_values(*, period: Period, today: date) -> list[dict[str, Any]]:
    """The figures as rows of the `data_values` fact table (data_element, unit_code, period, value),
    for the indicator engine."""
    out: list[dict[str, Any]] = []
    for row in task_figures(period=period, today=today).rows:
        for attr, element in FIGURE_ELEMENTS.items():
            out.append(
                {
                    "data_element": element,
                    "unit_code": row.unit,
                    "period": period.key,
                    "value": getattr(row, attr),
                }
            )
    return out
