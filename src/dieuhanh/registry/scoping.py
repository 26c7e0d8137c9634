"""Who sees, edits, appraises and approves in the registry.

Reads and edits follow the foundation's scoping (`accounts.scoping.restrict` / `require`: a unit
sees and edits its subtree), widened in one way only: the dedicated information-security unit
registered for an owner (`SecurityUnitAssignment`, e.g. the Department of Science and Technology
for the province) keeps the registry for that owner's whole subtree, so "the Department sees all".

Appraisal and approval are stricter: the unit the decree names acts, and only it
(`require_acting_unit`): a province manager does not approve in the security unit's place.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from dieuhanh.accounts.models import ROLE_LABELS, Role, User
from dieuhanh.accounts.scoping import in_scope, require, restrict
from dieuhanh.core.errors import PermissionDenied
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure
from dieuhanh.registry.models import SecurityUnitAssignment

M = TypeVar("M", bound=models.Model)


def _kept_subtree_ids(user: User) -> models.QuerySet[OrgUnitClosure, int]:
    """Ids of the units whose registry the user's unit keeps as a security unit."""
    owners = SecurityUnitAssignment.objects.filter(security_unit_id=user.unit_id).values("owner_id")
    return OrgUnitClosure.objects.filter(ancestor_id__in=owners).values_list("descendant_id", flat=True)


def registry_restrict(queryset: models.QuerySet[M], user: User, *, unit_field: str) -> models.QuerySet[M]:
    """The rows of the user's subtree, plus those of the owners their unit keeps the registry for."""
    own = restrict(queryset, user, unit_field=unit_field)
    if not getattr(user, "is_authenticated", False) or user.unit_id is None or not user.is_active:
        return own
    lookup = "id__in" if unit_field == "self" else f"{unit_field}__in"
    kept = queryset.filter(**{lookup: _kept_subtree_ids(user)})
    return (own | kept).distinct()


def registry_in_scope(user: User, unit: OrgUnit | None) -> bool:
    if in_scope(user, unit):
        return True
    if unit is None or user.unit_id is None or not user.is_active:
        return False
    return _kept_subtree_ids(user).filter(descendant_id=unit.pk).exists()


def registry_require(user: User, action: str, unit: OrgUnit | None) -> None:
    """`accounts.scoping.require`, the keeper of the unit's registry being in scope too."""
    try:
        require(user, action, unit)
    except PermissionDenied as exc:
        if exc.code != "auth.scope" or not registry_in_scope(user, unit):
            raise


def security_unit_for(owner: OrgUnit) -> OrgUnit:
    """The owner's dedicated security unit: the nearest assignment up the tree, else the owner itself."""
    ancestors = list(OrgUnit.objects.ancestors_of(owner))  # root first, the owner last
    assigned = {
        a.owner_id: a.security_unit
        for a in SecurityUnitAssignment.objects.filter(owner__in=ancestors).select_related("security_unit")
    }
    for unit in reversed(ancestors):
        if unit.pk in assigned:
            return assigned[unit.pk]
    return owner


def require_acting_unit(user: User, action: str, unit: OrgUnit, who_vi: str, who_en: str) -> None:
    """Refuse unless the user's role allows `action` and the user belongs to exactly `unit`."""
    if not user.can(action):
        vi, en = ROLE_LABELS[Role(user.role)]
        raise PermissionDenied(
            "auth.role",
            f"Vai trò {vi} không được phép thực hiện thao tác này.",
            f"The {en.lower()} role may not do this.",
        )
    if user.unit_id != unit.pk:
        raise PermissionDenied(
            "registry.not_acting_unit",
            f"Chỉ {who_vi} ({unit.name}) được thực hiện bước này.",
            f"Only {who_en.lower()} ({unit.name}) may take this step.",
        )
