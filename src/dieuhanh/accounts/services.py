"""Writes to accounts: creating users, changing roles and units, passwords. Each is audited."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.scoping import require
from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnit

_FIELDS = ["username", "unit", "role", "is_active", "is_staff", "email", "first_name", "last_name"]


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        msgs = "; ".join(str(m) for m in exc.messages)
        raise UserError(
            "user.weak_password", f"Mật khẩu chưa đủ mạnh: {msgs}", f"Weak password: {msgs}"
        ) from exc


def user_create(
    *,
    actor: Actor,
    username: str,
    unit: OrgUnit,
    role: str,
    password: str,
    email: str = "",
    full_name: str = "",
) -> User:
    """Create an account bound to a unit and a role. A user may only create accounts in their subtree."""
    if role not in Role.values:
        raise UserError(
            "user.bad_role",
            f"Vai trò không hợp lệ: {role} (viewer, officer, manager, admin).",
            f"Unknown role {role} (viewer, officer, manager, admin).",
        )
    if actor.user is not None:
        require(actor.user, "administer", unit)
    if User.objects.filter(username=username).exists():
        raise UserError(
            "user.exists", f"Tài khoản {username} đã tồn tại.", f"User {username} already exists."
        )
    _check_password(password)
    with transaction.atomic():
        user = User(
            username=username,
            unit=unit,
            role=role,
            email=email,
            first_name=full_name,
            # Managers and administrators use the back office (restricted to their subtree).
            is_staff=role in (Role.MANAGER, Role.ADMIN),
        )
        user.set_password(password)
        user.save()
        audit_record(actor=actor, action="user.create", obj=user, unit=unit, after=snapshot(user, _FIELDS))
    return user


def user_update(
    *,
    actor: Actor,
    user: User,
    unit: OrgUnit | None = None,
    role: str | None = None,
    is_active: bool | None = None,
) -> User:
    if actor.user is not None:
        require(actor.user, "administer", user.unit)
        if unit is not None:
            require(actor.user, "administer", unit)
    if role is not None and role not in Role.values:
        raise UserError("user.bad_role", f"Vai trò không hợp lệ: {role}.", f"Unknown role {role}.")
    with transaction.atomic():
        before = snapshot(user, _FIELDS)
        if unit is not None:
            user.unit = unit
        if role is not None:
            user.role = role
            user.is_staff = role in (Role.MANAGER, Role.ADMIN)
        if is_active is not None:
            user.is_active = is_active
        after = snapshot(user, _FIELDS)
        if before != after:
            user.save()
            audit_record(
                actor=actor, action="user.update", obj=user, unit=user.unit, before=before, after=after
            )
    return user


def user_set_password(*, actor: Actor, user: User, password: str) -> None:
    if actor.user is not None and actor.user.pk != user.pk:
        require(actor.user, "administer", user.unit)
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor, action="user.set_password", obj=user, unit=user.unit, note="password changed"
        )
