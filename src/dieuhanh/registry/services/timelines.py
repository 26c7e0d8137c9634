"""Writes to units' IOCs and to registered timelines (the milestone registration).

`timeline_register` is the one way a unit registers (or re-registers) its timeline for a
programme; `milestone_report` records a phase's new expected date or its completion. Steering
tasks call the same two services for their milestone registrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import Problem, UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import IocCentre, IocStatus, Milestone, ProgrammeTimeline
from dieuhanh.registry.scoping import registry_require
from dieuhanh.registry.services.network import Outcome, upsert_audited

IOC_PROGRAMME = "ioc-build"


@dataclass(frozen=True)
class MilestoneSpec:
    name: str
    due_on: date
    starts_on: date | None = None
    forecast_on: date | None = None
    done_on: date | None = None
    note: str = ""


def _check_milestones(specs: list[MilestoneSpec], today: date) -> None:
    problems: list[Problem] = []
    for i, m in enumerate(specs, start=1):
        if not m.name.strip():
            problems.append(Problem("value.required", "Thiếu tên giai đoạn.", "A phase has no name.", row=i,
                                    field="name"))  # fmt: skip
        if m.starts_on and m.due_on < m.starts_on:
            problems.append(Problem("registry.bad_dates", "Hạn hoàn thành trước ngày bắt đầu.",
                                    "The due date is before the start.", row=i, field="due_on"))  # fmt: skip
        if m.done_on and m.done_on > today:
            problems.append(Problem("registry.date_in_future", "Ngày hoàn thành ở tương lai.",
                                    "The completion date is in the future.", row=i, field="done_on"))  # fmt: skip
    if problems:
        raise UserError("registry.bad_timeline", "Tiến độ đăng ký chưa hợp lệ.", "The timeline is not valid.",
                        problems=problems)  # fmt: skip


def timeline_register(
    *,
    actor: Actor,
    unit: OrgUnit,
    programme: str,
    title: str,
    milestones: list[MilestoneSpec],
    registered_on: date | None = None,
    note: str = "",
    source: str = "",
) -> tuple[ProgrammeTimeline, Outcome]:
    """Register `unit`'s timeline for `programme`: its phases, in order. Re-registering replaces the
    phases (the audit row keeps the previous ones); an identical registration writes nothing."""
    if actor.user is not None:
        registry_require(actor.user, "submit", unit)
    today = timezone.localdate()
    _check_milestones(milestones, today)
    with transaction.atomic():
        timeline = ProgrammeTimeline.objects.filter(unit=unit, programme=programme).first()
        wanted = [(i, m.name.strip(), m.starts_on, m.due_on, m.forecast_on, m.done_on, m.note)
                  for i, m in enumerate(milestones, start=1)]  # fmt: skip
        if timeline is not None:
            have = [(m.position, m.name, m.starts_on, m.due_on, m.forecast_on, m.done_on, m.note)
                    for m in timeline.milestones.all()]  # fmt: skip
            if have == wanted and (timeline.title, timeline.note) == (title, note):
                return timeline, "unchanged"
            before = {"title": timeline.title, "milestones": [snapshot(m) for m in timeline.milestones.all()]}
            timeline.title, timeline.note, timeline.source = title, note, source
            timeline.save()
            timeline.milestones.all().delete()
            outcome: Outcome = "updated"
        else:
            before = None
            timeline = ProgrammeTimeline.objects.create(
                unit=unit, programme=programme, title=title, note=note, registered_on=registered_on or today,
                source=source,
            )  # fmt: skip
            outcome = "created"
        Milestone.objects.bulk_create(
            Milestone(timeline=timeline, position=i, name=n, starts_on=s, due_on=d, forecast_on=f, done_on=done,
                      note=nt)
            for i, n, s, d, f, done, nt in wanted
        )  # fmt: skip
        after = {"title": title, "milestones": [snapshot(m) for m in timeline.milestones.all()]}
        audit_record(actor=actor, action=f"registry.timeline.{'register' if before is None else 'update'}",
                     obj=timeline, unit=unit, before=before, after=after)  # fmt: skip
    return timeline, outcome


def milestone_report(
    *,
    actor: Actor,
    milestone: Milestone,
    forecast_on: date | None = None,
    done_on: date | None = None,
    note: str | None = None,
) -> bool:
    """Record a phase's expected date or its completion. Returns False when nothing changes."""
    unit = milestone.timeline.unit
    if actor.user is not None:
        registry_require(actor.user, "submit", unit)
    if done_on is not None and done_on > timezone.localdate():
        raise UserError(
            "registry.date_in_future", "Ngày hoàn thành ở tương lai.", "The completion date is in the future."
        )
    before = snapshot(milestone)
    if forecast_on is not None:
        milestone.forecast_on = forecast_on
    if done_on is not None:
        milestone.done_on = done_on
    if note is not None:
        milestone.note = note
    after = snapshot(milestone)
    if before == after:
        return False
    with transaction.atomic():
        milestone.save()
        audit_record(actor=actor, action="registry.milestone.report", obj=milestone, unit=unit, before=before,
                     after=after)  # fmt: skip
    return True


def ioc_save(
    *,
    actor: Actor,
    unit: OrgUnit,
    name: str,
    status: str,
    operating_since: date | None = None,
    timeline: ProgrammeTimeline | None = None,
    note: str = "",
    source: str = "",
) -> tuple[IocCentre, Outcome]:
    """Whether `unit` operates an IOC, since when, and its registered build timeline."""
    if actor.user is not None:
        registry_require(actor.user, "submit", unit)
    if status not in IocStatus.values:
        raise UserError(
            "registry.bad_value", f"Trạng thái không hợp lệ: {status}.", f"Unknown status {status}."
        )
    if operating_since is not None and operating_since > timezone.localdate():
        raise UserError("registry.date_in_future", "Ngày đưa vào hoạt động ở tương lai.",
                        "The start of operation is in the future.")  # fmt: skip
    if timeline is not None and timeline.unit_id != unit.pk:
        raise UserError(
            "registry.timeline_unit", "Tiến độ thuộc đơn vị khác.", "The timeline belongs to another unit."
        )
    values = {"name": name, "status": status, "operating_since": operating_since, "timeline": timeline,
              "note": note, "source": source}  # fmt: skip
    obj, outcome = upsert_audited(actor, IocCentre, {"unit": unit}, values, action="registry.ioc", unit=unit)
    return obj, outcome
