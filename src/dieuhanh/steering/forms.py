"""Forms of the steering pages. They only read input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.schedule import Recurrence
from dieuhanh.steering.services import TaskSpec, Upload

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def uploads(files: Any) -> list[Upload]:
    """`Upload`s from one uploaded file, a list of them, or nothing."""
    if files is None:
        return []
    items = files if isinstance(files, list) else [files]
    return [Upload(name=f.name or "tep", content=f, size=f.size or 0) for f in items]


def _units() -> Any:
    return OrgUnit.objects.filter(valid_to__isnull=True).order_by("kind", "name")


class DirectiveForm(forms.Form):
    number = forms.CharField(
        label=_("Number and sign"), max_length=80, widget=forms.TextInput(attrs={"placeholder": "45/KH-UBND"})
    )
    issued_on = forms.DateField(label=_("Date"), widget=DATE)
    issuer = forms.ModelChoiceField(label=_("Issued by"), queryset=OrgUnit.objects.none())
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args: Any, issuers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers if issuers is not None else _units()  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Task table (XLSX or CSV)"))


class TaskForm(forms.Form):
    number = forms.CharField(label=_("No."), max_length=20, required=False)
    content = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.ModelChoiceField(label=_("Lead unit"), queryset=OrgUnit.objects.none())
    supporting = forms.ModelMultipleChoiceField(
        label=_("Supporting units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices, initial=Recurrence.ONCE)
    due_on = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE,
        help_text=_("For a task due once: the last day on which finishing is on time."),
    )
    due_day = forms.IntegerField(
        label=_("Day of the month due"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_(
            "Recurring tasks: the day of the period's last month (default: its "
            "last day; the 25th for Decree 09 windows)."
        ),
    )
    starts_on = forms.DateField(label=_("Recurs from"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Recurs until"), required=False, widget=DATE)
    expected_product = forms.CharField(label=_("Expected product"), max_length=300, required=False)
    target_indicator = forms.CharField(
        label=_("Target indicator (code)"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "dvc.online_share"}),
    )
    target_value = forms.DecimalField(
        label=_("Target value"), required=False, max_digits=14, decimal_places=4
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = _units()  # type: ignore[attr-defined]
        self.fields["supporting"].queryset = _units()  # type: ignore[attr-defined]

    def spec(self) -> TaskSpec:
        d = self.cleaned_data
        return TaskSpec(
            content=d["content"],
            lead=d["lead"],
            supporting=tuple(d["supporting"]),
            number=d["number"] or "",
            recurrence=d["recurrence"],
            due_on=d["due_on"],
            due_day=d["due_day"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            expected_product=d["expected_product"] or "",
            target_indicator=d["target_indicator"] or "",
            target_value=d["target_value"],
        )


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Done (%)"), min_value=0, max_value=100)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
