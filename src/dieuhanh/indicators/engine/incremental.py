"""What a batch changed, and which periods that touches (incremental recompute).

A batch is one Delta commit. The rows it wrote are in the files that commit added (their
``batch_id`` is the batch's); the versions they replaced are in the files it removed, found by
key. Both matter: a dossier whose ``finished_at`` moved from March to April changes March's and
April's figures. Periods are then derived per definition from the dates of those rows, so an
indicator placed by ``finished_day`` is recomputed where the finishing dates fall, not only in
the months the batch's ``received_at`` touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from dieuhanh.core.periods import PeriodError, parse_period, period_of, periods_between
from dieuhanh.lake import TABLES, Lake
from dieuhanh.lake.sql import ident, literal, parquet_source

from .model import Catalog


def changed_rows(lake: Lake, table: str, *, batch_id: str, version: int | None) -> list[dict[str, Any]]:
    """The rows a batch wrote and the earlier versions they replaced (unit, dates, period)."""
    if version is None or version < 0:
        return []
    spec = TABLES[table]
    wanted = ["unit_code", *spec.day_columns.values(), *(["period"] if table == "data_values" else [])]
    now = set(lake.files(table, version=version))
    before = set(lake.files(table, version=version - 1)) if version > 0 else set()
    added, removed = sorted(now - before), sorted(before - now)
    if not added:
        return []
    cols = ", ".join(ident(c) for c in dict.fromkeys([*spec.key, *wanted]))
    con = lake.duckdb_connection()
    try:
        con.execute(
            f"CREATE TEMP TABLE dh_new AS SELECT {cols} FROM {parquet_source(spec, added)} "
            f"WHERE batch_id = {literal(batch_id)}"
        )
        out = [dict(zip(wanted, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(ident(c) for c in wanted)} FROM dh_new").fetchall()]  # fmt: skip
        if removed:
            on = " AND ".join(f"o.{ident(k)} = n.{ident(k)}" for k in spec.key)
            old = con.execute(
                f"SELECT {', '.join('o.' + ident(c) for c in wanted)} FROM {parquet_source(spec, removed)} AS o "
                f"JOIN dh_new AS n ON {on}"
            ).fetchall()
            out += [dict(zip(wanted, r, strict=True)) for r in old]
    finally:
        con.close()
    return out


def _merge(intervals: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of closed date intervals."""
    out: list[tuple[date, date]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def affected_periods(
    catalog: Catalog,
    changes: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    regimes: Sequence[str],
    on: date,
    codes: Iterable[str] | None = None,
) -> dict[str, set[str]]:
    """Regime → period keys whose figures the changed rows (by table) can move."""
    out: dict[str, set[str]] = defaultdict(set)
    wanted = set(codes) if codes is not None else None
    for d in catalog.ordered():
        if (wanted is not None and d.code not in wanted) or d.kind == "composite":
            continue
        mine = [r for r in d.regimes if r in regimes]
        if d.record is not None:
            rows = changes.get(d.record.table, ())
            if not rows:
                continue
            p = d.record.placement
            if p.kind == "snapshot":
                for r in mine:
                    out[r].add(period_of(r, on).key)
            elif p.kind == "day":
                days = {row[str(p.column)] for row in rows if row.get(str(p.column)) is not None}
                for r in mine:
                    out[r] |= {period_of(r, day).key for day in days}
            else:
                spans = set()
                for row in rows:
                    start = row.get(str(p.column))
                    if start is None or start > on:
                        continue
                    end = row.get(str(p.until)) if p.until else None
                    spans.add((start, min(end, on) if end is not None else on))
                for start, end in _merge(s for s in spans if s[0] <= s[1]):
                    for r in mine:
                        out[r] |= {x.key for x in periods_between(r, start, end + timedelta(days=1))}
        elif d.data is not None:
            for row in changes.get("data_values", ()):
                try:
                    period = parse_period(str(row.get("period")))
                except PeriodError:
                    continue
                if period.regime in mine:
                    out[period.regime].add(period.key)
                if d.data.rollup_from == "month" and period.regime == "month":
                    for r in ("quarter", "half", "year"):
                        if r in mine:
                            out[r].add(period_of(r, period.start).key)
    return {r: keys for r, keys in out.items() if keys}
