"""Directives, tasks and their occurrences (the issuing level writes them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import PurePath
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import Problem
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import (
    Directive,
    Extension,
    Occurrence,
    ProgressReport,
    Task,
)
from dieuhanh.steering.schedule import Recurrence, due_in_period, periods_to_date
from dieuhanh.steering.services.common import (
    TaskSpec,
    Upload,
    check_right,
    check_uploads,
    occurrence_recompute,
    refusal,
    task_spec_problems,
    today_local,
)

_DIRECTIVE_FIELDS = ["number", "issued_on", "issuer", "summary", "file_name"]
_TASK_FIELDS = [
    "number",
    "content",
    "lead_unit",
    "recurrence",
    "due_on",
    "due_day",
    "starts_on",
    "ends_on",
    "expected_product",
    "target_indicator",
    "target_value",
]


# --- directives ---------------------------------------------------------------------------------


def directive_create(
    *,
    actor: Actor,
    number: str,
    issued_on: date,
    issuer: OrgUnit,
    summary: str = "",
    upload: Upload | None = None,
) -> Directive:
    """Register a directive of `issuer` (manager or above of the issuing level)."""
    check_right(actor, "approve", issuer)
    number = " ".join(number.split())
    if not number:
        raise refusal(
            "directive.number_required", "Thiếu số, ký hiệu văn bản.", "The number and sign are missing."
        )
    if Directive.objects.filter(issuer=issuer, number=number).exists():
        raise refusal(
            "directive.exists",
            f"Văn bản {number} của {issuer.name} đã có.",
            f"Directive {number} of {issuer.name} already exists.",
        )
    if upload is not None:
        check_uploads([upload])
    with transaction.atomic():
        directive = Directive(
            number=number,
            issued_on=issued_on,
            issuer=issuer,
            summary=summary.strip(),
            created_at=timezone.now(),
        )
        if upload is not None:
            directive.file_name = PurePath(upload.name).name[:200]
            directive.file.save(directive.file_name, File(upload.content), save=False)
        directive.save()
        audit_record(
            actor=actor,
            action="directive.create",
            obj=directive,
            unit=issuer,
            after={**snapshot(directive, _DIRECTIVE_FIELDS), "file": directive.file.name},
        )
    return directive


def directive_attach(*, actor: Actor, directive: Directive, upload: Upload) -> Directive:
    """Attach (or replace) the directive's file."""
    check_right(actor, "approve", directive.issuer)
    check_uploads([upload])
    with transaction.atomic():
        before = {"file_name": directive.file_name, "file": directive.file.name}
        directive.file_name = PurePath(upload.name).name[:200]
        directive.file.save(directive.file_name, File(upload.content), save=False)
        directive.save(update_fields=["file", "file_name"])
        audit_record(
            actor=actor,
            action="directive.attach",
            obj=directive,
            unit=directive.issuer,
            before=before,
            after={"file_name": directive.file_name, "file": directive.file.name},
        )
    return directive


# --- tasks and their occurrences ----------------------------------------------------------------


def _wanted_occurrences(task: Task, today: date) -> dict[str, date]:
    """Period key → deadline of the occurrences the task should have by `today`."""
    if task.recurrence == Recurrence.ONCE:
        assert task.due_on is not None
        return {"": task.due_on}
    assert task.starts_on is not None
    periods = periods_to_date(
        task.recurrence, starts_on=task.starts_on, ends_on=task.ends_on, until=max(today, task.starts_on)
    )
    return {p.key: due_in_period(task.recurrence, p, task.due_day) for p in periods}


def _sync(task: Task, today: date) -> list[Occurrence]:
    """Create the missing occurrences and move the due dates of the untouched ones (no audit)."""
    existing = {o.period_key: o for o in task.occurrences.all()}
    wanted = _wanted_occurrences(task, today)
    for key, stale in existing.items():  # periods no longer covered (the range shrank), if untouched
        if key not in wanted and not stale.reports.exists() and not stale.extensions.exists():
            stale.delete()
    created: list[Occurrence] = []
    for key, due in wanted.items():
        occ = existing.get(key)
        if occ is None:
            created.append(Occurrence.objects.create(task=task, period_key=key, due_on=due, deadline=due))
        elif occ.due_on != due:
            occ.due_on = due
            occurrence_recompute(occ)
    return created


