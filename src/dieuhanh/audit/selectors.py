"""Reading the audit log, scoped like everything else."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from dieuhanh.accounts.scoping import subtree_ids
from dieuhanh.audit.models import AuditEntry

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User


def audit_entries(
    *,
    user: User,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries about units of the user's subtree; entries about no unit only for a root-unit administrator."""
    if not user.is_authenticated or user.unit_id is None or not user.can("view"):
        return AuditEntry.objects.none()
    scope = Q(unit_id__in=subtree_ids(user))
    if user.unit is not None and user.unit.parent_id is None and user.can("administer"):
        scope |= Q(unit__isnull=True)
    qs = AuditEntry.objects.filter(scope).select_related("unit")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_label=actor)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")
