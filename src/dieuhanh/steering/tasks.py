"""The daily job as a django-tasks task, for a worker-based scheduler (`dieuhanh db_worker`)."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date
from django_tasks import task

from dieuhanh.steering.notify import steering_daily


@task()
def steering_daily_task(day: str = "") -> dict[str, Any]:
    """Open recurring periods and send the digests of `day` (ISO date; default today)."""
    return steering_daily(today=parse_date(day) if day else None).as_dict()