def task_occurrences_sync(
    *, actor: Actor, today: date | None = None, tasks: Iterable[Task] | None = None
) -> int:
    """Open the occurrences of recurring tasks whose period has begun. Returns how many were created."""
    today = today or today_local()
    chosen = Task.objects.exclude(recurrence=Recurrence.ONCE) if tasks is None else tasks
    total = 0
    for task in chosen:
        with transaction.atomic():
            created = _sync(task, today)
            if created:
                audit_record(
                    actor=actor,
                    action="task.occurrences_open",
                    obj=task,
                    unit=task.lead_unit,
                    note=", ".join(o.period_key for o in created),
                )
        total += len(created)
    return total


def _task_state(task: Task) -> dict[str, Any]:
    state = snapshot(task, _TASK_FIELDS)
    state["supporting_units"] = sorted(task.supporting_units.values_list("code", flat=True))
    return state


def _apply(task: Task, spec: TaskSpec, directive: Directive) -> None:
    recurring = spec.recurrence != Recurrence.ONCE
    task.number = spec.number.strip()
    task.content = spec.content.strip()
    task.lead_unit = spec.lead
    task.recurrence = spec.recurrence
    task.due_on = None if recurring else spec.due_on
    task.due_day = spec.due_day if recurring else None
    task.starts_on = (spec.starts_on or directive.issued_on) if recurring else None
    task.ends_on = spec.ends_on if recurring else None
    task.expected_product = spec.expected_product.strip()
    task.target_indicator = spec.target_indicator.strip()
    task.target_value = spec.target_value


def _supporting(spec: TaskSpec) -> list[OrgUnit]:
    seen: dict[int, OrgUnit] = {}
    for u in spec.supporting:
        if u.pk != spec.lead.pk:
            seen.setdefault(u.pk, u)
    return list(seen.values())


def task_create(
    *,
    actor: Actor,
    directive: Directive,
    spec: TaskSpec,
    today: date | None = None,
    position: int | None = None,
) -> Task:
    """Assign a task under a directive (the issuing level only)."""
    check_right(actor, "approve", directive.issuer)
    today = today or today_local()
    problems = task_spec_problems(spec, directive, today=today)
    if spec.number and Task.objects.filter(directive=directive, number=spec.number.strip()).exists():
        problems.append(
            Problem(
                "task.duplicate_number",
                f"Văn bản đã có nhiệm vụ số {spec.number}.",
                f"The directive already has a task numbered {spec.number}.",
                field="number",
            )
        )
    if problems:
        raise refusal("task.invalid", "Nhiệm vụ chưa hợp lệ.", "The task is not valid.", problems=problems)
    with transaction.atomic():
        task = Task(directive=directive, created_at=timezone.now())
        _apply(task, spec, directive)
        if position is None:
            position = directive.tasks.count() + 1
        task.position = position
        task.save()
        task.supporting_units.set(_supporting(spec))
        _sync(task, today)
        audit_record(
            actor=actor, action="task.create", obj=task, unit=task.lead_unit, after=_task_state(task)
        )
    return task


def task_update(*, actor: Actor, task: Task, spec: TaskSpec, today: date | None = None) -> bool:
    """Change a task (the issuing level only). Returns whether anything changed.

    A recurring task keeps its recurrence once something was reported on it.
    """
    directive = task.directive
    check_right(actor, "approve", directive.issuer)
    today = today or today_local()
    problems = task_spec_problems(spec, directive, today=today)
    number = spec.number.strip()
    if number and Task.objects.filter(directive=directive, number=number).exclude(pk=task.pk).exists():
        problems.append(
            Problem(
                "task.duplicate_number",
                f"Văn bản đã có nhiệm vụ số {number}.",
                f"The directive already has a task numbered {number}.",
                field="number",
            )
        )
    touched = ProgressReport.objects.filter(occurrence__task=task).exists() or (
        Extension.objects.filter(occurrence__task=task).exists()
    )
    if spec.recurrence != task.recurrence and touched:
        problems.append(
            Problem(
                "task.recurrence_locked",
                "Không đổi chu kỳ của nhiệm vụ đã có báo cáo tiến độ hoặc đề nghị gia hạn.",
                "The recurrence of a task with progress reports or extension requests cannot change.",
                field="deadline",
            )
        )
    if problems:
        raise refusal("task.invalid", "Nhiệm vụ chưa hợp lệ.", "The task is not valid.", problems=problems)
    with transaction.atomic():
        before = _task_state(task)
        recurrence_changed = spec.recurrence != task.recurrence
        _apply(task, spec, directive)
        task.supporting_units.set(_supporting(spec))
        after = _task_state(task)
        if before == after:
            return False
        task.save()
        if recurrence_changed:
            task.occurrences.all().delete()  # nothing reported on them (checked above)
        _sync(task, today)
        audit_record(
            actor=actor, action="task.update", obj=task, unit=task.lead_unit, before=before, after=after
        )
    return True
