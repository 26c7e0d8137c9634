"""What the steering services share: task specs, uploads, validation, rights, derived dates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.utils import timezone

from dieuhanh.accounts.scoping import require
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.periods import local_date
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import (
    Directive,
    ExtensionState,
    Occurrence,
)
from dieuhanh.steering.schedule import Recurrence

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
ALLOWED_SUFFIXES = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".xls",
        ".xlsx",
        ".ods",
        ".ppt",
        ".pptx",
        ".txt",
        ".csv",
        ".jpg",
        ".jpeg",
        ".png",
        ".zip",
        ".rar",
        ".7z",
    }
)
_INDICATOR = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")


@dataclass(frozen=True)
class TaskSpec:
    """What a directive assigns, before it is stored (from a form, the API or an XLSX row)."""

    content: str
    lead: OrgUnit
    supporting: tuple[OrgUnit, ...] = ()
    number: str = ""
    recurrence: str = Recurrence.ONCE
    due_on: date | None = None
    due_day: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    expected_product: str = ""
    target_indicator: str = ""
    target_value: Decimal | None = None


@dataclass
class Upload:
    """A file to attach: its original name and an open binary file (an `UploadedFile` qualifies)."""

    name: str
    content: Any
    size: int


def today_local() -> date:
    return timezone.localdate()


def check_right(actor: Actor, action: str, unit: OrgUnit | None) -> None:
    if actor.user is not None:
        require(actor.user, action, unit)


def refusal(code: str, vi: str, en: str, *, problems: Iterable[Problem] = ()) -> UserError:
    return UserError(code, vi, en, problems=problems)


def check_uploads(files: Sequence[Upload]) -> None:
    """Refuse too many files, files too large, or kinds of file we do not keep."""
    if len(files) > MAX_FILES:
        raise refusal(
            "file.too_many", f"Tối đa {MAX_FILES} tệp đính kèm.", f"At most {MAX_FILES} attachments."
        )
    for f in files:
        suffix = PurePath(f.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise refusal(
                "file.kind",
                f"Tệp {f.name}: không nhận loại tệp {suffix or '(không có đuôi)'}.",
                f"{f.name}: files of kind {suffix or '(no extension)'} are not accepted.",
            )
        if f.size > MAX_FILE_BYTES:
            raise refusal(
                "file.too_large",
                f"Tệp {f.name} lớn hơn {MAX_FILE_BYTES // 1024 // 1024} MB.",
                f"{f.name} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.",
            )


def task_spec_problems(
    spec: TaskSpec, directive: Directive, *, file: str = "", row: int | None = None, today: date | None = None
) -> list[Problem]:
    """Everything wrong with a task before it is stored (shared by forms, the API and imports)."""
    today = today or today_local()
    out: list[Problem] = []

    def add(code: str, vi: str, en: str, fld: str) -> None:
        out.append(Problem(code, vi, en, file=file, row=row, field=fld))

    if not spec.content.strip():
        add("task.empty_content", "Nội dung nhiệm vụ trống.", "The task's content is empty.", "content")
    for unit, fld in [(spec.lead, "lead"), *((u, "supporting") for u in spec.supporting)]:
        if unit.valid_to is not None and unit.valid_to <= today:
            add(
                "task.unit_ended",
                f"Đơn vị {unit.name} ({unit.code}) đã thôi hoạt động từ {unit.valid_to:%d/%m/%Y}.",
                f"Unit {unit.name} ({unit.code}) ceased to exist on {unit.valid_to}.",
                fld,
            )
    if spec.recurrence not in Recurrence.values:
        add(
            "task.bad_recurrence",
            f"Chu kỳ không hợp lệ: {spec.recurrence}.",
            f"Unknown recurrence {spec.recurrence}.",
            "deadline",
        )
    elif spec.recurrence == Recurrence.ONCE:
        if spec.due_on is None:
            add("task.deadline_required", "Thiếu thời hạn.", "The deadline is missing.", "deadline")
        elif spec.due_on < directive.issued_on:
            add(
                "task.deadline_before_directive",
                f"Thời hạn {spec.due_on:%d/%m/%Y} trước ngày ban hành văn bản {directive.issued_on:%d/%m/%Y}.",
                f"The deadline {spec.due_on} is before the directive's date {directive.issued_on}.",
                "deadline",
            )
    else:
        start = spec.starts_on or directive.issued_on
        if start < directive.issued_on:
            add(
                "task.start_before_directive",
                "Kỳ đầu tiên bắt đầu trước ngày ban hành văn bản.",
                "The first period starts before the directive's date.",
                "deadline",
            )
        if spec.ends_on is not None and spec.ends_on < start:
            add(
                "task.bad_range",
                "Ngày kết thúc trước ngày bắt đầu.",
                "The end is before the start.",
                "deadline",
            )
        if spec.due_day is not None and not 1 <= spec.due_day <= 31:
            add(
                "task.bad_due_day",
                f"Ngày hạn trong tháng không hợp lệ: {spec.due_day}.",
                f"Invalid day of the month: {spec.due_day}.",
                "deadline",
            )
    if spec.target_indicator and not _INDICATOR.fullmatch(spec.target_indicator):
        add(
            "task.bad_indicator",
            f"Mã chỉ tiêu không hợp lệ: {spec.target_indicator!r} (ví dụ dvc.online_share).",
            f"Invalid indicator code {spec.target_indicator!r} (e.g. dvc.online_share).",
            "target",
        )
    if spec.target_value is not None and not spec.target_indicator:
        add(
            "task.target_without_indicator",
            "Có giá trị mục tiêu nhưng thiếu mã chỉ tiêu.",
            "A target value needs an indicator code.",
            "target",
        )
    return out


def occurrence_recompute(occ: Occurrence) -> None:
    """Derive the deadline, the day done and the progress from the extensions and reports."""
    approved = occ.extensions.filter(state=ExtensionState.APPROVED).order_by("decided_at", "id").last()
    occ.deadline = approved.requested_until if approved else occ.due_on
    reports = list(occ.reports.order_by("at", "id"))
    done = next((r for r in reports if r.percent >= 100), None)
    occ.done_on = local_date(done.at) if done else None
    occ.percent = reports[-1].percent if reports else 0
    occ.reported_at = reports[-1].at if reports else None
    occ.save()


@dataclass
class ImportCounts:
    """Returned by imports: rows created, updated, unchanged, rejected, and why."""

    directive: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    sections: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "directive": self.directive,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "problems": [p.as_dict() for p in self.problems],
        }
