"""The registry's figures into the fact lake, where the indicators read them (never retyped).

`registry_figures_publish` writes the counts of `selectors.registry_data_values` (data elements
``registry.<figure>``, per owning unit) into the lake's ``data_values`` table through the normal
ingest path (a batch of the source ``so-dang-ky-chinh-quyen-so``), for the current period of each
regime the registry indicators use, then recomputes those indicators. Only rows that differ from
the lake are sent, so a re-run with nothing changed writes nothing (no batch, no lake version);
a figure that drops to zero is written as 0 for every unit that had a value.

When it runs: every registry service registers `registry_figures_changed()` in its transaction;
after the commit that enqueues ONE django-tasks task (`registry_figures_task`, run by
`dieuhanh db_worker`) unless one is already waiting. A queue rather than writing in the
request: the lake merge and the recomputation take seconds, a registry page must not wait for
them, a burst of edits (an XLSX import, the demo) coalesces into one run, and since the task
reads the registry as it stands (not a delta), a lost or late run is made good by the next one.
The scheduler enqueues it once a day too, so a new month, quarter or year gets its figures
without waiting for an edit. `dieuhanh demo` and `dieuhanh systems figures` call it directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import period_of
from dieuhanh.indicators.services import indicator_catalog, indicator_values_compute, materialised_regimes
from dieuhanh.ingest.models import Channel
from dieuhanh.ingest.services import batch_ingest, get_lake, source_default
from dieuhanh.lake import Lake
from dieuhanh.registry.selectors import registry_data_values

log = logging.getLogger(__name__)

SOURCE_CODE = "so-dang-ky-chinh-quyen-so"
SOURCE_NAME = "Sổ đăng ký chính quyền số (hệ thống thông tin, nền tảng số, kết nối LGSP, IOC)"
PREFIX = "registry."


@dataclass
class PublishResult:
    periods: list[str]
    sent: int = 0  # rows that differed from the lake
    batch: str | None = None
    lake_version: int | None = None
    run: int | None = None  # the compute run that refreshed the indicators
    run_status: str = ""
    indicators: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"periods": self.periods, "sent": self.sent, "batch": self.batch, "lake_version": self.lake_version,
                "run": self.run, "run_status": self.run_status, "indicators": self.indicators}  # fmt: skip


def registry_indicator_codes() -> list[str]:
    """Indicators reading a ``registry.`` data element."""
    return sorted(
        d.code
        for d in indicator_catalog().definitions.values()
        if d.data is not None and any(e.startswith(PREFIX) for e in d.data.elements)
    )


def registry_periods(*, on: date, codes: list[str]) -> list[str]:
    """The current period (on `on`) of each stored regime the registry indicators use."""
    catalog = indicator_catalog()
    stored = set(materialised_regimes())
    regimes = {r for c in codes for r in catalog.definitions[c].regimes if r in stored}
    return sorted(period_of(r, on).key for r in regimes)


def _lake_values(lake: Lake) -> dict[tuple[str, str, str], float | None]:
    con = lake.connect()
    try:
        rows = con.execute(
            "SELECT data_element, unit_code, period, value FROM data_values WHERE starts_with(data_element, ?)",
            [PREFIX],
        ).fetchall()
    finally:
        con.close()
    return {(e, u, p): v for e, u, p, v in rows}


def registry_figures_publish(
    *, on: date | None = None, lake: Lake | None = None, refresh: bool = True, actor: Actor | None = None
) -> PublishResult:
    """Write the registry's figures for the current periods into the lake, then recompute (see above)."""
    on = on or timezone.localdate()
    lake = lake or get_lake()
    actor = actor or Actor.system("registry")
    codes = registry_indicator_codes()
    periods = registry_periods(on=on, codes=codes)
    result = PublishResult(periods=periods)
    if not periods:
        return result
    stored = _lake_values(lake)
    keep = {(e, u) for e, u, _ in stored}
    base = registry_data_values(period="", keep=keep)
    changed = [
        row | {"period": p}
        for p in periods
        for row in base
        if stored.get((str(row["data_element"]), str(row["unit_code"]), p)) != float(row["value"])  # type: ignore[arg-type]
    ]
    if not changed:
        return result
    source = source_default(code=SOURCE_CODE, name=SOURCE_NAME)
    batch = batch_ingest(
        actor=actor, source=source, table="data_values", records=list(enumerate(changed, start=1)),
        channel=Channel.MODULE, file_name="registry figures", lake=lake,
    ).batch  # fmt: skip
    result.sent, result.batch, result.lake_version = len(changed), str(batch.pk), batch.lake_version
    if refresh and batch.status == "done" and batch.accepted:
        try:
            run = indicator_values_compute(batch=batch, codes=codes, lake=lake, on=on,
                                           actor=Actor.system(f"batch:{batch.pk}"))  # fmt: skip
            result.run, result.run_status, result.indicators = run.pk, run.status, list(run.indicators)
        except Exception:  # the figures are stored; `dieuhanh compute` catches up
            log.exception("indicator refresh after the registry figures (batch %s) failed", batch.pk)
            result.run_status = "failed"
    return result


def registry_figures_schedule() -> None:
    """Enqueue `registry_figures_task` unless one is already waiting. Never raises."""
    try:
        from dieuhanh.registry.tasks import registry_figures_task

        try:
            from django_tasks_db.models import DBTaskResult

            waiting = DBTaskResult.objects.filter(
                task_path=registry_figures_task.module_path, status="READY"
            ).exists()
        except ImportError:  # another backend: enqueue, the task is idempotent
            waiting = False
        if not waiting:
            registry_figures_task.enqueue()
    except Exception:
        log.exception("could not enqueue the registry figures")


def registry_figures_changed() -> None:
    """Call inside a registry write's transaction: the figures are re-published after its commit."""
    transaction.on_commit(registry_figures_schedule)
