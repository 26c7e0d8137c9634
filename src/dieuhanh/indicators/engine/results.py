"""From summed numerators and denominators to values: ratios, composite scores, targets, ranks.

Everything here is plain Python over the (small) per-unit, per-period rows the SQL returns, so
DuckDB and Spark results go through exactly the same code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .context import UnitContext
from .model import Catalog, Definition

#: Float noise from shares (0.3 × 3 = 0.8999999999999999) is cut at this many decimals.
NOISE_DECIMALS = 9

REASONS = {
    "zero_denominator": ("Mẫu số bằng 0: không có bản ghi để tính.", "Zero denominator: no records to compute from."),
    "not_reported": ("Chưa có số liệu báo cáo.", "No figure has been reported."),
    "missing_components": ("Thiếu thành phần: {detail}.", "Missing components: {detail}."),
}  # fmt: skip


@dataclass
class Value:
    """One figure: an indicator for a unit and a period."""

    indicator: str
    unit: str
    regime: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    reason: str = ""  # why value is None: zero_denominator | not_reported | missing_components:a,b
    target: float | None = None
    target_source: str = ""
    status: str = ""  # met | not_met | no_data | "" (no target)
    rank: int | None = None
    rank_of: int | None = None
    components: dict[str, float | None] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.unit, self.period)

    def comparable(self) -> tuple[Any, ...]:
        """What a stored row must equal for this value to need no write."""
        return (
            self.numerator, self.denominator, self.value, self.reason, self.target, self.target_source,
            self.status, self.rank, self.rank_of, self.components or {},
        )  # fmt: skip


def clean(x: Any) -> float | None:
    if x is None:
        return None
    return round(float(x), NOISE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def reason_text(
    reason: str, definition: Definition | None, lang: str = "vi", names: Mapping[str, str] | None = None
) -> str:
    """A reason code as a sentence; a definition's own ``null_reason`` comes first. ``names``
    (indicator code → name in ``lang``) names the missing components instead of their codes."""
    if not reason:
        return ""
    code, _, detail = reason.partition(":")
    parts = []
    if definition is not None and definition.null_reason is not None:
        parts.append(definition.null_reason.get(lang))
    vi, en = REASONS.get(code, (reason, reason))
    items = [(names or {}).get(c, c) for c in detail.split(",")] if detail else []
    parts.append((en if lang == "en" else vi).format(detail=("; " if names else ", ").join(items)))
    return " ".join(parts)


def missing_components(reasons: Iterable[str]) -> set[str]:
    """The indicator codes named by ``missing_components`` reasons."""
    out: set[str] = set()
    for reason in reasons:
        code, _, detail = reason.partition(":")
        if code == "missing_components" and detail:
            out.update(detail.split(","))
    return out


def base_values(
    definition: Definition, rows: Iterable[Mapping[str, Any]], num: str, den: str | None
) -> list[Value]:
    """Values of a record or data-value definition from its group's rows."""
    out = []
    regimes = set(definition.regimes)
    for row in rows:
        if row["regime"] not in regimes:
            continue
        n = clean(row[num])
        d = clean(row[den]) if den else None
        value, reason = _value(definition, n, d)
        out.append(
            Value(definition.code, row["unit_code"], row["regime"], row["period"], n, d, value, reason)
        )
    return out


def _value(d: Definition, n: float | None, den: float | None) -> tuple[float | None, str]:
    if d.kind == "data" and (n is None or (d.is_ratio and den is None)):
        return None, "not_reported"
    if n is None:
        n = 0.0
    if not d.is_ratio:
        return clean(n * d.factor), ""
    if not den:
        return (0.0, "") if d.zero_denominator == "zero" else (None, "zero_denominator")
    return clean(n / den * d.factor), ""


def composite_values(d: Definition, found: Mapping[tuple[str, str, str], Value]) -> list[Value]:
    """Scores of a composite for every (unit, period) where at least one component has a value."""
    assert d.composite is not None
    comps = d.composite.components
    keys: set[tuple[str, str, str]] = set()
    by_code: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for (code, unit, period), v in found.items():
        by_code[code].add((unit, v.regime, period))
    for c in comps:
        keys |= {k for k in by_code.get(c.indicator, ()) if k[1] in d.regimes}
    out = []
    for unit, regime, period in sorted(keys):
        total, missing, detail = 0.0, [], {}
        for c in comps:
            got: Value | None = found.get((c.indicator, unit, period))
            points: float | None
            if (
                got is not None
                and got.value is None
                and got.reason == "zero_denominator"
                and c.zero_denominator != "null"
            ):
                points = 0.0 if c.zero_denominator == "zero" else (c.rule.best or 0.0) * c.weight
            elif got is None or got.value is None:
                points = None
            else:
                x = got.value if c.use == "value" else (got.numerator or 0.0) / (got.denominator or 1.0)
                points = clean(c.rule.score(x) * c.weight)
            detail[c.indicator] = points
            if points is None:
                missing.append(c.indicator)
            else:
                total += points
        if missing:
            value, reason = None, "missing_components:" + ",".join(missing)
        else:
            cap = d.composite.cap
            value, reason = clean(min(total, cap) if cap is not None else total), ""
        out.append(Value(d.code, unit, regime, period, None, None, value, reason, components=detail))
    return out


def year_of(period: str) -> int:
    body = period.removeprefix("R09-")
    return int(body[:4])


def apply_targets(d: Definition, values: Sequence[Value], units: UnitContext) -> None:
    if not d.targets:
        return
    for v in values:
        t = d.target_for(year_of(v.period), units.level(v.unit))
        if t is None:
            continue
        v.target, v.target_source = t.value, t.source
        if v.value is None:
            v.status = "no_data"
            continue
        shown = round(v.value, d.decimals)
        met = shown <= t.value if d.direction == "lower_is_better" else shown >= t.value
        v.status = "met" if met else "not_met"


def apply_ranks(d: Definition, values: Sequence[Value], units: UnitContext) -> None:
    """Rank among units of the same level (today's map and the historical map apart)."""
    if not d.rank or d.direction == "none":
        return
    groups: dict[tuple[str, str, str | None, bool], list[Value]] = defaultdict(list)
    for v in values:
        if v.value is not None:
            groups[(v.regime, v.period, units.level(v.unit), units.is_current(v.unit))].append(v)
    sign = -1 if d.direction == "higher_is_better" else 1
    for members in groups.values():
        members.sort(key=lambda v: (sign * round(v.value or 0.0, d.decimals), v.unit))
        previous, rank = None, 0
        for i, v in enumerate(members, start=1):
            shown = round(v.value or 0.0, d.decimals)
            if shown != previous:
                rank, previous = i, shown
            v.rank, v.rank_of = rank, len(members)


def evaluate(
    catalog: Catalog,
    codes: Iterable[str],
    base: Mapping[str, list[Value]],
    units: UnitContext,
) -> dict[str, list[Value]]:
    """Add composites (in dependency order), then targets, statuses and ranks, for ``codes``."""
    wanted = set(codes)
    out: dict[str, list[Value]] = {code: list(vals) for code, vals in base.items()}
    found: dict[tuple[str, str, str], Value] = {v.key: v for vals in out.values() for v in vals}
    for d in catalog.ordered():
        if d.code not in wanted:
            continue
        if d.kind == "composite":
            vals = composite_values(d, found)
            out[d.code] = vals
            found.update((v.key, v) for v in vals)
    for code, vals in out.items():
        if code in catalog:
            d = catalog.get(code)
            apply_targets(d, vals, units)
            apply_ranks(d, vals, units)
    return {code: vals for code, vals in out.items() if code in wanted}
