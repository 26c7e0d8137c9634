"""The daily reporting job as a django-tasks task (enqueued by `dieuhanh scheduler`)."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date
from django_tasks import task

from dieuhanh.reporting.services import reporting_daily


@task()
def reporting_daily_task(day: str = "") -> dict[str, Any]:
    """Send the due reminders and republish the completeness of recent periods for `day`."""
    return reporting_daily(today=parse_date(day) if day else None)
