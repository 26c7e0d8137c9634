"""Reads of the unit hierarchy: subtrees, ancestors, validity and lineage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dieuhanh.core.errors import NotFound
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitLineage, OrgUnitQuerySet


def orgunit_get(*, code: str) -> OrgUnit:
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise NotFound(
            "unit.not_found",
            f"Không có đơn vị mã {code}.",
            f"No unit with code {code}.",
        )
    return unit


def orgunit_subtree(*, unit: OrgUnit) -> OrgUnitQuerySet:
    return OrgUnit.objects.subtree_of(unit)


def orgunit_ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    """Root first, the unit itself last: one query."""
    return list(OrgUnit.objects.ancestors_of(unit))


def orgunit_children(*, unit: OrgUnit, on: date | None = None) -> OrgUnitQuerySet:
    qs = OrgUnit.objects.filter(parent=unit)
    return qs.valid_on(on) if on else qs


def orgunit_closure_pairs() -> list[tuple[str, str, int]]:
    """(ancestor code, descendant code, depth) for the whole tree, as the engine needs it."""
    return list(
        OrgUnitClosure.objects.values_list("ancestor__code", "descendant__code", "depth").order_by(
            "ancestor__code", "depth", "descendant__code"
        )
    )


@dataclass(frozen=True)
class Successor:
    code: str
    share: Decimal


def orgunit_successor_map(*, on: date) -> dict[str, list[Successor]]:
    """For every unit, the units valid on `on` that carry its figures, with shares.

    A unit valid on `on` maps to itself. A unit that ended before maps, through its lineage
    links (followed transitively: a commune merged in 2020 and again in 2025), to today's units,
    shares multiplied along the way. A unit that ended with no lineage maps to nothing, and
    callers report its figures as unplaced rather than silently dropping them.
    """
    units = {u.code: u for u in OrgUnit.objects.all()}
    links: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for pred, succ, share in OrgUnitLineage.objects.values_list(
        "predecessor__code", "successor__code", "share"
    ):
        links[pred].append((succ, share))

    memo: dict[str, list[Successor]] = {}

    def resolve(code: str, trail: frozenset[str]) -> list[Successor]:
        if code in memo:
            return memo[code]
        unit = units[code]
        if unit.is_valid_on(on):
            out = [Successor(code, Decimal(1))]
        else:
            acc: dict[str, Decimal] = defaultdict(Decimal)
            for succ, share in links.get(code, []):
                if succ in trail:
                    continue
                for s in resolve(succ, trail | {succ}):
                    acc[s.code] += share * s.share
            out = [Successor(c, v) for c, v in sorted(acc.items())]
        memo[code] = out
        return out

    return {code: resolve(code, frozenset({code})) for code in units}


def orgunit_reaggregate(
    *, figures: dict[str, Decimal], on: date
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Place figures recorded under any unit (current or historical) onto the units valid on `on`,
    then sum them up the tree. Returns (totals per unit including ancestors, unplaced figures).

    Only additive figures (counts, sums, numerators and denominators) may be re-aggregated; a
    ratio is recomputed from its re-aggregated parts.
    """
    successors = orgunit_successor_map(on=on)
    placed: dict[str, Decimal] = defaultdict(Decimal)
    unplaced: dict[str, Decimal] = {}
    for code, value in figures.items():
        targets = successors.get(code)
        if not targets:
            unplaced[code] = value
            continue
        for s in targets:
            placed[s.code] += value * s.share
    totals: dict[str, Decimal] = defaultdict(Decimal)
    ancestors: dict[str, list[str]] = defaultdict(list)
    for anc, desc in OrgUnitClosure.objects.filter(descendant__code__in=list(placed)).values_list(
        "ancestor__code", "descendant__code"
    ):
        ancestors[desc].append(anc)
    for code, value in placed.items():
        for anc in ancestors[code]:
            totals[anc] += value
    return dict(totals), unplaced
