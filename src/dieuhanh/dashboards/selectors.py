"""What the IOC pages show, read from the computed indicator values in a fixed number of queries.

Pages never compute: the engine writes values (numerator, denominator, value, target, status,
rank) ahead, and these selectors read them: one query for the tiles, one for their trends,
one for the children (map and ranking), a few for alerts and freshness.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

import yaml
from django.db.models import Max, Q

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope
from dieuhanh.core.periods import Period, PeriodError, parse_period, period_of
from dieuhanh.indicators.engine.fmt import format_value
from dieuhanh.indicators.engine.results import missing_components, reason_text
from dieuhanh.indicators.models import IndicatorDefinition, IndicatorValue
from dieuhanh.ingest.models import IngestBatch
from dieuhanh.orgunits.models import LEVEL_OF_KIND, Kind, OrgUnit

SECTORS_FILE = Path(__file__).with_name("sectors.yaml")
REGIMES = ("month", "quarter", "half", "year", "r09_month", "r09_quarter", "r09_year")
TREND_LENGTH = 12


@dataclass(frozen=True)
class Sector:
    code: str
    vi: str
    en: str
    indicators: tuple[str, ...]
    key: tuple[str, ...]
    sources: tuple[str, ...]
    panels: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi

    def matches(self, code: str) -> bool:
        return any(code == p or (p.endswith(".") and code.startswith(p)) for p in self.indicators)

    def order(self, code: str) -> int:
        for i, p in enumerate(self.indicators):
            if code == p or (p.endswith(".") and code.startswith(p)):
                return i
        return len(self.indicators)


@cache
def sectors() -> tuple[Sector, ...]:
    raw = yaml.safe_load(SECTORS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Sector(
            s["code"],
            s["vi"],
            s["en"],
            tuple(s["indicators"]),
            tuple(s.get("key") or ()),
            tuple(s.get("sources") or ()),
            tuple(s.get("panels") or ()),
        )
        for s in raw
    )


def sector_get(code: str) -> Sector | None:
    return next((s for s in sectors() if s.code == code), None)


def sector_of(code: str) -> Sector | None:
    return next((s for s in sectors() if s.matches(code)), None)


@dataclass
class Tile:
    code: str
    name: str
    value: float | None
    display: str
    unit: str
    decimals: int
    direction: str
    target: float | None
    target_display: str
    status: str
    rank: int | None
    rank_of: int | None
    reason: str
    numerator: float | None
    denominator: float | None
    trend: list[tuple[str, float | None]] = field(default_factory=list)
    computed_at: datetime | None = None


def choose_period(regime: str, key: str, today: date) -> Period:
    """The period in the URL if valid for the regime, else the current period of the regime."""
    if regime not in REGIMES:
        regime = "month"
    if key:
        try:
            period = parse_period(key)
            if period.regime == regime:
                return period
        except PeriodError:
            pass
    return period_of(regime, today)


def _definitions(codes: list[str] | None = None) -> dict[str, IndicatorDefinition]:
    qs = IndicatorDefinition.objects.filter(active=True)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return {d.code: d for d in qs}


def _names(codes: set[str], lang: str) -> dict[str, str]:
    if not codes:
        return {}
    rows = IndicatorDefinition.objects.filter(code__in=codes).values_list("code", "name_vi", "name_en")
    return {code: name_en if lang == "en" else name_vi for code, name_vi, name_en in rows}


def _tile(d: IndicatorDefinition, v: IndicatorValue | None, lang: str, names: dict[str, str]) -> Tile:
    value = v.value if v else None
    own = d.name_en if lang == "en" else d.name_vi
    if " — " in own:  # "Chỉ số 766 — Tổng điểm": its components are named without "Chỉ số 766 — "
        family = own.split(" — ")[0] + " — "
        names = {c: n.removeprefix(family) for c, n in names.items()}
    return Tile(
        code=d.code, name=d.name_en if lang == "en" else d.name_vi, value=value,
        display=format_value(value, d.unit, d.decimals, lang), unit=d.unit, decimals=d.decimals,
        direction=d.direction, target=v.target if v else None,
        target_display=format_value(v.target, d.unit, d.decimals, lang) if v and v.target is not None else "",
        status=(v.status if v else "") or "", rank=v.rank if v else None, rank_of=v.rank_of if v else None,
        reason=reason_text(v.reason, None, lang, names) if v else "", numerator=v.numerator if v else None,
        denominator=v.denominator if v else None, computed_at=v.computed_at if v else None,
    )  # fmt: skip


def tiles(*, unit: OrgUnit, codes: list[str], period: Period, lang: str, trend: bool = True) -> list[Tile]:
    """Tiles of the given indicators for one unit and period, with the last periods' trend."""
    defs = _definitions(codes)
    values = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(
            unit=unit, period=period.key, indicator__code__in=codes
        ).select_related("indicator")
    }
    names = _names(missing_components(v.reason for v in values.values()), lang)
    out = [_tile(defs[c], values.get(c), lang, names) for c in codes if c in defs]
    if trend and out:
        keys = [period.key]
        p = period
        for _ in range(TREND_LENGTH - 1):
            p = p.previous()
            keys.append(p.key)
        series: dict[str, dict[str, float | None]] = defaultdict(dict)
        for code, key, value in IndicatorValue.objects.filter(
            unit=unit, indicator__code__in=[t.code for t in out], period__in=keys
        ).values_list("indicator__code", "period", "value"):
            series[code][key] = value
        for t in out:
            t.trend = [(k, series[t.code].get(k)) for k in reversed(keys)]
    return out


