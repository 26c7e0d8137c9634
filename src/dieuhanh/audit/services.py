"""Writing the audit log. Call `audit_record` inside the transaction of the write it describes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from dieuhanh.audit.models import AuditEntry

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User
    from dieuhanh.orgunits.models import OrgUnit


@dataclass(frozen=True)
class Actor:
    """Who performs a write: a signed-in user, or a named process (CLI, API key, scheduler)."""

    label: str
    user: User | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(label=user.get_username(), user=user)

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(label=what)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-ready (foreign keys as their ids)."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in {"password"}:
            continue
        out[f.name] = _jsonable(getattr(obj, f.attname))
    return out


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit: OrgUnit | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Record one write. Must run inside the write's transaction (refused otherwise)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the write it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor.user,
        actor_label=actor.label[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        unit=unit,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        note=note,
    )
