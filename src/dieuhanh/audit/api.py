from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from dieuhanh.accounts.models import User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.selectors import audit_entries

router = Router()


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object: str
    unit: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_object(obj: AuditEntry) -> str:
        return obj.object_repr

    @staticmethod
    def resolve_unit(obj: AuditEntry) -> str | None:
        return obj.unit.code if obj.unit else None


@router.get("", response=list[AuditOut], summary="The audit log of the caller's subtree, newest first")
@paginate(LimitOffsetPagination)
def list_audit(
    request: HttpRequest,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    user = request.user
    assert isinstance(user, User)
    return audit_entries(
        user=user, action=action, object_type=object_type, object_id=object_id, actor=actor, since=since,
        until=until,
    )  # fmt: skip
