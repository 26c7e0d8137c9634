"""Row-level scoping: the one place that restricts a queryset to a user's unit subtree.

Selectors, views, the API, exports and the admin all call `restrict`; none re-implements it.
A user with no unit sees nothing (a superuser made with Django's own command included: give it
a unit with `dieuhanh users add`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import models

from dieuhanh.core.errors import PermissionDenied
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

M = TypeVar("M", bound=models.Model)


def subtree_ids(user: User) -> models.QuerySet[OrgUnitClosure, int]:
    """A subquery of the ids of the units in the user's subtree."""
    if user.unit_id is None or not user.is_active:
        return OrgUnitClosure.objects.none().values_list("descendant_id", flat=True)
    return OrgUnitClosure.objects.filter(ancestor_id=user.unit_id).values_list("descendant_id", flat=True)


def restrict(queryset: models.QuerySet[M], user: User, *, unit_field: str = "unit") -> models.QuerySet[M]:
    """Keep the rows whose unit (`unit_field`, a path like "task__lead_unit") is in the user's subtree."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    lookup = "id__in" if queryset.model is OrgUnit and unit_field == "self" else f"{unit_field}__in"
    return queryset.filter(**{lookup: subtree_ids(user)})


def in_scope(user: User, unit: OrgUnit | None) -> bool:
    if unit is None or user.unit_id is None or not user.is_active:
        return False
    return OrgUnitClosure.objects.filter(ancestor_id=user.unit_id, descendant_id=unit.pk).exists()


def require(user: User, action: str, unit: OrgUnit | None) -> None:
    """Refuse unless the user's role allows `action` and `unit` is in the user's subtree."""
    from dieuhanh.accounts.models import ROLE_LABELS, Role

    if not user.can(action):
        vi, en = ROLE_LABELS[Role(user.role)]
        raise PermissionDenied(
            "auth.role",
            f"Vai trò {vi} không được phép thực hiện thao tác này.",
            f"The {en.lower()} role may not do this.",
        )
    if not in_scope(user, unit):
        name = unit.name if unit else "?"
        raise PermissionDenied(
            "auth.scope",
            f"Đơn vị {name} nằm ngoài phạm vi của tài khoản.",
            f"Unit {name} is outside this account's scope.",
        )