def sector_codes(sector: Sector) -> list[str]:
    codes = [d for d in _definitions() if sector.matches(d)]
    return sorted(codes, key=lambda c: (sector.order(c), c))


@dataclass
class ChildValue:
    unit: OrgUnit
    value: float | None
    display: str
    rank: int | None
    status: str


def children_values(
    *, parent: OrgUnit, code: str, period: Period, lang: str, level: str = ""
) -> tuple[IndicatorDefinition | None, list[ChildValue]]:
    """The indicator for every current child unit (one query), best first by rank."""
    definition = IndicatorDefinition.objects.filter(code=code).first()
    if definition is None:
        return None, []
    children = list(OrgUnit.objects.filter(parent=parent, valid_to__isnull=True).order_by("name"))
    if level:
        children = [c for c in children if LEVEL_OF_KIND[Kind(c.kind)] == level]
    values = {
        v.unit_id: v
        for v in IndicatorValue.objects.filter(indicator=definition, period=period.key, unit__in=children)
    }
    out = []
    for child in children:
        v = values.get(child.pk)
        value = v.value if v else None
        out.append(ChildValue(child, value, format_value(value, definition.unit, definition.decimals, lang),
                              v.rank if v else None, (v.status if v else "") or ""))  # fmt: skip
    reverse = definition.direction != "lower_is_better"
    out.sort(key=lambda c: (c.value is None, -(c.value or 0) if reverse else (c.value or 0), c.unit.name))
    return definition, out


def levels_under(parent: OrgUnit) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for kind in OrgUnit.objects.filter(parent=parent, valid_to__isnull=True).values_list("kind", flat=True):
        counts[LEVEL_OF_KIND[Kind(kind)]] += 1
    return sorted(counts.items(), key=lambda kv: ["department", "district", "commune"].index(kv[0])
                  if kv[0] in ("department", "district", "commune") else 9)  # fmt: skip


def freshness(tables: tuple[str, ...] | list[str] = ()) -> dict[str, datetime | None]:
    """When each fact table last received data (the latest finished batch that wrote rows)."""
    qs = IngestBatch.objects.filter(status="done", accepted__gt=0)
    if tables:
        qs = qs.filter(table__in=list(tables))
    return dict(qs.values("table").annotate(last=Max("finished_at")).values_list("table", "last"))


