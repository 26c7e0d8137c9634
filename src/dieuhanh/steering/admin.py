"""Back office: read-only views of directives and tasks, scoped to the user's subtree.

Writes go through the pages, the API and `dieuhanh tasks import` (validated, audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dieuhanh.accounts.admin import ScopedAdmin
from dieuhanh.accounts.models import User
from dieuhanh.steering.models import Directive, Task
from dieuhanh.steering.selectors import directives_visible, tasks_visible


@admin.register(Directive)
class DirectiveAdmin(ScopedAdmin):
    unit_field = "issuer"
    list_display = ("number", "issued_on", "issuer", "summary")
    search_fields = ("number", "summary")
    readonly_fields = ("number", "issued_on", "issuer", "summary", "file", "file_name", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = request.user
        return directives_visible(user=user) if isinstance(user, User) else Directive.objects.none()

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    unit_field = "lead_unit"
    list_display = ("directive", "number", "content", "lead_unit", "recurrence", "due_on")
    list_filter = ("recurrence",)
    search_fields = ("content", "directive__number")
    readonly_fields = (
        "directive",
        "number",
        "content",
        "lead_unit",
        "supporting_units",
        "recurrence",
        "due_on",
        "due_day",
        "starts_on",
        "ends_on",
        "expected_product",
        "target_indicator",
        "target_value",
    )
    exclude = ("position", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = request.user
        return (
            tasks_visible(user=user).select_related("directive", "lead_unit")
            if isinstance(user, User)
            else (Task.objects.none())
        )

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
