"""Writes to the inventory of information systems: create and update, each audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import Problem, UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.levels import Criteria
from dieuhanh.registry.models import CRITERIA_FIELDS, Hosting, InformationSystem, SystemKind, SystemStatus
from dieuhanh.registry.scoping import registry_require
from dieuhanh.registry.services.feed import registry_figures_changed

SYSTEM_FIELDS = [
    "code", "name", "owner_unit", "operating_unit", "kind", "status", "hosting", "description",
    *CRITERIA_FIELDS, "source",
]  # fmt: skip
EDITABLE = set(SYSTEM_FIELDS) - {"code"}


def _check_choices(values: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for name, choices in (("kind", SystemKind), ("status", SystemStatus)):
        if name in values and values[name] not in choices.values:
            problems.append(Problem("registry.bad_value", f"Giá trị không hợp lệ: {values[name]!r}.",
                                    f"Invalid value {values[name]!r}.", field=name))  # fmt: skip
    if values.get("hosting") and values["hosting"] not in Hosting.values:
        problems.append(Problem("registry.bad_value", f"Giá trị không hợp lệ: {values['hosting']!r}.",
                                f"Invalid value {values['hosting']!r}.", field="hosting"))  # fmt: skip
    if "name" in values and not str(values["name"]).strip():
        problems.append(Problem("value.required", "Thiếu tên hệ thống.", "The system's name is missing.",
                                field="name"))  # fmt: skip
    return problems


def _check_criteria(criteria: Criteria) -> list[Problem]:
    return [Problem("registry.bad_criteria", vi, en, field=f) for f, vi, en in criteria.problems()]


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise UserError(
            "registry.bad_system",
            "Thông tin hệ thống chưa hợp lệ.",
            "The system's information is not valid.",
            problems=problems,
        )


def system_next_code(owner: OrgUnit) -> str:
    """A readable code for a new system of `owner`: "<unit code>-HT01", "-HT02", …"""
    prefix = f"{owner.code}-HT"
    taken = set(InformationSystem.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    n = len(taken) + 1
    while f"{prefix}{n:02d}" in taken:
        n += 1
    return f"{prefix}{n:02d}"


def system_create(
    *,
    actor: Actor,
    name: str,
    owner_unit: OrgUnit,
    code: str = "",
    operating_unit: OrgUnit | None = None,
    kind: str = SystemKind.OTHER,
    status: str = SystemStatus.OPERATING,
    hosting: str = "",
    description: str = "",
    criteria: Criteria | None = None,
    source: str = "",
) -> InformationSystem:
    """Register a system of `owner_unit` (in the actor's scope, officer role or above)."""
    if actor.user is not None:
        registry_require(actor.user, "submit", owner_unit)
    criteria = criteria or Criteria()
    _refuse(_check_choices({"name": name, "kind": kind, "status": status, "hosting": hosting})
            + _check_criteria(criteria))  # fmt: skip
    code = code.strip()
    if code and InformationSystem.objects.filter(code=code).exists():
        raise UserError("registry.duplicate_system", f"Mã hệ thống {code} đã tồn tại.",
                        f"System code {code} already exists.")  # fmt: skip
    with transaction.atomic():
        system = InformationSystem(
            code=code or system_next_code(owner_unit), name=name.strip(), owner_unit=owner_unit,
            operating_unit=operating_unit, kind=kind, status=status, hosting=hosting,
            description=description, source=source, **criteria.as_dict(),
        )  # fmt: skip
        system.save()
        registry_figures_changed()
        audit_record(actor=actor, action="registry.system.create", obj=system, unit=owner_unit,
                     after=snapshot(system, SYSTEM_FIELDS))  # fmt: skip
    return system


def system_update(*, actor: Actor, system: InformationSystem, changes: Mapping[str, Any]) -> bool:
    """Change some fields of a system. Returns False (and writes nothing) when nothing changes.

    A change of the criteria after approval is allowed (facts change) and is flagged by the
    selectors until a new dossier is approved.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise UserError("registry.bad_field", f"Không sửa được trường: {', '.join(sorted(unknown))}.",
                        f"These fields cannot be changed: {', '.join(sorted(unknown))}.")  # fmt: skip
    if actor.user is not None:
        registry_require(actor.user, "submit", system.owner_unit)
        new_owner = changes.get("owner_unit")
        if isinstance(new_owner, OrgUnit) and new_owner.pk != system.owner_unit_id:
            registry_require(actor.user, "submit", new_owner)
    merged = {f: getattr(system, f) for f in CRITERIA_FIELDS} | {
        k: v for k, v in changes.items() if k in CRITERIA_FIELDS
    }
    _refuse(_check_choices(changes) + _check_criteria(Criteria.from_dict(merged)))
    before = snapshot(system, SYSTEM_FIELDS)
    for k, v in changes.items():
        setattr(system, k, v.strip() if isinstance(v, str) and k == "name" else v)
    after = snapshot(system, SYSTEM_FIELDS)
    if before == after:
        return False
    note = ""
    if system.approval_id and any(before[f] != after[f] for f in CRITERIA_FIELDS):
        note = "Thông tin xác định cấp độ thay đổi sau phê duyệt / criteria changed after approval"
    with transaction.atomic():
        system.save()
        registry_figures_changed()
        audit_record(actor=actor, action="registry.system.update", obj=system, unit=system.owner_unit,
                     before=before, after=after, note=note)  # fmt: skip
    return True
