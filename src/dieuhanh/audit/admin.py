from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dieuhanh.accounts.admin import ScopedAdmin
from dieuhanh.accounts.models import User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.selectors import audit_entries


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "unit")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_label", "object_id")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = request.user
        return audit_entries(user=user) if isinstance(user, User) else AuditEntry.objects.none()

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
