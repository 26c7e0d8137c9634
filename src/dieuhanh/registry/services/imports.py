"""Importing the inventory: each bad row is refused on its own, the other rows are written.

A row is refused (row, field, reason in Vietnamese and English) for an unknown owner or
operating unit, a level outside 1–5, an approval date in the future or before the submission,
an approved level without a decision number (or date, or level), a system repeated in the file,
or an owner outside the importer's scope. Rows are matched to registered systems by code, else by
owner and name, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.tabular import fold
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.levels import Criteria
from dieuhanh.registry.models import OPEN_STATUSES, DossierStatus, InformationSystem, SystemKind, SystemStatus
from dieuhanh.registry.readers import SystemRow
from dieuhanh.registry.scoping import registry_require
from dieuhanh.registry.services.dossiers import dossier_create, dossier_record_approval, dossier_update
from dieuhanh.registry.services.systems import system_create, system_update


@dataclass
class ImportResult:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)

    @property
    def accepted(self) -> int:
        """Rows that created or changed something."""
        return self.created + self.updated

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def refuse(self, row: int, code: str, vi: str, en: str, fld: str) -> None:
        self.problems.append(Problem(code, vi, en, file=self.file, row=row, field=fld))
        self.rejected_rows.add(row)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "unchanged": self.unchanged,
            "created": self.created,
            "updated": self.updated,
            "problems": [p.as_dict() for p in sorted(self.problems, key=lambda p: (p.row or 0, p.field))],
        }


def _validate(rows: list[SystemRow], units: dict[str, OrgUnit], actor: Actor, result: ImportResult) -> None:
    today = timezone.localdate()
    seen_key: dict[tuple[str, str], int] = {}
    seen_code: dict[str, int] = {}
    for r in rows:
        bad = result.refuse
        if r.owner_code not in units:
            bad(r.row, "registry.unknown_owner", f"Đơn vị chủ quản {r.owner_code} không có trong hệ thống.",
                f"Owner unit {r.owner_code} is unknown.", "owner")  # fmt: skip
        elif actor.user is not None:
            try:
                registry_require(
                    actor.user, "approve" if r.approval_claimed else "submit", units[r.owner_code]
                )
            except UserError as exc:
                bad(r.row, exc.code, exc.message_vi, exc.message_en, "owner")
        if r.operator_code and r.operator_code not in units:
            bad(r.row, "registry.unknown_operator", f"Đơn vị vận hành {r.operator_code} không có trong hệ thống.",
                f"Operating unit {r.operator_code} is unknown.", "operator")  # fmt: skip
        if r.approval_claimed:
            if not r.decision_number:
                bad(r.row, "registry.no_decision_number", "Cấp độ đã phê duyệt nhưng thiếu số quyết định phê duyệt.",
                    "An approved level without the approval decision's number.", "decision_number")  # fmt: skip
            if r.decision_date is None:
                bad(r.row, "registry.no_decision_date", "Cấp độ đã phê duyệt nhưng thiếu ngày phê duyệt.",
                    "An approved level without the approval date.", "decision_date")  # fmt: skip
            if r.level is None:
                bad(r.row, "registry.no_level", "Có quyết định phê duyệt nhưng thiếu cấp độ.",
                    "An approval decision without the level.", "level")  # fmt: skip
        if r.decision_date is not None and r.decision_date > today:
            bad(r.row, "registry.date_in_future", f"Ngày phê duyệt {r.decision_date:%d/%m/%Y} ở tương lai.",
                f"The approval date {r.decision_date} is in the future.", "decision_date")  # fmt: skip
        if r.decision_date is not None and r.submitted_on is not None and r.decision_date < r.submitted_on:
            bad(r.row, "registry.date_before_submission",
                f"Ngày phê duyệt {r.decision_date:%d/%m/%Y} trước ngày trình {r.submitted_on:%d/%m/%Y}.",
                f"The approval date {r.decision_date} is before the submission on {r.submitted_on}.",
                "decision_date")  # fmt: skip
        key = (r.owner_code, fold(r.name))
        if key in seen_key:
            bad(r.row, "registry.duplicate_system",
                f"Hệ thống “{r.name}” của đơn vị {r.owner_code} trùng với dòng {seen_key[key]}.",
                f"System “{r.name}” of unit {r.owner_code} repeats row {seen_key[key]}.", "name")  # fmt: skip
        elif r.code and r.code in seen_code:
            bad(r.row, "registry.duplicate_system", f"Mã hệ thống {r.code} trùng với dòng {seen_code[r.code]}.",
                f"System code {r.code} repeats row {seen_code[r.code]}.", "code")  # fmt: skip
        seen_key.setdefault(key, r.row)
        if r.code:
            seen_code.setdefault(r.code, r.row)


def _find(r: SystemRow, units: dict[str, OrgUnit]) -> InformationSystem | None:
    if r.code:
        found = InformationSystem.objects.filter(code=r.code).first()
        if found is not None:
            return found
    folded = fold(r.name)
    for s in InformationSystem.objects.filter(owner_unit=units[r.owner_code]):
        if fold(s.name) == folded:
            return s
    return None


def _facts(r: SystemRow) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if r.handles_procedures is not None:
        facts["handles_procedures"] = r.handles_procedures
    if r.data_subjects is not None:
        facts["data_subjects"] = r.data_subjects
        if r.data_subjects > 0:
            facts["personal_data"] = True
    return facts


def _write(actor: Actor, r: SystemRow, units: dict[str, OrgUnit], file: str) -> str:
    """Apply one valid row. Returns "created", "updated" or "unchanged"."""
    owner = units[r.owner_code]
    operator = units.get(r.operator_code) if r.operator_code else None
    system = _find(r, units)
    changed = False
    if system is None:
        system = system_create(
            actor=actor, name=r.name, owner_unit=owner, code=r.code, operating_unit=operator,
            kind=r.kind or SystemKind.OTHER, status=r.status or SystemStatus.OPERATING, hosting=r.hosting or "",
            description=r.description or "", criteria=Criteria(**_facts(r)), source=file,
        )  # fmt: skip
        created = True
    else:
        created = False
        changes: dict[str, Any] = {"name": r.name, "owner_unit": owner, **_facts(r)}
        for name, value in (("operating_unit", operator), ("kind", r.kind), ("status", r.status),
                            ("hosting", r.hosting), ("description", r.description)):  # fmt: skip
            if value is not None:
                changes[name] = value
        changed = system_update(actor=actor, system=system, changes=changes)
    if r.approval_claimed and r.decision_date is not None and r.level is not None:
        current = system.approval
        same = current is not None and (current.proposed_level, current.decision_number, current.decision_date) == (
            r.level, r.decision_number, r.decision_date)  # fmt: skip
        if not same:
            dossier_record_approval(
                actor=actor, system=system, level=r.level, decision_number=r.decision_number,
                decision_date=r.decision_date, submitted_on=r.submitted_on, legal_basis=r.legal_basis,
                source=file,
            )  # fmt: skip
            changed = True
    elif r.level is not None:
        changed = _proposed_level(actor, system, r.level, file) or changed
    return "created" if created else "updated" if changed else "unchanged"


def _proposed_level(actor: Actor, system: InformationSystem, level: int, file: str) -> bool:
    """A level without an approval is the proposed level of the system's open (draft) dossier."""
    reason = f"Cấp độ đề xuất nhập từ tệp {file} / proposed level imported from {file}"
    open_dossier = system.dossiers.filter(status__in=OPEN_STATUSES).first()
    if open_dossier is None:
        if system.approval is not None and system.approval.proposed_level == level:
            return False
        dossier_create(actor=actor, system=system, proposed_level=level, override_reason=reason)
        return True
    if open_dossier.proposed_level == level or open_dossier.status not in (
        DossierStatus.DRAFT,
        DossierStatus.RETURNED,
    ):
        return False
    dossier_update(actor=actor, dossier=open_dossier, proposed_level=level, override_reason=reason)
    return True


def system_import(
    *, actor: Actor, rows: list[SystemRow], file: str, problems: Sequence[Problem] = ()
) -> ImportResult:
    """Import the readable rows of an inventory file; `problems` are the reader's, reported as rejected."""
    result = ImportResult(file=file)
    for p in problems:
        result.problems.append(p)
        if p.row is not None:
            result.rejected_rows.add(p.row)
    codes = {r.owner_code for r in rows} | {r.operator_code for r in rows if r.operator_code}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    _validate(rows, units, actor, result)
    with transaction.atomic():
        for r in rows:
            if r.row in result.rejected_rows:
                continue
            outcome = _write(actor, r, units, file)
            if outcome == "created":
                result.created += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
    return result
