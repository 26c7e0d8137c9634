"""Reads of the national list, LGSP connections, platforms, IOCs and registered timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.core.errors import NotFound
from dieuhanh.registry.models import (
    IocCentre,
    LgspConnection,
    Milestone,
    MilestoneState,
    NationalSystem,
    Platform,
    ProgrammeTimeline,
)
from dieuhanh.registry.scoping import registry_in_scope, registry_restrict


def national_systems(*, active_only: bool = True) -> QuerySet[NationalSystem]:
    """The national list is public reference data: every signed-in user reads it."""
    qs = NationalSystem.objects.all()
    return qs.filter(active=True) if active_only else qs


def connections_visible(*, user: User) -> QuerySet[LgspConnection]:
    qs = LgspConnection.objects.select_related("unit", "national_system")
    return registry_restrict(qs, user, unit_field="unit").order_by(
        "unit__code", "national_system__position", "national_system__code"
    )


def platforms_visible(*, user: User) -> QuerySet[Platform]:
    return registry_restrict(Platform.objects.select_related("unit"), user, unit_field="unit").order_by(
        "unit__code", "code"
    )


def _with_milestones(qs: QuerySet[ProgrammeTimeline]) -> QuerySet[ProgrammeTimeline]:
    return qs.select_related("unit").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position"))
    )


def iocs_visible(*, user: User) -> QuerySet[IocCentre]:
    qs = IocCentre.objects.select_related("unit", "timeline", "timeline__unit").prefetch_related(
        Prefetch("timeline__milestones", queryset=Milestone.objects.order_by("position"))
    )
    return registry_restrict(qs, user, unit_field="unit").order_by("unit__code")


def timelines_visible(*, user: User, programme: str = "") -> QuerySet[ProgrammeTimeline]:
    qs = _with_milestones(ProgrammeTimeline.objects.all())
    if programme:
        qs = qs.filter(programme=programme)
    return registry_restrict(qs, user, unit_field="unit").order_by("programme", "unit__code")


def timeline_get(*, user: User, pk: int) -> ProgrammeTimeline:
    timeline = _with_milestones(ProgrammeTimeline.objects.filter(pk=pk)).first()
    if timeline is None or not registry_in_scope(user, timeline.unit):
        raise NotFound("registry.timeline_not_found", f"Không có tiến độ số {pk}.", f"No timeline {pk}.")
    return timeline


@dataclass(frozen=True)
class MilestoneView:
    milestone: Milestone
    state: MilestoneState
    slipping: bool
    days_late: int  # days past due (done late, or overdue today); 0 otherwise


@dataclass(frozen=True)
class TimelineView:
    timeline: ProgrammeTimeline
    milestones: list[MilestoneView]

    @property
    def slipping(self) -> list[MilestoneView]:
        return [m for m in self.milestones if m.slipping]

    @property
    def done(self) -> int:
        return sum(1 for m in self.milestones if m.milestone.done_on is not None)


def timeline_view(timeline: ProgrammeTimeline, *, today: date | None = None) -> TimelineView:
    """Each phase with its state on `today`; slipping phases (overdue, or expected after their due
    date) are flagged."""
    day = today or timezone.localdate()
    out = []
    for m in timeline.milestones.all():
        state = m.state(day)
        end = m.done_on or day
        late = (
            max(0, (end - m.due_on).days)
            if state in (MilestoneState.DONE_LATE, MilestoneState.OVERDUE)
            else 0
        )
        out.append(MilestoneView(m, state, m.is_slipping(day), late))
    return TimelineView(timeline, out)
