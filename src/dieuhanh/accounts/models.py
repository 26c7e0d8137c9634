"""Accounts: every user belongs to one unit and has one role; they see that unit's subtree only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("viewer")
    OFFICER = "officer", _("data officer")
    MANAGER = "manager", _("unit manager")
    ADMIN = "admin", _("administrator")


# Vietnamese and English role names for the CLI and messages.
ROLE_LABELS = {
    Role.VIEWER: ("Người xem", "Viewer"),
    Role.OFFICER: ("Cán bộ nhập liệu", "Data officer"),
    Role.MANAGER: ("Lãnh đạo đơn vị", "Unit manager"),
    Role.ADMIN: ("Quản trị", "Administrator"),
}

# What each role may do inside its unit's subtree. A higher role has every right of the lower ones.
RANK = {Role.VIEWER: 0, Role.OFFICER: 1, Role.MANAGER: 2, Role.ADMIN: 3}


class Action(models.TextChoices):
    VIEW = "view"  # read figures, records, the audit log of the subtree
    SUBMIT = "submit"  # send data, report progress, upload files
    APPROVE = "approve"  # accept or return submissions, approve extensions, manage tasks
    ADMINISTER = "administer"  # users, units, sources, definitions


MIN_ROLE = {
    Action.VIEW: Role.VIEWER,
    Action.SUBMIT: Role.OFFICER,
    Action.APPROVE: Role.MANAGER,
    Action.ADMINISTER: Role.ADMIN,
}


class User(AbstractUser):
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(
        _("language"), max_length=8, default="vi", choices=[("vi", "Tiếng Việt"), ("en", "English")]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def can(self, action: str) -> bool:
        """Whether the role allows this action (within the user's subtree)."""
        if not self.is_active:
            return False
        return RANK[Role(self.role)] >= RANK[MIN_ROLE[Action(action)]]
