"""Progress reports and deadline extensions (the lead unit asks, the issuing level decides)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import PurePath

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.steering.models import (
    Extension,
    ExtensionState,
    Occurrence,
    ProgressReport,
    ReportAttachment,
)
from dieuhanh.steering.services.common import (
    Upload,
    check_right,
    check_uploads,
    occurrence_recompute,
    refusal,
)

# --- progress and extensions --------------------------------------------------------------------


def progress_report(
    *,
    actor: Actor,
    occurrence: Occurrence,
    text: str,
    percent: int,
    files: Sequence[Upload] = (),
    at: datetime | None = None,
) -> ProgressReport:
    """The lead unit reports progress; 100% marks the occurrence done on the report's day."""
    task = occurrence.task
    check_right(actor, "submit", task.lead_unit)
    if not 0 <= percent <= 100:
        raise refusal(
            "report.bad_percent",
            f"Tỷ lệ hoàn thành {percent}% phải từ 0 đến 100.",
            f"Progress {percent}% must be between 0 and 100.",
        )
    if not text.strip():
        raise refusal("report.empty", "Nội dung báo cáo trống.", "The report is empty.")
    if occurrence.done_on is not None and percent < 100:
        raise refusal(
            "task.already_done",
            f"Nhiệm vụ đã hoàn thành ngày {occurrence.done_on:%d/%m/%Y}: chỉ bổ sung báo cáo 100%.",
            f"The task was done on {occurrence.done_on}: only 100% reports can be added.",
        )
    check_uploads(files)
    with transaction.atomic():
        report = ProgressReport.objects.create(
            occurrence=occurrence,
            at=at or timezone.now(),
            author=actor.user,
            author_label=actor.label[:150],
            text=text.strip(),
            percent=percent,
        )
        for f in files:
            att = ReportAttachment(report=report, name=PurePath(f.name).name[:200], size=f.size)
            att.file.save(att.name, File(f.content), save=False)
            att.save()
        before = snapshot(occurrence, ["deadline", "done_on", "percent"])
        occurrence_recompute(occurrence)
        audit_record(
            actor=actor,
            action="task.report",
            obj=occurrence,
            unit=task.lead_unit,
            before=before,
            after={
                **snapshot(occurrence, ["deadline", "done_on", "percent"]),
                "files": [f.name for f in files],
            },
            note=text.strip()[:500],
        )
    return report


def extension_request(
    *, actor: Actor, occurrence: Occurrence, until: date, reason: str, at: datetime | None = None
) -> Extension:
    """The lead unit asks the issuing level to move the deadline to `until`."""
    task = occurrence.task
    check_right(actor, "submit", task.lead_unit)
    if occurrence.done_on is not None:
        raise refusal(
            "task.already_done",
            "Nhiệm vụ đã hoàn thành, không cần gia hạn.",
            "The task is done: no extension is needed.",
        )
    if occurrence.extensions.filter(state=ExtensionState.PENDING).exists():
        raise refusal(
            "extension.pending",
            "Đã có một đề nghị gia hạn đang chờ quyết định.",
            "An extension request is already waiting for a decision.",
        )
    if until <= occurrence.deadline:
        raise refusal(
            "extension.not_later",
            f"Hạn mới {until:%d/%m/%Y} phải sau hạn hiện tại {occurrence.deadline:%d/%m/%Y}.",
            f"The new deadline {until} must be after the current one ({occurrence.deadline}).",
        )
    if not reason.strip():
        raise refusal(
            "extension.reason_required", "Cần nêu lý do gia hạn.", "Give a reason for the extension."
        )
    with transaction.atomic():
        ext = Extension.objects.create(
            occurrence=occurrence,
            requested_at=at or timezone.now(),
            requested_by=actor.user,
            requested_by_label=actor.label[:150],
            previous_deadline=occurrence.deadline,
            requested_until=until,
            reason=reason.strip(),
        )
        audit_record(
            actor=actor,
            action="task.extension_request",
            obj=ext,
            unit=task.lead_unit,
            after=snapshot(ext, ["previous_deadline", "requested_until", "reason", "state"]),
        )
    return ext


def extension_decide(
    *, actor: Actor, extension: Extension, approve: bool, note: str = "", at: datetime | None = None
) -> Extension:
    """The issuing level approves (the deadline moves) or refuses an extension request."""
    occurrence = extension.occurrence
    task = occurrence.task
    check_right(actor, "approve", task.directive.issuer)
    if extension.state != ExtensionState.PENDING:
        raise refusal(
            "extension.decided",
            "Đề nghị gia hạn này đã được quyết định.",
            "This extension request was already decided.",
        )
    fields = ["state", "decided_at", "decision_note"]
    with transaction.atomic():
        before = snapshot(extension, fields)
        extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        extension.decided_at = at or timezone.now()
        extension.decided_by = actor.user
        extension.decided_by_label = actor.label[:150]
        extension.decision_note = note.strip()
        extension.save()
        occurrence_recompute(occurrence)
        audit_record(
            actor=actor,
            action="task.extension_" + ("approve" if approve else "refuse"),
            obj=extension,
            unit=task.lead_unit,
            before=before,
            after={**snapshot(extension, fields), "deadline": occurrence.deadline},
        )
    return extension
