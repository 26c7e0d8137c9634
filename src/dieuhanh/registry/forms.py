"""Forms of the registry's pages. They only parse input: the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import User
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import CRITERIA_FIELDS, InformationSystem, Regime
from dieuhanh.registry.scoping import registry_restrict

LEVEL_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


class SystemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InformationSystem
        fields = ["name", "owner_unit", "operating_unit", "kind", "status", "hosting", "description",
                  *CRITERIA_FIELDS]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = registry_restrict(OrgUnit.objects.current(), user, unit_field="self").order_by("kind", "code")
        self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["operating_unit"].queryset = units  # type: ignore[attr-defined]


class DossierCreateForm(forms.Form):
    proposed_level = forms.TypedChoiceField(label=_("proposed level"), choices=LEVEL_CHOICES, coerce=int,
                                            required=False, empty_value=None)  # fmt: skip
    override_reason = forms.CharField(label=_("reason for another level"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    regime = forms.ChoiceField(label=_("legal regime"), required=False,
                               choices=[("", _("by the dossier's date")), *Regime.choices])  # fmt: skip


class DayForm(forms.Form):
    on = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AppraiseForm(DayForm):
    reference = forms.CharField(label=_("appraisal document"), required=False, max_length=120)
    opinion = forms.CharField(
        label=_("appraisal opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApproveForm(forms.Form):
    decision_number = forms.CharField(label=_("decision number"), max_length=120)
    decision_date = forms.DateField(label=_("decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    legal_basis = forms.CharField(
        label=_("legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("reason for returning"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX or CSV file"))
