"""The registry's figures per unit, summed up the tree.

Each figure is counted at the unit that owns the object (a system's owner, a connection's or a
platform's unit, the unit of an IOC), then added to every ancestor through the closure table.
Shares are computed from the summed numerator and denominator, never averaged.

`registry_data_values` gives the same counts, per owning unit only, in the `data_values` shape
(data_element, unit_code, period, value) that the Indicators module reads, so the IOC's
e-government panel and the `digital_government` pack use them without retyping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from dieuhanh.accounts.models import User
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure
from dieuhanh.registry.models import (
    ConnectionStatus,
    InformationSystem,
    IocCentre,
    IocStatus,
    LgspConnection,
    Platform,
    PlatformStatus,
    SystemStatus,
)
from dieuhanh.registry.scoping import registry_restrict
from dieuhanh.registry.selectors.systems import system_flags

LEVELS = (1, 2, 3, 4, 5)


@dataclass
class Figures:
    systems: int = 0  # registered, not retired
    systems_operating: int = 0
    systems_planned: int = 0
    approved: int = 0  # in operation with an approved level
    approved_level_1: int = 0
    approved_level_2: int = 0
    approved_level_3: int = 0
    approved_level_4: int = 0
    approved_level_5: int = 0
    unapproved: int = 0  # not retired, no approved level
    facts_changed: int = 0
    connections: int = 0
    connections_connected: int = 0
    connections_testing: int = 0
    connections_planned: int = 0
    platforms: int = 0
    platforms_operating: int = 0
    iocs_operating: int = 0  # units operating an IOC
    iocs_building: int = 0

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def approved_share(self) -> Decimal | None:
        """Systems in operation with an approved level ÷ systems in operation, in %, 1 decimal."""
        if not self.systems_operating:
            return None
        share = Decimal(self.approved * 100) / Decimal(self.systems_operating)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def by_level(self) -> dict[int, int]:
        return {n: int(getattr(self, f"approved_level_{n}")) for n in LEVELS}

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        share = self.approved_share
        out["approved_share"] = float(share) if share is not None else None
        return out


def _count(systems: QuerySet[InformationSystem], connections: QuerySet[LgspConnection],
           platforms: QuerySet[Platform], iocs: QuerySet[IocCentre]) -> dict[int, Figures]:  # fmt: skip
    direct: dict[int, Figures] = defaultdict(Figures)
    for s in systems.select_related("approval"):
        if s.status == SystemStatus.RETIRED:
            continue
        f = direct[s.owner_unit_id]
        f.systems += 1
        flags = system_flags(s)
        f.unapproved += flags.unapproved
        f.facts_changed += flags.facts_changed
        if s.status == SystemStatus.PLANNED:
            f.systems_planned += 1
            continue
        f.systems_operating += 1
        if s.approval is not None and s.approval.proposed_level in LEVELS:
            f.approved += 1
            name = f"approved_level_{s.approval.proposed_level}"
            setattr(f, name, getattr(f, name) + 1)
    for unit_id, status in connections.values_list("unit_id", "status"):
        f = direct[unit_id]
        f.connections += 1
        f.connections_connected += status == ConnectionStatus.CONNECTED
        f.connections_testing += status == ConnectionStatus.TESTING
        f.connections_planned += status == ConnectionStatus.PLANNED
    for unit_id, status in platforms.values_list("unit_id", "status"):
        f = direct[unit_id]
        f.platforms += status != PlatformStatus.STOPPED
        f.platforms_operating += status == PlatformStatus.OPERATING
    for unit_id, status in iocs.values_list("unit_id", "status"):
        f = direct[unit_id]
        f.iocs_operating += status == IocStatus.OPERATING
        f.iocs_building += status == IocStatus.BUILDING
    return direct


def registry_figures(*, user: User, units: list[OrgUnit]) -> dict[str, Figures]:
    """Figures of each of `units` (its own and its subtree's), from what the user may see."""
    direct = _count(
        registry_restrict(InformationSystem.objects.all(), user, unit_field="owner_unit"),
        registry_restrict(LgspConnection.objects.all(), user, unit_field="unit"),
        registry_restrict(Platform.objects.all(), user, unit_field="unit"),
        registry_restrict(IocCentre.objects.all(), user, unit_field="unit"),
    )
    totals: dict[str, Figures] = {u.code: Figures() for u in units}
    code_of = {u.pk: u.code for u in units}
    for anc, desc in OrgUnitClosure.objects.filter(ancestor__in=units).values_list(
        "ancestor_id", "descendant_id"
    ):
        if desc in direct:
            totals[code_of[anc]].add(direct[desc])
    return totals


def registry_data_values(*, period: str, keep: Iterable[tuple[str, str]] = ()) -> list[dict[str, object]]:
    """Direct counts per owning unit as data values (unscoped: for the indicator engine).

    A zero is left out (most units own nothing), except for the (data element, unit code) pairs
    in `keep` — those that had a value before — so a figure that drops to zero becomes 0 in the
    lake instead of keeping its old value.
    """
    direct = _count(InformationSystem.objects.all(), LgspConnection.objects.all(), Platform.objects.all(),
                    IocCentre.objects.all())  # fmt: skip
    kept = set(keep)
    codes = dict(OrgUnit.objects.filter(pk__in=list(direct)).values_list("pk", "code"))
    values: dict[tuple[str, str], int] = {}
    for unit_id, figures in direct.items():
        for name, value in figures.as_dict().items():
            if name != "approved_share" and value:
                values[(f"registry.{name}", codes[unit_id])] = int(value)  # type: ignore[call-overload]
    for key in kept - set(values):
        if key[0].removeprefix("registry.") in FIGURE_NAMES:
            values[key] = 0
    return [
        {"data_element": element, "unit_code": unit, "period": period, "value": value}
        for (element, unit), value in sorted(values.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


FIGURE_NAMES = frozenset(f.name for f in fields(Figures))
