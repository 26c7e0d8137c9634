"""Writes to the national list, the LGSP's connections, the digital platforms and the security units.

Each save creates or updates one row (keyed by its code or its unit and national system), writes
nothing when nothing changes, and audits every change.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.db import models, transaction
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import PermissionDenied, UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import (
    ConnectionStatus,
    LgspConnection,
    NationalSystem,
    Platform,
    PlatformStatus,
    SecurityUnitAssignment,
)
from dieuhanh.registry.scoping import registry_require
from dieuhanh.registry.services.feed import registry_figures_changed

Outcome = Literal["created", "updated", "unchanged"]


def upsert_audited(
    actor: Actor,
    model: type[models.Model],
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    action: str,
    unit: OrgUnit | None,
) -> tuple[Any, Outcome]:
    """Create or update one row by `key`, audited; a no-op writes nothing."""
    with transaction.atomic():
        obj = model._default_manager.filter(**key).first()
        if obj is None:
            obj = model(**key, **values)
            obj.save()
            registry_figures_changed()
            audit_record(actor=actor, action=f"{action}.create", obj=obj, unit=unit, after=snapshot(obj))
            return obj, "created"
        before = snapshot(obj)
        for k, v in values.items():
            setattr(obj, k, v)
        after = snapshot(obj)
        if before == after:
            return obj, "unchanged"
        obj.save()
        registry_figures_changed()
        audit_record(actor=actor, action=f"{action}.update", obj=obj, unit=unit, before=before, after=after)
        return obj, "updated"


def _require_national_editor(user: User) -> None:
    """The national list is edited by an administrator of a root unit or of a registry-keeping unit."""
    if not user.can("administer"):
        raise PermissionDenied("auth.role", "Chỉ quản trị viên được sửa danh mục quốc gia.",
                               "Only administrators may edit the national list.")  # fmt: skip
    unit = user.unit
    keeper = SecurityUnitAssignment.objects.filter(security_unit_id=user.unit_id).exists()
    if unit is None or (unit.parent_id is not None and not keeper):
        raise PermissionDenied("auth.scope", "Danh mục quốc gia do cấp tỉnh quản lý.",
                               "The national list is kept at the provincial level.")  # fmt: skip


def security_unit_assign(*, actor: Actor, owner: OrgUnit, security_unit: OrgUnit, note: str = "") -> Outcome:
    """Register `security_unit` as the dedicated security unit of `owner` and its subtree."""
    if actor.user is not None:
        registry_require(actor.user, "administer", owner)
    _, outcome = upsert_audited(actor, SecurityUnitAssignment, {"owner": owner},
                         {"security_unit": security_unit, "note": note},
                         action="registry.security_unit", unit=owner)  # fmt: skip
    return outcome


def national_system_save(
    *,
    actor: Actor,
    code: str,
    name: str,
    name_en: str = "",
    managing_body: str = "",
    position: int = 0,
    active: bool = True,
    note: str = "",
    source: str = "",
) -> tuple[NationalSystem, Outcome]:
    if actor.user is not None:
        _require_national_editor(actor.user)
    if not code.strip() or not name.strip():
        raise UserError("value.required", "Cần mã và tên.", "A code and a name are required.")
    values = {"name": name.strip(), "name_en": name_en, "managing_body": managing_body, "position": position,
              "active": active, "note": note, "source": source}  # fmt: skip
    obj, outcome = upsert_audited(actor, NationalSystem, {"code": code.strip()}, values,
                           action="registry.national_system", unit=None)  # fmt: skip
    return obj, outcome


def _check_dates(pairs: list[tuple[str, date | None]], today: date) -> None:
    for name, day in pairs:
        if name != "planned_on" and day is not None and day > today:
            raise UserError("registry.date_in_future", f"Ngày {day:%d/%m/%Y} ở tương lai.",
                            f"The date {day} ({name}) is in the future.")  # fmt: skip


def connection_save(
    *,
    actor: Actor,
    unit: OrgUnit,
    national_system: NationalSystem,
    status: str,
    planned_on: date | None = None,
    connected_on: date | None = None,
    stopped_on: date | None = None,
    note: str = "",
    source: str = "",
    today: date | None = None,
) -> tuple[LgspConnection, Outcome]:
    """The state of the LGSP's connection of `unit` to one national database or system."""
    if actor.user is not None:
        registry_require(actor.user, "submit", unit)
    if status not in ConnectionStatus.values:
        raise UserError(
            "registry.bad_value", f"Trạng thái không hợp lệ: {status}.", f"Unknown status {status}."
        )
    _check_dates([("connected_on", connected_on), ("stopped_on", stopped_on)], today or timezone.localdate())
    values = {"status": status, "planned_on": planned_on, "connected_on": connected_on, "stopped_on": stopped_on,
              "note": note, "source": source}  # fmt: skip
    obj, outcome = upsert_audited(actor, LgspConnection, {"unit": unit, "national_system": national_system}, values,
                           action="registry.connection", unit=unit)  # fmt: skip
    return obj, outcome


def platform_save(
    *,
    actor: Actor,
    code: str,
    name: str,
    unit: OrgUnit,
    status: str,
    name_en: str = "",
    deployed_on: date | None = None,
    note: str = "",
    source: str = "",
) -> tuple[Platform, Outcome]:
    """A digital platform deployed (or planned) in `unit`."""
    if actor.user is not None:
        registry_require(actor.user, "submit", unit)
        existing = Platform.objects.filter(code=code).select_related("unit").first()
        if existing is not None:
            registry_require(actor.user, "submit", existing.unit)
    if status not in PlatformStatus.values:
        raise UserError(
            "registry.bad_value", f"Trạng thái không hợp lệ: {status}.", f"Unknown status {status}."
        )
    values = {"name": name, "name_en": name_en, "unit": unit, "status": status, "deployed_on": deployed_on,
              "note": note, "source": source}  # fmt: skip
    obj, outcome = upsert_audited(
        actor, Platform, {"code": code}, values, action="registry.platform", unit=unit
    )
    return obj, outcome
