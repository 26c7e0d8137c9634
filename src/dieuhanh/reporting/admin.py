"""Report forms in the back office: a form with its elements and rules inline; submissions read-only
(their changes go through the pages, which check rights and write the audit log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dieuhanh.reporting.models import FormElement, ReportForm, Submission, ValidationRule


class ElementInline(admin.TabularInline[FormElement, ReportForm]):
    model = FormElement
    extra = 0
    fields = (
        "position",
        "code",
        "name_vi",
        "name_en",
        "section",
        "value_type",
        "uom",
        "min_value",
        "max_value",
        "required",
        "prefill_indicator",
        "aggregate",
        "target",
        "active",
    )


class RuleInline(admin.TabularInline[ValidationRule, ReportForm]):
    model = ValidationRule
    extra = 0
    fields = ("code", "left", "operator", "right", "missing", "message_vi", "message_en", "active")


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin[ReportForm]):
    list_display = (
        "code",
        "name_vi",
        "regime",
        "first_period",
        "deadline_kind",
        "deadline_value",
        "origin",
        "active",
    )
    list_filter = ("regime", "active")
    search_fields = ("code", "name_vi", "name_en")
    filter_horizontal = ("units",)
    inlines = [ElementInline, RuleInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("origin",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(
            getattr(request.user, "is_superuser", False) or getattr(request.user, "role", "") == "admin"
        )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = ("form", "unit", "period", "status", "submitted_at", "decided_at")
    list_filter = ("form", "status", "period")
    search_fields = ("unit__code", "unit__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
