"""Back office (Django admin), restricted to the signed-in user's subtree and role.

Every model admin of dieuhanh derives from `ScopedAdmin`: querysets go through `restrict`, and
rights follow the role (viewers and officers do not use the back office; managers read;
administrators edit). Writes made here go through the same services as the web pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import restrict
from dieuhanh.accounts.services import user_update
from dieuhanh.audit.services import Actor


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    unit_field = "unit"

    def _user(self, request: HttpRequest) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.is_active else None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = self._user(request)
        qs = super().get_queryset(request)
        return restrict(qs, user, unit_field=self.unit_field) if user else qs.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        user = self._user(request)
        return bool(user and user.can("approve"))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        user = self._user(request)
        return bool(user and user.can("administer"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # creation goes through the services (CLI, import pages) so it is audited

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # nothing is deleted: units end, users are deactivated


@admin.register(User)
class UserAdmin(ScopedAdmin):
    list_display = ("username", "unit", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "email", "unit__name", "unit__code")
    fields = ("username", "email", "unit", "role", "is_active", "last_login", "date_joined")
    readonly_fields = ("username", "email", "last_login", "date_joined")
    autocomplete_fields = ("unit",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)
        fresh = User.objects.get(pk=obj.pk)
        user_update(actor=Actor.of(actor), user=fresh, unit=obj.unit, role=obj.role, is_active=obj.is_active)
