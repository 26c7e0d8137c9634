"""Writes of the indicators app: load definitions, compute and store values, refresh after a batch.

`indicator_values_compute` runs the engine over the lake and upserts what changed:

* ``full=True``: every indicator, every period in the data;
* otherwise, indicators whose logic hash changed since they were last computed are recomputed
  in full, and the others only for the periods a batch (``batch=``) or a list of months
  (``months=``) can have changed — all units of those periods, so ancestors and ranks follow.

Values are compared with the stored ones and only changed rows are written, in one transaction
with the run's audit row. Figures that disappeared (a unit with no records left in a period) are
deleted; catalogue snapshots of past periods are kept (they cannot be recomputed from today's
catalogue).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor, audit_record
from dieuhanh.core.errors import UserError
from dieuhanh.core.periods import period_of, periods_between, regime_of_key
from dieuhanh.indicators.engine import (
    DEFAULT_REGIMES,
    PACKS_DIR,
    Catalog,
    ComputeResult,
    Engine,
    EngineError,
    Value,
    affected_periods,
    changed_rows,
    load_catalog,
)
from dieuhanh.indicators.models import ComputeRun, IndicatorDefinition, IndicatorValue, RunMode, RunStatus
from dieuhanh.indicators.selectors import indicator_unit_context
from dieuhanh.ingest.models import IngestBatch
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit

log = logging.getLogger(__name__)
_catalog: Catalog | None = None
_catalog_lock = threading.Lock()
_FIELDS = (
    "numerator", "denominator", "value", "reason", "target", "target_source", "status", "rank", "rank_of",
    "components",
)  # fmt: skip


def pack_dirs() -> list[Path]:
    """The packs shipped with dieuhanh, then any listed in ``settings.INDICATOR_PACK_DIRS``."""
    return [PACKS_DIR, *(Path(p) for p in getattr(settings, "INDICATOR_PACK_DIRS", []))]


def materialised_regimes() -> tuple[str, ...]:
    return tuple(getattr(settings, "INDICATOR_REGIMES", DEFAULT_REGIMES))


def indicator_catalog(*, reload: bool = False) -> Catalog:
    """The loaded definitions; on reload, a refused definition keeps its earlier version."""
    global _catalog
    with _catalog_lock:
        if _catalog is None or reload:
            _catalog = load_catalog(pack_dirs(), previous=_catalog)
            for problem in _catalog.problems:
                log.warning("indicator definition: %s", problem)
        return _catalog


def indicator_definitions_sync(*, catalog: Catalog) -> dict[str, IndicatorDefinition]:
    """Store the catalog's definitions (labels and logic hash); deactivate those gone."""
    now = timezone.now()
    existing = {d.code: d for d in IndicatorDefinition.objects.all()}
    out: dict[str, IndicatorDefinition] = {}
    with transaction.atomic():
        for d in catalog.definitions.values():
            fields: dict[str, Any] = {
                "pack": d.pack, "kind": d.kind, "unit": d.unit, "decimals": d.decimals, "direction": d.direction,
                "name_vi": d.name.vi[:300], "name_en": d.name.en[:300], "description_vi": d.description.vi,
                "description_en": d.description.en, "regimes": list(d.regimes), "labels": _labels(d),
                "logic_hash": catalog.logic_hash(d.code), "file": d.file[:300], "line": d.line, "active": True,
            }  # fmt: skip
            row = existing.get(d.code)
            if row is None:
                row = IndicatorDefinition.objects.create(code=d.code, loaded_at=now, **fields)
            elif any(getattr(row, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(row, k, v)
                row.loaded_at = now
                row.save()
            out[d.code] = row
        IndicatorDefinition.objects.exclude(code__in=list(out)).filter(active=True).update(active=False)
    return out


def _labels(d: Any) -> dict[str, Any]:
    return {
        "legal_basis": [{"document": b.document, "article": b.article} for b in d.legal_basis],
        "targets": [
            {"year": t.year, "value": t.value, "level": t.level, "source": t.source, "confidence": t.confidence}
            for t in d.targets
        ],
        "confidence": d.confidence,
        "notes": d.notes,
        "null_reason": {"vi": d.null_reason.vi, "en": d.null_reason.en} if d.null_reason else None,
        "components": [
            {"indicator": c.indicator, "use": c.use, "weight": c.weight, "rule": c.rule.kind,
             "threshold": c.rule.threshold, "max": c.rule.max, "factor": c.rule.factor, "cap": c.rule.cap,
             "zero_denominator": c.zero_denominator,
             "source": c.source, "confidence": c.confidence}
            for c in (d.composite.components if d.composite else ())
        ],
        "max_points": d.max_points,
        "placement": d.record.placement.kind if d.record else None,
        "table": d.tables[0] if d.tables else None,
    }  # fmt: skip


def month_periods(months: Iterable[str], regimes: Sequence[str]) -> dict[str, set[str]]:
    """Periods of ``regimes`` overlapping the local months ``YYYY-MM``."""
    out: dict[str, set[str]] = {}
    for m in months:
        try:
            year, month = (int(x) for x in m.split("-"))
            start = date(year, month, 1)
        except ValueError:
            raise UserError("indicator.bad_month", f"Tháng không hợp lệ: {m!r} (YYYY-MM).",
                            f"Invalid month {m!r} (YYYY-MM).") from None  # fmt: skip
        end = (start + timedelta(days=32)).replace(day=1)
        for r in regimes:
            out.setdefault(r, set()).update(p.key for p in periods_between(r, start, end))
    return out


def indicator_values_compute(
    *,
    full: bool = False,
    months: Iterable[str] | None = None,
    units: Iterable[str] | None = None,
    batch: IngestBatch | None = None,
    codes: Iterable[str] | None = None,
    regimes: Sequence[str] | None = None,
    on: date | None = None,
    catalog: Catalog | None = None,
    lake: Lake | None = None,
    actor: Actor | None = None,
) -> ComputeRun:
    """Compute and store indicator values (see the module docstring). Returns the run record.

    ``units`` (e.g. a batch's ``units_touched``) is recorded with the run: the periods decide
    what is recomputed, for every unit, because ancestors and ranks depend on all of them.
    """
    catalog = catalog or indicator_catalog()
    lake = lake or Lake(settings.LAKE_DIR)
    on = on or timezone.localdate()
    regimes = tuple(regimes or materialised_regimes())
    actor = actor or Actor.system("compute")
    months = sorted(months or (batch.months if batch is not None else []) or [])
    touched = sorted(units or (batch.units_touched if batch is not None else []) or [])
    wanted = set(codes) if codes is not None else set(catalog.definitions)
    if unknown := sorted(wanted - set(catalog.definitions)):
        raise UserError("indicator.unknown", f"Không có chỉ số: {', '.join(unknown)}.",
                        f"Unknown indicator(s): {', '.join(unknown)}.")  # fmt: skip
    rows = indicator_definitions_sync(catalog=catalog)
    mode = RunMode.FULL if full else RunMode.BATCH if batch is not None else RunMode.INCREMENTAL
    run = ComputeRun.objects.create(
        mode=mode, started_at=timezone.now(), batch_id=str(batch.pk) if batch is not None else "",
        months=months, units=touched, problems=[str(p) for p in catalog.problems],
    )  # fmt: skip
    started = timezone.now()
    try:
        engine = Engine(catalog, indicator_unit_context(on=on))
        jobs: list[tuple[set[str], dict[str, set[str]] | None]] = []
        if full:
            jobs.append((wanted, None))
        else:
            stale = {c for c in wanted if rows[c].computed_hash != catalog.logic_hash(c)}
            stale = catalog.dependents(stale) & wanted
            if stale:
                jobs.append((stale, None))
            only: dict[str, set[str]] | None = None
            if batch is not None:
                changes = {batch.table: changed_rows(lake, batch.table, batch_id=str(batch.pk),
                                                     version=batch.lake_version)}  # fmt: skip
                only = affected_periods(catalog, changes, regimes=regimes, on=on)
            elif months:
                only = month_periods(months, regimes)
            rest = wanted - stale
            if only and rest:
                jobs.append((rest, only))
        written = unchanged = deleted = 0
        periods: dict[str, Any] = {}
        for job_codes, only in jobs:
            result = engine.compute(lake, codes=sorted(job_codes), regimes=regimes, only=only)
            w, u, d = _store(result, catalog, rows, only=only, regimes=regimes, on=on, run=run)
            written, unchanged, deleted = written + w, unchanged + u, deleted + d
            run.lake_versions = result.versions
            run.unplaced = sorted(set(run.unplaced) | result.unplaced)
            periods.update(
                {r: "all" for r in regimes} if only is None else {r: sorted(k) for r, k in only.items()}
            )
        run.indicators = sorted(set().union(*(c for c, _ in jobs))) if jobs else []
        run.periods = periods
        run.written, run.unchanged, run.deleted = written, unchanged, deleted
        run.status = RunStatus.DONE
    except EngineError as exc:
        run.status, run.message = RunStatus.FAILED, str(exc)
        raise UserError(exc.code, exc.message_vi, exc.message_en) from exc
    except Exception as exc:
        run.status, run.message = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"
        raise
    finally:
        run.finished_at = timezone.now()
        run.seconds = (run.finished_at - started).total_seconds()
        with transaction.atomic():
            run.save()
            audit_record(
                actor=actor, action=f"indicators.compute.{run.status}", obj=run,
                after={"mode": run.mode, "written": run.written, "deleted": run.deleted, "batch": run.batch_id,
                       "lake_versions": run.lake_versions},
            )  # fmt: skip
    return run


def _store(
    result: ComputeResult,
    catalog: Catalog,
    rows: dict[str, IndicatorDefinition],
    *,
    only: dict[str, set[str]] | None,
    regimes: Sequence[str],
    on: date,
    run: ComputeRun,
) -> tuple[int, int, int]:
    """Upsert the changed values of ``result``; delete the stored ones it no longer produces."""
    now = timezone.now()
    unit_ids = dict(OrgUnit.objects.values_list("code", "id"))
    ids = {rows[c].pk: c for c in result.values}
    produced: dict[tuple[int, int, str], Value] = {}
    for code, values in result.values.items():
        def_id = rows[code].pk
        for v in values:
            if v.unit in unit_ids:
                produced[(def_id, unit_ids[v.unit], v.period)] = v
    scope = IndicatorValue.objects.filter(indicator_id__in=list(ids), regime__in=list(regimes))
    if only is not None:
        scope = scope.filter(period__in=sorted({k for keys in only.values() for k in keys}))
    existing = {
        (r[0], r[1], r[2]): (r[3], r[4:])
        for r in scope.values_list("indicator_id", "unit_id", "period", "pk", *_FIELDS)
    }
    current = {r: period_of(r, on).key for r in regimes}
    to_write, unchanged = [], 0
    for key, v in produced.items():
        old = existing.get(key)
        if old is not None and old[1] == v.comparable():
            unchanged += 1
            continue
        to_write.append(
            IndicatorValue(indicator_id=key[0], unit_id=key[1], regime=v.regime, period=v.period, computed_at=now,
                           lake_versions=result.versions, logic_hash=catalog.logic_hash(v.indicator),
                           **{f: getattr(v, f) for f in _FIELDS})
        )  # fmt: skip
    stale = []
    for key, (pk, _) in existing.items():
        if key in produced:
            continue
        d = catalog.get(ids[key[0]])
        snapshot = d.record is not None and d.record.placement.kind == "snapshot"
        if snapshot and current.get(regime_of_key(key[2])) != key[2]:
            continue  # a past catalogue snapshot: kept
        stale.append(pk)
    with transaction.atomic():
        IndicatorValue.objects.bulk_create(
            to_write, batch_size=1000, update_conflicts=True, unique_fields=["indicator", "unit", "period"],
            update_fields=["regime", "computed_at", "lake_versions", "logic_hash", *_FIELDS],
        )  # fmt: skip
        for chunk in range(0, len(stale), 1000):
            IndicatorValue.objects.filter(pk__in=stale[chunk : chunk + 1000]).delete()
        for def_id, code in ids.items():
            h = catalog.logic_hash(code)
            scope.filter(indicator_id=def_id).update(
                computed_at=now, lake_versions=result.versions, logic_hash=h
            )
            if only is None:
                IndicatorDefinition.objects.filter(pk=def_id).update(computed_hash=h)
    return len(to_write), unchanged, len(stale)


def indicator_values_refresh_after_batch(*, batch: IngestBatch) -> ComputeRun | None:
    """Recompute what one ingest batch changed; never raises (the batch is stored either way).

    Returns None when there is nothing to do (a refused or empty batch, a table no indicator
    reads), else the run (status ``failed`` with the reason if the computation failed).
    """
    if batch.status != "done" or batch.lake_version is None or (batch.inserted + batch.updated) == 0:
        return None
    try:
        catalog = indicator_catalog()
        if not any(batch.table in d.tables for d in catalog.definitions.values()):
            return None
        return indicator_values_compute(batch=batch, catalog=catalog, actor=Actor.system(f"batch:{batch.pk}"))
    except Exception:
        log.exception("indicator refresh after batch %s failed", batch.pk)
        return ComputeRun.objects.filter(batch_id=str(batch.pk)).order_by("-started_at").first()


def indicator_values_schedule_after_batch(*, batch: IngestBatch) -> None:
    """Enqueue :func:`indicator_values_refresh_after_batch` as a django-tasks task (API, MQTT).

    The enqueue is one insert; a worker (``dieuhanh db_worker``) runs it. Never raises.
    """
    if batch.status != "done" or (batch.inserted + batch.updated) == 0:
        return
    try:
        if not any(batch.table in d.tables for d in indicator_catalog().definitions.values()):
            return  # e.g. MQTT observations: no indicator reads them (yet)
        from dieuhanh.indicators.tasks import indicator_values_refresh_task

        indicator_values_refresh_task.enqueue(str(batch.pk))
    except Exception:
        log.exception("could not enqueue the indicator refresh of batch %s", batch.pk)
