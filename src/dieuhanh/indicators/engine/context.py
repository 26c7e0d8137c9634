"""The unit tree as the engine needs it: levels, validity today, the closure and lineage.

The engine takes plain data (no Django): the app builds a :class:`UnitContext` from
``orgunits.selectors.orgunit_closure_pairs()`` and ``orgunit_successor_map(on=…)``.

Figures are placed twice, without double counting:

* on **today's map**: a record's unit goes to the units valid today that carry it (itself if
  still valid, else its successors through lineage, with shares), then to their ancestors that
  are valid today;
* on the **historical map**: a unit that no longer exists keeps its own figures, summed into its
  ancestors that no longer exist either (an old commune into its old district), never into
  today's units, which already have them through lineage.

:meth:`rollup` is that placement as (code, ancestor, share) rows: one SQL join does it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class UnitInfo:
    code: str
    level: str
    current: bool  # valid on the context's day


@dataclass
class UnitContext:
    units: Mapping[str, UnitInfo]
    closure: Iterable[tuple[str, str, int]]  # (ancestor, descendant, depth), depth 0 included
    successors: Mapping[str, Iterable[tuple[str, float]]]  # code → today's units and shares
    on: date
    _ancestors: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.closure = list(self.closure)
        anc: dict[str, list[str]] = defaultdict(list)
        for a, d, _depth in self.closure:
            anc[d].append(a)
        for code in self.units:
            if code not in anc[code]:
                anc[code].append(code)
        self._ancestors = dict(anc)

    def ancestors(self, code: str) -> list[str]:
        """The unit and its ancestors (any order)."""
        return self._ancestors.get(code, [code])

    def level(self, code: str) -> str | None:
        info = self.units.get(code)
        return info.level if info else None

    def is_current(self, code: str) -> bool:
        info = self.units.get(code)
        return bool(info and info.current)

    def rollup(self) -> list[tuple[str, str, float]]:
        """(code, ancestor, share): where one unit of a record's figures go (see module doc)."""
        out: list[tuple[str, str, float]] = []
        for code in sorted(self.units):
            shares: dict[str, float] = defaultdict(float)
            for succ, share in self.successors.get(code, ()):
                for anc in self.ancestors(succ):
                    if self.is_current(anc):
                        shares[anc] += float(share)
            if not self.is_current(code):
                for anc in self.ancestors(code):
                    if not self.is_current(anc):
                        shares[anc] += 1.0
            out += [(code, anc, share) for anc, share in sorted(shares.items())]
        return out

    def own(self) -> list[tuple[str, str, float]]:
        """(code, code, 1): each unit's own figures only (data values that cannot be summed)."""
        return [(code, code, 1.0) for code in sorted(self.units)]

    def unplaced(self) -> set[str]:
        """Units that ended with no lineage: their figures reach no unit of today's map."""
        return {c for c in self.units if not self.is_current(c) and not list(self.successors.get(c, ()))}

    def descendants_for_drill(self, code: str) -> dict[str, float]:
        """Units (current or historical) whose records count towards ``code``, with their share."""
        return {src: share for src, anc, share in self.rollup() if anc == code}
