from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from dieuhanh.accounts.admin import ScopedAdmin
from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.environment.models import AlertEpisode, AlertRule, Station


def _audited_save(request: HttpRequest, obj: Model, change: bool, action: str, unit: Any) -> None:
    user = request.user
    actor = Actor.of(user) if isinstance(user, User) else Actor.system("admin")
    with transaction.atomic():
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        obj.save()
        audit_record(actor=actor, action=f"{action}.{'update' if change else 'create'}", obj=obj, unit=unit,
                     before=before, after=snapshot(obj))  # fmt: skip


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    list_display = ("code", "name", "unit", "interval_minutes", "last_seen_at", "latest_aqi", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    readonly_fields = ("last_seen_at", "latest_hour", "latest_aqi", "latest_dominant")

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = self._user(request)
        return bool(user and user.can("administer"))

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        _audited_save(request, obj, change, "station", obj.unit)


@admin.register(AlertRule)
class AlertRuleAdmin(ScopedAdmin):
    unit_field = "station__unit"
    list_display = ("name", "metric", "operator", "value", "consecutive_hours", "station", "active")

    def get_queryset(self, request: HttpRequest) -> Any:
        user = self._user(request)
        qs = AlertRule.objects.all()
        return qs if user and user.can("administer") else qs.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = self._user(request)
        return bool(user and user.can("administer"))

    def save_model(self, request: HttpRequest, obj: AlertRule, form: Any, change: bool) -> None:
        _audited_save(request, obj, change, "alert_rule", obj.station.unit if obj.station else None)


@admin.register(AlertEpisode)
class AlertEpisodeAdmin(ScopedAdmin):
    unit_field = "station__unit"
    list_display = ("station", "kind", "rule", "started_at", "ended_at", "peak_value", "notified_at")
    list_filter = ("kind",)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # episodes are recorded by the alert evaluation only
