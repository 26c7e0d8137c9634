"""Report forms in the back office: a form with its elements and rules inline, for administrators.

Forms loaded from a pack are read-only here (their file is their source: edit it and run
`dieuhanh report sync`); forms made here are never overwritten by a file. Every save is audited.
Submissions are read-only (their changes go through the pages, which check rights).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor, audit_record
from dieuhanh.reporting.models import FormElement, ReportForm, Submission, ValidationRule


def _admin(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_active and user.can("administer")


def _editable(request: HttpRequest, obj: Model | None) -> bool:
    return _admin(request) and not (isinstance(obj, ReportForm) and obj.origin)


class ElementInline(admin.TabularInline[FormElement, ReportForm]):
    model = FormElement
    extra = 0
    fields = ("position", "code", "name_vi", "name_en", "section", "value_type", "uom", "min_value", "max_value",
              "required", "prefill_indicator", "aggregate", "target", "active")  # fmt: skip

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate instead: submitted values keep their element


class RuleInline(admin.TabularInline[ValidationRule, ReportForm]):
    model = ValidationRule
    extra = 0
    fields = ("code", "left", "operator", "right", "missing", "message_vi", "message_en", "active")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _editable(request, obj)


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
    readonly_fields = ("origin",)
    inlines = [ElementInline, RuleInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate instead: submissions keep their form

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        user = request.user
        assert isinstance(user, User)
        elements = list(obj.elements.values_list("code", flat=True))
        rules = list(obj.rules.values("code", "left", "operator", "right"))
        # The admin's change view runs in one transaction: the audit row commits with the form.
        audit_record(actor=Actor.of(user), action="report.form_update" if change else "report.form_create",
                     obj=obj, after={"elements": elements, "rules": rules}, note="admin")  # fmt: skip


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = ("form", "unit", "period", "status", "submitted_at", "decided_at")
    list_filter = ("form", "status", "period")
    search_fields = ("unit__code", "unit__name")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