@dataclass
class Alert:
    kind: str  # off_target | silent_source | overdue_tasks
    text_vi: str
    text_en: str
    link: str = ""

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_vi


def off_target(*, unit: OrgUnit, period: Period, lang: str, limit: int = 8) -> list[Alert]:
    """Figures of this unit and its children below their target in the period."""
    qs = (
        IndicatorValue.objects.filter(period=period.key, status="not_met")
        .filter(Q(unit=unit) | Q(unit__parent=unit))
        .select_related("indicator", "unit")
        .order_by("unit__parent_id", "indicator__code")[:limit]
    )
    out = []
    for v in qs:
        d = v.indicator
        value = format_value(v.value, d.unit, d.decimals, "vi")
        target = format_value(v.target, d.unit, d.decimals, "vi")
        value_en = format_value(v.value, d.unit, d.decimals, "en")
        target_en = format_value(v.target, d.unit, d.decimals, "en")
        out.append(Alert("off_target", f"{v.unit.name}: {d.name_vi} {value}, chỉ tiêu {target}",
                         f"{v.unit.name}: {d.name_en} {value_en}, target {target_en}",
                         f"/chi-so/{d.code}/?period={period.key}"))  # fmt: skip
    return out


def scoped_unit(user: User, code: str) -> OrgUnit | None:
    """The unit to show: the one asked for if in scope, else the user's own."""
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is not None and in_scope(user, unit):
            return unit
        return None
    return user.unit


def period_choices(regime: str, today: date, count: int = 18) -> list[Period]:
    p = period_of(regime, today)
    out = [p]
    for _ in range(count - 1):
        p = p.previous()
        out.append(p)
    return out


@dataclass
class UnitIndicatorRow:
    code: str
    name: str
    display: str
    parent_display: str
    peers_median: str
    rank: int | None
    rank_of: int | None
    status: str
    pulls_down: bool


def unit_indicator_rows(*, unit: OrgUnit, period: Period, lang: str) -> list[UnitIndicatorRow]:
    """Every indicator of a unit in a period, beside its parent's figure and its peers' median,
    weakest first: those off target or in the bottom third of the ranking pull the unit down.
    Three queries whatever the number of indicators."""
    from statistics import median

    mine = list(IndicatorValue.objects.filter(unit=unit, period=period.key).select_related("indicator"))
    codes = [v.indicator_id for v in mine]
    parent = {
        v.indicator_id: v.value
        for v in IndicatorValue.objects.filter(unit_id=unit.parent_id, period=period.key, indicator_id__in=codes)
    } if unit.parent_id else {}  # fmt: skip
    peers: dict[int, list[float]] = defaultdict(list)
    for ind, value in IndicatorValue.objects.filter(
        unit__parent_id=unit.parent_id, unit__kind__in=[k for k, lv in LEVEL_OF_KIND.items() if lv == unit.level],
        period=period.key, indicator_id__in=codes, value__isnull=False,
    ).values_list("indicator_id", "value"):  # fmt: skip
        if value is not None:
            peers[ind].append(value)
    rows = []
    for v in mine:
        d = v.indicator
        weak = v.status == "not_met" or bool(
            v.rank and v.rank_of and v.rank_of >= 3 and v.rank > v.rank_of * 2 / 3
        )
        rows.append(UnitIndicatorRow(
            code=d.code, name=d.name_en if lang == "en" else d.name_vi,
            display=format_value(v.value, d.unit, d.decimals, lang),
            parent_display=format_value(parent.get(d.pk), d.unit, d.decimals, lang) if unit.parent_id else "",
            peers_median=format_value(median(peers[d.pk]), d.unit, d.decimals, lang) if peers.get(d.pk) else "—",
            rank=v.rank, rank_of=v.rank_of, status=v.status or "", pulls_down=weak,
        ))  # fmt: skip
    rows.sort(key=lambda r: (not r.pulls_down, -(r.rank or 0) / (r.rank_of or 1), r.code))
    return rows
