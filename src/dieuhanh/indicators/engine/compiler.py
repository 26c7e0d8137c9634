"""Definitions → SQL (DuckDB dialect; SQLGlot transpiles the same statements to Spark SQL).

Indicators that read the same table with the same placement form a *group*, computed with one
scan: every distinct count or sum becomes a column (``m0``, ``m1``…). Each group is:

1. **facts**: the table aggregated by (unit_code, local day) — or, for an ``active`` placement,
   by (unit_code, period) after exploding each record over the periods its interval overlaps;
   for a ``snapshot``, by (unit_code, current period);
2. **keyed**: daily facts turned into period keys for every regime asked
   (:func:`dieuhanh.core.periods.sql_period_key`), summed per (unit, regime, period);
3. **placed**: joined once to ``dh_rollup`` (code → ancestor, share: lineage and closure, see
   :mod:`.context`) and summed. Numerators and denominators are summed up the tree; ratios are
   divided afterwards, never averaged.

Small tables the SQL joins (``dh_rollup``, ``dh_own``, ``dh_units``, ``dh_periods``) travel with
the plan as rows, so DuckDB and Spark register the same data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlglot
from sqlglot import exp

from dieuhanh.core.periods import Period, parse_period, period_of, periods_between, sql_period_key
from dieuhanh.lake import TABLES, day_name

from . import sqlcheck
from .context import UnitContext
from .model import Definition, Measure

_DV_PATTERNS = {
    "year": "____", "half": "____H_", "quarter": "____Q_", "month": "____M__", "week": "____W__",
    "day": "____-__-__", "r09_year": "R09-____", "r09_half": "R09-____H_", "r09_quarter": "R09-____Q_",
    "r09_month": "R09-____M__",
}  # fmt: skip
_SPANS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
FAR_FUTURE = date(9999, 12, 31)


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def date_lit(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


@dataclass(frozen=True)
class Step:
    """One statement: ``name`` is the temporary relation it creates ("" for the group's result)."""

    name: str
    sql: str

    def transpiled(self, dialect: str) -> str:
        if dialect == "duckdb":
            return self.sql
        return sqlglot.transpile(self.sql, read="duckdb", write=dialect)[0]


@dataclass
class Group:
    key: tuple[Any, ...]
    kind: str  # record | data
    table: str
    definitions: list[Definition] = field(default_factory=list)
    slots: list[str] = field(default_factory=list)  # record: measure SQL; data: element codes
    outputs: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # code → (num col, den col)
    steps: list[Step] = field(default_factory=list)
    regimes: tuple[str, ...] = ()

    def slot(self, sql: str) -> str:
        if sql not in self.slots:
            self.slots.append(sql)
        return f"m{self.slots.index(sql)}"


@dataclass
class Plan:
    groups: list[Group]
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]
    on: date

    def statements(self, dialect: str = "duckdb") -> list[str]:
        return [s.transpiled(dialect) for g in self.groups for s in g.steps]


def idx_sql(regime: str, column: str) -> str:
    """SQL index of the month-based period of ``regime`` containing the date in ``column``."""
    base = regime.removeprefix("r09_")
    shift = f" + CASE WHEN day({column}) >= 15 THEN 1 ELSE 0 END" if regime.startswith("r09_") else ""
    ordinal = f"(year({column}) * 12 + month({column}) - 1{shift})"
    span = _SPANS[base]
    return ordinal if span == 1 else f"CAST(FLOOR({ordinal} / {span}) AS BIGINT)"


def idx_of(period: Period) -> int:
    """The same index computed in Python, from the period's start."""
    d = period.start
    ordinal = d.year * 12 + d.month - 1 + (1 if period.is_r09 and d.day >= 15 else 0)
    return ordinal // _SPANS[period.regime.removeprefix("r09_")]


def _period_row(p: Period) -> tuple[Any, ...]:
    idx = idx_of(p) if p.regime in ("month", "quarter", "half", "year") or p.is_r09 else 0
    return (p.regime, idx, p.key, p.start, p.end, p.end - timedelta(days=1))


