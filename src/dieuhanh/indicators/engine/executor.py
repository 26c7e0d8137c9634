"""Running a plan: DuckDB over the lake here, Spark in :mod:`.spark`; the same post-processing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from dieuhanh.core.periods import REGIMES
from dieuhanh.lake import Lake

from .compiler import Compiler, Group, Plan, Step
from .context import UnitContext
from .errors import EngineError
from .model import Catalog
from .results import Value, base_values, evaluate

#: Regimes materialised by default: the calendar periods from month up and the Decree 09 windows.
DEFAULT_REGIMES = ("month", "quarter", "half", "year", "r09_month", "r09_quarter", "r09_half", "r09_year")

SMALL_TABLES = {
    "dh_rollup": pa.schema([("code", pa.string()), ("ancestor", pa.string()), ("share", pa.float64())]),
    "dh_own": pa.schema([("code", pa.string()), ("ancestor", pa.string()), ("share", pa.float64())]),
    "dh_units": pa.schema([("code", pa.string()), ("level", pa.string())]),
    "dh_periods": pa.schema(
        [
            ("dh_regime", pa.string()),
            ("dh_idx", pa.int64()),
            ("dh_period", pa.string()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("period_last_day", pa.date32()),
        ]
    ),
}

Rows = list[dict[str, Any]]


@dataclass
class ComputeResult:
    values: dict[str, list[Value]]
    plan: Plan
    versions: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unplaced: set[str] = field(default_factory=set)

    def all(self) -> list[Value]:
        return [v for vals in self.values.values() for v in vals]

    def get(self, code: str, unit: str, period: str) -> Value | None:
        for v in self.values.get(code, ()):
            if v.unit == unit and v.period == period:
                return v
        return None


def small_table(name: str, plan: Plan) -> pa.Table:
    cols, rows = plan.tables[name]
    return pa.Table.from_pylist([dict(zip(cols, r, strict=True)) for r in rows], schema=SMALL_TABLES[name])


class Engine:
    """Computes a catalog's indicators for a unit context. Imports no Django."""

    def __init__(self, catalog: Catalog, units: UnitContext) -> None:
        self.catalog = catalog
        self.units = units

    # --- what to compute -------------------------------------------------------------------------
    def with_dependencies(self, codes: Iterable[str] | None) -> list[str]:
        """``codes`` (default: all) and every indicator a composite among them uses."""
        if codes is None:
            return [d.code for d in self.catalog.ordered()]
        out: set[str] = set()
        todo = list(codes)
        while todo:
            code = todo.pop()
            if code not in self.catalog:
                raise EngineError("indicator.unknown", f"Không có chỉ số {code}.", f"No indicator {code}.")
            if code not in out:
                out.add(code)
                todo += self.catalog.get(code).depends_on
        return [d.code for d in self.catalog.ordered() if d.code in out]

    def plan(
        self,
        codes: Iterable[str] | None = None,
        *,
        regimes: Sequence[str] = DEFAULT_REGIMES,
        only: Mapping[str, set[str]] | None = None,
        starts: Mapping[tuple[str, str], date] | None = None,
    ) -> Plan:
        for r in regimes:
            if r not in REGIMES:
                raise EngineError(
                    "period.unknown_regime", f"Loại kỳ không hỗ trợ: {r}.", f"Unknown regime: {r}."
                )
        definitions = [self.catalog.get(c) for c in self.with_dependencies(codes)]
        return Compiler(definitions, self.units, regimes=regimes, only=only, starts=starts).plan()

    def starts(
        self, con: duckdb.DuckDBPyConnection, codes: Iterable[str] | None = None
    ) -> dict[tuple[str, str], date]:
        """Earliest date of each ``active`` placement's start column (periods are listed from it)."""
        out: dict[tuple[str, str], date] = {}
        for code in self.with_dependencies(codes):
            d = self.catalog.get(code)
            if d.record is not None and d.record.placement.kind == "active":
                key = (d.record.table, str(d.record.placement.column))
                if key not in out:
                    first = con.execute(f"SELECT min({key[1]}) FROM {key[0]}").fetchall()[0]
                    if first and first[0] is not None:
                        out[key] = first[0]
        return out

    # --- running -------------------------------------------------------------------------------
    def finish(
        self, plan: Plan, rows_of: Mapping[int, Rows], codes: Iterable[str] | None
    ) -> dict[str, list[Value]]:
        """Turn each group's rows into values, then composites, targets and ranks."""
        base: dict[str, list[Value]] = {}
        for i, g in enumerate(plan.groups):
            rows = rows_of.get(i, [])
            for d in g.definitions:
                num, den = g.outputs[d.code]
                base[d.code] = base_values(d, rows, num, den)
        return evaluate(self.catalog, self.with_dependencies(codes), base, self.units)

    def run_plan(
        self, plan: Plan, execute: Callable[[Step], Rows | None]
    ) -> tuple[dict[int, Rows], dict[str, float]]:
        rows_of: dict[int, Rows] = {}
        seconds: dict[str, float] = {}
        for i, g in enumerate(plan.groups):
            started = time.perf_counter()
            for step in g.steps:
                got = execute(step)
                if not step.name:
                    rows_of[i] = got or []
            seconds[_group_label(g)] = time.perf_counter() - started
        return rows_of, seconds

    def run_duckdb(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        codes: Iterable[str] | None = None,
        regimes: Sequence[str] = DEFAULT_REGIMES,
        only: Mapping[str, set[str]] | None = None,
    ) -> ComputeResult:
        """Compute on a connection that already has the fact-table views (``Lake.register_views``)."""
        codes = list(codes) if codes is not None else None
        starts = self.starts(con, codes) if only is None else {}  # restricted: the periods are listed
        plan = self.plan(codes, regimes=regimes, only=only, starts=starts)
        for name in SMALL_TABLES:
            con.register(name, small_table(name, plan))

        def execute(step: Step) -> Rows | None:
            if step.name:
                con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}")
                return None
            cur = con.execute(step.sql)
            names = [c[0] for c in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        started = time.perf_counter()
        rows_of, seconds = self.run_plan(plan, execute)
        unplaced = self._unplaced(con, plan)
        values = self.finish(plan, rows_of, codes)
        seconds["total"] = time.perf_counter() - started
        return ComputeResult(values, plan, seconds=seconds, unplaced=unplaced)

    def compute(
        self,
        lake: Lake,
        *,
        codes: Iterable[str] | None = None,
        regimes: Sequence[str] = DEFAULT_REGIMES,
        only: Mapping[str, set[str]] | None = None,
        version_of: dict[str, int] | None = None,
    ) -> ComputeResult:
        """Compute over the lake at its current version (or pinned versions); records them."""
        con = lake.duckdb_connection()
        try:
            versions = lake.register_views(con, version_of=version_of)
            result = self.run_duckdb(con, codes=codes, regimes=regimes, only=only)
        finally:
            con.close()
        result.versions = versions
        return result

    def _unplaced(self, con: duckdb.DuckDBPyConnection, plan: Plan) -> set[str]:
        placed = {code for code, _anc, _share in plan.tables["dh_rollup"][1] if self.units.is_current(_anc)}
        out: set[str] = set()
        for g in plan.groups:
            for step in g.steps:
                if step.name.startswith("dh_f"):
                    codes = {
                        r[0] for r in con.execute(f"SELECT DISTINCT unit_code FROM {step.name}").fetchall()
                    }
                    out |= codes - placed
        return out


def _group_label(g: Group) -> str:
    return ":".join(str(k) for k in g.key if k not in (None, ()))
