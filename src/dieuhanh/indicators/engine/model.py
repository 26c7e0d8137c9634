"""Indicator definitions as frozen objects, built by :mod:`.loader` from the packs' YAML.

Three kinds share one :class:`Definition`:

* ``record``: a count or a sum over a fact table (``numerator``), optionally divided by another
  (``denominator``) and multiplied by ``factor``; a date column (or an interval, or nothing for a
  catalogue snapshot) places each record in a period;
* ``data``: expressions over reported data elements (``#{DE_CODE}``), DHIS2-style;
* ``composite``: weighted components scored by rules kept as data (threshold, linear, points).

Each definition has a hash of its *logic* (what changes its numbers: filters, columns, factor,
rules, targets, direction…), not of its labels, so a label change triggers no recomputation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["record", "data", "composite"]
Direction = Literal["higher_is_better", "lower_is_better", "none"]
PlacementKind = Literal["day", "active", "snapshot"]
RuleKind = Literal["threshold", "linear", "points"]
CONFIDENCE_TAGS = ("TEXT", "PORTAL", "2ND", "MEMORY", "APPROX", "LOCAL", "")


@dataclass(frozen=True)
class Text:
    """A label in Vietnamese and English."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class LegalBasis:
    document: str
    article: str = ""
    note: str = ""


@dataclass(frozen=True)
class Target:
    """A target value for one year, set by a document, optionally for one level of units."""

    year: int
    value: float
    source: str
    level: str | None = None
    confidence: str = ""
    note: str = ""


@dataclass(frozen=True)
class Measure:
    """``count`` of the rows matching ``filter`` (all rows when None), or ``sum`` of ``column``."""

    op: Literal["count", "sum"]
    filter: str | None = None  # normalised DuckDB SQL
    column: str | None = None

    def sql(self) -> str:
        """The per-row contribution, to be wrapped in SUM(...)."""
        value = "1" if self.op == "count" else str(self.column)
        if self.filter is None:
            return value if self.op == "count" else f"COALESCE({value}, 0)"
        return f"CASE WHEN ({self.filter}) THEN {value} ELSE 0 END"


@dataclass(frozen=True)
class Placement:
    """How records fall into periods.

    ``day``: the local date column ``column`` (one period per regime).
    ``active``: every period the interval [``column``, ``until``] overlaps (``until`` empty:
    still open); filters may use ``period_start``, ``period_end`` (exclusive) and
    ``period_last_day``. ``snapshot``: no date; the table as it stands counts for the current
    period (catalogues).
    """

    kind: PlacementKind
    column: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class RecordSpec:
    table: str
    placement: Placement
    numerator: Measure
    denominator: Measure | None = None


@dataclass(frozen=True)
class DataSpec:
    numerator: str  # expression with #{DE} references
    denominator: str | None
    elements: tuple[str, ...]
    aggregate: Literal["sum", "none"] = "sum"
    rollup_from: Literal["month"] | None = None


@dataclass(frozen=True)
class Rule:
    """A scoring rule.

    ``threshold``: at or above ``threshold`` the component gets ``max``, else x × max ÷ threshold.
    ``linear``: ``factor`` × x, at most ``cap``. ``points``: x as it is (a score already).
    """

    kind: RuleKind
    threshold: float | None = None
    max: float | None = None
    factor: float | None = None
    cap: float | None = None

    def score(self, x: float) -> float:
        if self.kind == "threshold":
            assert self.threshold is not None and self.max is not None
            points = self.max if x >= self.threshold else x * self.max / self.threshold
        elif self.kind == "linear":
            assert self.factor is not None
            points = self.factor * x
        else:
            points = x
        if self.cap is not None:
            points = min(points, self.cap)
        return points

    @property
    def best(self) -> float | None:
        """The most this rule can give (None: unbounded)."""
        if self.kind == "threshold":
            return self.max if self.cap is None else min(self.max or 0.0, self.cap)
        return self.cap


@dataclass(frozen=True)
class Component:
    indicator: str
    rule: Rule
    use: Literal["ratio", "value"] = "ratio"
    weight: float = 1.0
    zero_denominator: Literal["zero", "max", "null"] = "null"
    source: str = ""
    confidence: str = ""
    label: Text | None = None


@dataclass(frozen=True)
class CompositeSpec:
    components: tuple[Component, ...]
    max: float | None = None
    cap: float | None = None


