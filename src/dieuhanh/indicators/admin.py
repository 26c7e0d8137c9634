from django.contrib import admin

from dieuhanh.indicators.models import ComputeRun, IndicatorDefinition


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: definitions are edited in the packs' YAML, not here."""

    list_display = ("code", "name_vi", "pack", "kind", "unit", "active", "loaded_at")
    list_filter = ("pack", "kind", "active")
    search_fields = ("code", "name_vi", "name_en")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ComputeRun)
class ComputeRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("started_at", "mode", "status", "seconds", "written", "deleted", "batch_id")
    list_filter = ("mode", "status")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
