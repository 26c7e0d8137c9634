from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dieuhanh.accounts.admin import ScopedAdmin
from dieuhanh.orgunits.models import OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    unit_field = "self"
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("code", "name", "name_en", "kind", "parent", "valid_from", "valid_to", "source")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # units change through `dieuhanh units import` (validated, audited)
