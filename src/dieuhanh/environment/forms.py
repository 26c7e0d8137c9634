"""The alert-threshold form of the environment pages (checks are the service's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import User
from dieuhanh.environment.models import AlertRule
from dieuhanh.environment.selectors import stations_for
from dieuhanh.environment.services import ALERT_RULE_FIELDS


class AlertRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AlertRule
        fields = list(ALERT_RULE_FIELDS)  # what the service takes, and only that
        widgets = {"recipients": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        station = self.fields["station"]
        assert isinstance(station, forms.ModelChoiceField)
        station.queryset = stations_for(user=user)
        station.empty_label = str(_("every station"))
