"""Periods as people read them: ``{{ period|period_label }}`` gives "Tháng 10/2026" for 2026M10."""

from __future__ import annotations

from typing import Any

from django import template

from dieuhanh.core.periods import Period, PeriodError, parse_period
from dieuhanh.web.pages import page_language

register = template.Library()


@register.filter
def period_label(value: Any) -> str:
    """A `Period` or a period key, labelled in the page's language; an unknown key as it is."""
    try:
        period = value if isinstance(value, Period) else parse_period(str(value))
        return period.label("en" if page_language() == "en" else "vi")
    except PeriodError:
        return str(value)
