"""The environment pack's recomputation after AQI rows are derived, as a django-tasks task."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from dieuhanh.environment.services import environment_indicators_compute


@task()
def environment_indicators_task(months: list[str]) -> dict[str, Any]:
    run = environment_indicators_compute(months=months)
    if run is None:
        return {"months": months, "run": None}
    return {"months": months, "run": run.pk, "status": run.status, "written": run.written}