@dataclass(frozen=True)
class Definition:
    code: str
    pack: str
    file: str
    line: int
    kind: Kind
    name: Text
    description: Text
    unit: str
    decimals: int
    direction: Direction
    regimes: tuple[str, ...]
    legal_basis: tuple[LegalBasis, ...] = ()
    targets: tuple[Target, ...] = ()
    record: RecordSpec | None = None
    data: DataSpec | None = None
    composite: CompositeSpec | None = None
    factor: float = 1.0
    zero_denominator: Literal["null", "zero"] = "null"
    levels: tuple[str, ...] = ()  # count only facts of units at these levels
    rank: bool = False
    null_reason: Text | None = None
    confidence: str = ""
    notes: str = ""
    labels: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    # --- logic and its hash ------------------------------------------------------------------
    def logic(self) -> dict[str, Any]:
        """Everything that changes this definition's numbers, status or rank (not its labels)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "regimes": list(self.regimes),
            "factor": self.factor,
            "zero_denominator": self.zero_denominator,
            "levels": list(self.levels),
            "direction": self.direction,
            "decimals": self.decimals,  # status and rank compare rounded values
            "rank": self.rank,
            "targets": [[t.year, t.value, t.level] for t in self.targets],
        }
        if self.record is not None:
            r = self.record
            out["record"] = {
                "table": r.table,
                "placement": [r.placement.kind, r.placement.column, r.placement.until],
                "numerator": [r.numerator.op, r.numerator.filter, r.numerator.column],
                "denominator": None
                if r.denominator is None
                else [r.denominator.op, r.denominator.filter, r.denominator.column],
            }
        if self.data is not None:
            d = self.data
            out["data"] = [d.numerator, d.denominator, d.aggregate, d.rollup_from]
        if self.composite is not None:
            c = self.composite
            out["composite"] = {
                "max": c.max,
                "cap": c.cap,
                "components": [
                    [x.indicator, x.use, x.weight, x.zero_denominator, _rule_logic(x.rule)]
                    for x in c.components
                ],
            }
        return out

    def own_hash(self) -> str:
        payload = json.dumps(self.logic(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    # --- conveniences --------------------------------------------------------------------------
    @property
    def is_ratio(self) -> bool:
        if self.record is not None:
            return self.record.denominator is not None
        if self.data is not None:
            return self.data.denominator is not None
        return False

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.composite.components) if self.composite else ()

    @property
    def tables(self) -> tuple[str, ...]:
        if self.record is not None:
            return (self.record.table,)
        if self.data is not None:
            return ("data_values",)
        return ()

    @property
    def max_points(self) -> float | None:
        if self.composite is None:
            return None
        if self.composite.max is not None:
            return self.composite.max
        bests = [c.rule.best for c in self.composite.components]
        if any(b is None for b in bests):
            return self.composite.cap
        total = sum((b or 0.0) * c.weight for b, c in zip(bests, self.composite.components, strict=True))
        return total if self.composite.cap is None else min(total, self.composite.cap)

    def target_for(self, year: int, level: str | None) -> Target | None:
        """The target of ``year`` for a unit of ``level`` (a level-specific one first)."""
        general = None
        for t in self.targets:
            if t.year != year:
                continue
            if t.level is not None and t.level == level:
                return t
            if t.level is None:
                general = t
        return general


def _rule_logic(rule: Rule) -> list[Any]:
    return [rule.kind, rule.threshold, rule.max, rule.factor, rule.cap]


@dataclass(frozen=True)
class Catalog:
    """The loaded definitions by code, with the problems met while loading them."""

    definitions: Mapping[str, Definition]
    problems: tuple[Any, ...] = ()

    def __contains__(self, code: object) -> bool:
        return code in self.definitions

    def __iter__(self) -> Iterator[Definition]:
        return iter(self.ordered())

    def __len__(self) -> int:
        return len(self.definitions)

    def get(self, code: str) -> Definition:
        return self.definitions[code]

    def ordered(self) -> list[Definition]:
        """Definitions with every composite after the components it uses (codes sorted otherwise)."""
        done: dict[str, Definition] = {}

        def visit(code: str) -> None:
            if code in done or code not in self.definitions:
                return
            d = self.definitions[code]
            for dep in d.depends_on:
                visit(dep)
            done[code] = d

        for code in sorted(self.definitions):
            visit(code)
        return list(done.values())

    def logic_hash(self, code: str) -> str:
        """The hash of a definition's logic and, for a composite, of everything it uses."""
        memo: dict[str, str] = {}

        def h(c: str) -> str:
            if c not in memo:
                d = self.definitions[c]
                parts = [d.own_hash(), *(h(dep) for dep in d.depends_on)]
                memo[c] = hashlib.sha256("|".join(parts).encode()).hexdigest()
            return memo[c]

        return h(code)

    def dependents(self, codes: set[str]) -> set[str]:
        """``codes`` and every composite that uses one of them, directly or not."""
        out = set(codes)
        changed = True
        while changed:
            changed = False
            for d in self.definitions.values():
                if d.code not in out and any(dep in out for dep in d.depends_on):
                    out.add(d.code)
                    changed = True
        return out
