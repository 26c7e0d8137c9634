"""Back office for the registry: read-only lists scoped like the pages (writes go through the
services, from the pages, the API and the CLI, so they are validated and audited)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from dieuhanh.accounts.admin import ScopedAdmin
from dieuhanh.registry.models import (
    InformationSystem,
    IocCentre,
    LevelDossier,
    LgspConnection,
    NationalSystem,
    Platform,
    ProgrammeTimeline,
)


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(InformationSystem)
class InformationSystemAdmin(ReadOnlyScopedAdmin):
    unit_field = "owner_unit"
    list_display = ("code", "name", "owner_unit", "kind", "status", "approval")
    list_filter = ("kind", "status")
    search_fields = ("code", "name")


@admin.register(LevelDossier)
class LevelDossierAdmin(ReadOnlyScopedAdmin):
    unit_field = "system__owner_unit"
    list_display = ("system", "regime", "proposed_level", "status", "decision_number", "decision_date")
    list_filter = ("status", "regime", "proposed_level")


@admin.register(LgspConnection)
class LgspConnectionAdmin(ReadOnlyScopedAdmin):
    list_display = ("unit", "national_system", "status", "connected_on")
    list_filter = ("status",)


@admin.register(Platform)
class PlatformAdmin(ReadOnlyScopedAdmin):
    list_display = ("code", "name", "unit", "status")


@admin.register(IocCentre)
class IocCentreAdmin(ReadOnlyScopedAdmin):
    list_display = ("unit", "name", "status", "operating_since")


@admin.register(ProgrammeTimeline)
class ProgrammeTimelineAdmin(ReadOnlyScopedAdmin):
    list_display = ("unit", "programme", "title", "registered_on")


@admin.register(NationalSystem)
class NationalSystemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The national list: read here; change it with PUT /api/v1/registry/national-systems/{code}."""

    list_display = ("position", "code", "name", "managing_body", "active")

    def has_module_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(getattr(user, "is_active", False) and getattr(user, "can", lambda _a: False)("approve"))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
