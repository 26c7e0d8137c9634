"""Labels of statuses and recurrences in the page's language."""

from __future__ import annotations

from django import template

from dieuhanh.steering.schedule import Recurrence, Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


@register.filter
def recurrence_label(value: str) -> str:
    return str(Recurrence(value).label) if value in Recurrence.values else value


@register.filter
def percent_of(value: int, total: int) -> int:
    """Width of a bar: value as a whole percentage of total."""
    return round(100 * value / total) if total else 0