class Compiler:
    """Builds a :class:`Plan` for some definitions, regimes and (optionally) only some periods."""

    def __init__(
        self,
        definitions: Iterable[Definition],
        units: UnitContext,
        *,
        regimes: Iterable[str],
        only: Mapping[str, set[str]] | None = None,
        starts: Mapping[tuple[str, str], date] | None = None,
    ) -> None:
        self.definitions = [d for d in definitions if d.kind != "composite"]
        self.units = units
        self.regimes = tuple(regimes)
        self.only = {r: set(keys) for r, keys in only.items()} if only is not None else None
        self.starts = dict(starts or {})  # (table, column) → earliest date in the data
        self.periods: dict[tuple[str, str], tuple[Any, ...]] = {}

    # --- grouping -----------------------------------------------------------------------------
    def _regimes_of(self, d: Definition) -> tuple[str, ...]:
        out = tuple(r for r in d.regimes if r in self.regimes)
        if self.only is not None:
            out = tuple(r for r in out if self.only.get(r))
        return out

    def groups(self) -> list[Group]:
        groups: dict[tuple[Any, ...], Group] = {}
        for d in self.definitions:
            regimes = self._regimes_of(d)
            if not regimes:
                continue
            if d.record is not None:
                p = d.record.placement
                key: tuple[Any, ...] = ("record", d.record.table, p.kind, p.column, p.until, d.levels)
                g = groups.setdefault(key, Group(key, "record", d.record.table))
                num = g.slot(d.record.numerator.sql())
                den = g.slot(d.record.denominator.sql()) if d.record.denominator else None
                g.outputs[d.code] = (num, den)
            else:
                assert d.data is not None
                key = ("data", "data_values", d.data.aggregate, d.data.rollup_from, d.levels)
                g = groups.setdefault(key, Group(key, "data", "data_values"))
                for de in d.data.elements:
                    if de not in g.slots:
                        g.slots.append(de)
                g.outputs[d.code] = (f"n{len(g.definitions)}", f"d{len(g.definitions)}")
            g.definitions.append(d)
            g.regimes = tuple(sorted(set(g.regimes) | set(regimes), key=self.regimes.index))
        return list(groups.values())

    # --- plan ---------------------------------------------------------------------------------
    def plan(self) -> Plan:
        groups = self.groups()
        for i, g in enumerate(groups):
            if g.kind == "data":
                g.steps = self._data_steps(i, g)
            elif g.key[2] == "day":
                g.steps = self._day_steps(i, g)
            elif g.key[2] == "active":
                g.steps = self._active_steps(i, g)
            else:
                g.steps = self._snapshot_steps(i, g)
        units: list[tuple[Any, ...]] = sorted((c, u.level) for c, u in self.units.units.items())
        tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {
            "dh_rollup": (["code", "ancestor", "share"], list(self.units.rollup())),
            "dh_own": (["code", "ancestor", "share"], list(self.units.own())),
            "dh_units": (["code", "level"], units),
            "dh_periods": (
                ["dh_regime", "dh_idx", "dh_period", "period_start", "period_end", "period_last_day"],
                sorted(self.periods.values(), key=lambda r: (r[0], r[1], r[2])),
            ),
        }
        return Plan(groups, tables, self.units.on)

    def _level_filter(self, levels: tuple[str, ...]) -> list[str]:
        if not levels:
            return []
        return [
            f"unit_code IN (SELECT code FROM dh_units WHERE level IN ({', '.join(lit(x) for x in levels)}))"
        ]

    def _span(self, regimes: Iterable[str]) -> tuple[date, date] | None:
        """The dates covered by the restricted periods (None: no restriction)."""
        if self.only is None:
            return None
        periods = [parse_period(k) for r in regimes for k in self.only.get(r, ())]
        if not periods:
            return None
        return min(p.start for p in periods), max(p.end for p in periods)

    def _keep(self, regime: str, column: str) -> str:
        if self.only is None:
            return ""
        keys = sorted(self.only.get(regime, ()))
        return f" WHERE {column} IN ({', '.join(lit(k) for k in keys)})"

    def _measures(self, g: Group) -> str:
        return ", ".join(f"SUM({sql}) AS m{i}" for i, sql in enumerate(g.slots))

    def _placed(self, g: Group, keyed: str, rollup: str = "dh_rollup") -> str:
        cols = ", ".join(f"SUM(k.m{i} * r.share) AS m{i}" for i in range(len(g.slots)))
        return (
            f"SELECT r.ancestor AS unit_code, k.regime, k.period, {cols} FROM ({keyed}) AS k "
            f"JOIN {rollup} AS r ON r.code = k.unit_code GROUP BY r.ancestor, k.regime, k.period"
        )

    def _day_steps(self, i: int, g: Group) -> list[Step]:
        column = str(g.key[3])
        where = [f"{column} IS NOT NULL", *self._level_filter(g.key[5])]
        span = self._span(g.regimes)
        spec = TABLES[g.table]
        if span is not None:
            where += [f"{column} >= {date_lit(span[0])}", f"{column} < {date_lit(span[1])}"]
            if (
                spec.partition == "month"
                and spec.partition_source
                and day_name(spec.partition_source) == column
            ):
                first, last = span[0].strftime("%Y-%m"), (span[1] - timedelta(days=1)).strftime("%Y-%m")
                where.append(f"month BETWEEN {lit(first)} AND {lit(last)}")  # prunes whole files
        facts = f"dh_f{i}"
        step1 = Step(
            facts,
            f"SELECT unit_code, {column} AS dh_day, {self._measures(g)} FROM {g.table} "
            f"WHERE {' AND '.join(where)} GROUP BY unit_code, {column}",
        )
        cols = ", ".join(f"m{j}" for j in range(len(g.slots)))
        branches = []
        for regime in g.regimes:
            key = sql_period_key(regime, "dh_day")
            branch = f"SELECT unit_code, {lit(regime)} AS regime, {key} AS period, {cols} FROM {facts}"
            if self.only is not None:
                branch = f"SELECT * FROM ({branch}) AS b{self._keep(regime, 'period')}"
            branches.append(branch)
        sums = ", ".join(f"SUM(m{j}) AS m{j}" for j in range(len(g.slots)))
        keyed = (
            f"SELECT unit_code, regime, period, {sums} FROM ({' UNION ALL '.join(branches)}) AS u "
            "GROUP BY unit_code, regime, period"
        )
        return [step1, Step("", self._placed(g, keyed))]

    def _active_steps(self, i: int, g: Group) -> list[Step]:
        start, until = str(g.key[3]), g.key[4]
        on = self.units.on
        end_sql = f"COALESCE({until}, {date_lit(on)})" if until else date_lit(on)
        where = [
            f"{start} IS NOT NULL",
            f"{start} <= {date_lit(on)}",
            f"{end_sql} >= {start}",
            *self._level_filter(g.key[5]),
        ]
        span = self._span(g.regimes)
        if span is not None:
            where += [f"{start} < {date_lit(span[1])}", f"{end_sql} >= {date_lit(span[0])}"]
        first = self.starts.get((g.table, start), on)
        branches = []
        for regime in g.regimes:
            wanted = self.only.get(regime) if self.only is not None else None
            if wanted is None:
                listed = periods_between(regime, min(first, on), on + timedelta(days=1))
            else:
                listed = [p for p in map(parse_period, sorted(wanted)) if p.start <= on]
            for p in listed:
                self.periods[(regime, p.key)] = _period_row(p)
            # Each record once per period its interval overlaps (an explode), then the period's
            # bounds joined so filters can use them. Spark wants the explode in its own sub-query.
            columns = self._columns(g, start, until)
            i0, i1 = idx_sql(regime, start), idx_sql(regime, end_sql)
            if wanted is not None:  # explode only over the periods asked (an old open record spans many)
                idxs = [row[1] for (r, _k), row in self.periods.items() if r == regime]
                if idxs:
                    i0, i1 = f"GREATEST({i0}, {min(idxs)})", f"LEAST({i1}, {max(idxs)})"
            exploded = (
                f"SELECT t.*, u.dh_idx FROM (SELECT {columns}, {i0} AS dh_i0, {i1} AS dh_i1 "
                f"FROM {g.table} WHERE {' AND '.join(where)}) AS t "
                "CROSS JOIN UNNEST(GENERATE_SERIES(t.dh_i0, t.dh_i1)) AS u(dh_idx)"
            )
            branches.append(
                f"SELECT x.unit_code, p.dh_regime AS regime, p.dh_period AS period, {self._measures(g)} "
                f"FROM ({exploded}) AS x "
                f"JOIN dh_periods AS p ON p.dh_regime = {lit(regime)} AND p.dh_idx = x.dh_idx "
                "GROUP BY x.unit_code, p.dh_regime, p.dh_period"
            )
        return [Step("", self._placed(g, " UNION ALL ".join(branches)))]

    def _columns(self, g: Group, *always: str | None) -> str:
        """The columns the group's measures read (a sub-query of ``*`` would read them all)."""
        names = {"unit_code", *(a for a in always if a)}
        for sql in g.slots:
            names |= {c.name for c in sqlglot.parse_one(sql, dialect="duckdb").find_all(exp.Column)}
        names -= set(sqlcheck.PERIOD_COLUMNS)
        return ", ".join(sorted(names))

    def _snapshot_steps(self, i: int, g: Group) -> list[Step]:
        for regime in g.regimes:
            p = period_of(regime, self.units.on)
            if self.only is None or p.key in self.only.get(regime, ()):
                self.periods[(regime, p.key)] = _period_row(p)
        where = [
            "p.dh_regime IN (" + ", ".join(lit(r) for r in g.regimes) + ")",
            *self._level_filter(g.key[5]),
        ]
        keyed = (
            f"SELECT t.unit_code, p.dh_regime AS regime, p.dh_period AS period, {self._measures(g)} "
            f"FROM {g.table} AS t CROSS JOIN dh_periods AS p WHERE {' AND '.join(where)} "
            "GROUP BY t.unit_code, p.dh_regime, p.dh_period"
        )
        return [Step("", self._placed(g, keyed))]

    def _data_steps(self, i: int, g: Group) -> list[Step]:
        _, _, aggregate, rollup, levels = g.key
        elements = ", ".join(lit(e) for e in g.slots)
        base_where = [f"data_element IN ({elements})", "value IS NOT NULL", *self._level_filter(levels)]
        branches = []
        for regime in g.regimes:
            if rollup == "month" and regime in ("quarter", "half", "year"):
                day = "CAST(substr(period, 1, 4) || '-' || substr(period, 6, 2) || '-01' AS DATE)"
                monthly = " AND ".join([*base_where, "period LIKE '____M__'"])
                inner = (
                    f"SELECT unit_code, data_element, value, {day} AS dh_day FROM data_values WHERE {monthly}"
                )
                branch = (
                    f"SELECT unit_code, {lit(regime)} AS regime, {sql_period_key(regime, 'dh_day')} AS period, "
                    f"data_element, value FROM ({inner}) AS mm"
                )
            else:
                exact = " AND ".join([*base_where, f"period LIKE {lit(_DV_PATTERNS[regime])}"])
                branch = (
                    f"SELECT unit_code, {lit(regime)} AS regime, period, data_element, value FROM data_values "
                    f"WHERE {exact}"
                )
            if self.only is not None:
                branch = f"SELECT * FROM ({branch}) AS b{self._keep(regime, 'period')}"
            branches.append(branch)
        pivot = ", ".join(
            f"SUM(CASE WHEN data_element = {lit(e)} THEN value END) AS m{j}" for j, e in enumerate(g.slots)
        )
        keyed = (
            f"SELECT unit_code, regime, period, {pivot} FROM ({' UNION ALL '.join(branches)}) AS u "
            "GROUP BY unit_code, regime, period"
        )
        placed = self._placed(g, keyed, "dh_rollup" if aggregate == "sum" else "dh_own")
        slot_of = {e: f"m{j}" for j, e in enumerate(g.slots)}
        exprs = []
        for d in g.definitions:
            assert d.data is not None
            num_col, den_col = g.outputs[d.code]
            exprs.append(f"{sqlcheck.expression_sql(d.data.numerator, slot_of)} AS {num_col}")
            den = sqlcheck.expression_sql(d.data.denominator, slot_of) if d.data.denominator else "NULL"
            exprs.append(f"{den} AS {den_col}")
        return [Step("", f"SELECT unit_code, regime, period, {', '.join(exprs)} FROM ({placed}) AS pl")]


def measure_sql(measure: Measure) -> str:
    return measure.sql()


def restrict_only(only: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for regime, keys in only.items():
        out[regime] |= set(keys)
    return dict(out)
