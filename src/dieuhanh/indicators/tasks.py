"""The refresh after an ingest batch as a django-tasks task (database backend; `dieuhanh db_worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from dieuhanh.indicators.services import indicator_values_refresh_after_batch
from dieuhanh.ingest.models import IngestBatch


@task()
def indicator_values_refresh_task(batch_id: str) -> dict[str, Any]:
    """Recompute the periods one batch changed. Returns the run's summary (or why nothing ran)."""
    batch = IngestBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return {"batch": batch_id, "run": None, "reason": "no such batch"}
    run = indicator_values_refresh_after_batch(batch=batch)
    if run is None:
        return {"batch": batch_id, "run": None, "reason": "nothing to recompute"}
    return {
        "batch": batch_id,
        "run": run.pk,
        "status": run.status,
        "written": run.written,
        "seconds": run.seconds,
    }
