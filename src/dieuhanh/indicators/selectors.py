"""Reads of indicators: definitions, stored values (scoped to the user's subtree), one value for
the CLI contract (computed live when it is not stored), and the records behind a figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from dieuhanh.accounts.scoping import in_scope, restrict
from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.core.periods import Period, PeriodError, parse_period
from dieuhanh.indicators.engine import (
    Catalog,
    Definition,
    Engine,
    UnitContext,
    UnitInfo,
    Value,
    drill_sql,
    format_value,
    missing_components,
    reason_text,
)
from dieuhanh.indicators.engine.drill import drill_columns
from dieuhanh.indicators.models import IndicatorDefinition, IndicatorValue
from dieuhanh.lake import Lake, LakeError
from dieuhanh.orgunits.models import LEVEL_OF_KIND, Kind, OrgUnit
from dieuhanh.orgunits.selectors import orgunit_closure_pairs, orgunit_get, orgunit_successor_map

if TYPE_CHECKING:
    from dieuhanh.accounts.models import User

MAX_EXPORT_ROWS = 200_000


def indicator_unit_context(*, on: date) -> UnitContext:
    """The unit tree for the engine: levels, validity on ``on``, closure, lineage with shares."""
    units = {
        code: UnitInfo(code, LEVEL_OF_KIND[Kind(kind)], (vf is None or vf <= on) and (vt is None or on < vt))
        for code, kind, vf, vt in OrgUnit.objects.values_list("code", "kind", "valid_from", "valid_to")
    }
    successors = {
        code: [(s.code, float(s.share)) for s in succ] for code, succ in orgunit_successor_map(on=on).items()
    }
    return UnitContext(units, orgunit_closure_pairs(), successors, on=on)


def indicator_list(*, pack: str = "") -> QuerySet[IndicatorDefinition]:
    qs = IndicatorDefinition.objects.filter(active=True)
    return qs.filter(pack=pack) if pack else qs


def indicator_get(*, code: str) -> IndicatorDefinition:
    row = IndicatorDefinition.objects.filter(code=code, active=True).first()
    if row is None:
        raise _unknown_indicator(code)
    return row


def _unknown_indicator(code: str) -> NotFound:
    return NotFound(
        "indicator.not_found",
        f"Không có chỉ số {code!r}. Xem danh sách: dieuhanh indicators list.",
        f"No indicator {code!r}. See the list: dieuhanh indicators list.",
    )


def indicator_values_for(
    *, user: User, code: str, unit: str = "", period: str = "", regime: str = ""
) -> QuerySet[IndicatorValue]:
    """Stored values of one indicator in the user's subtree, filtered by unit, period or regime."""
    qs = restrict(
        IndicatorValue.objects.select_related("unit", "indicator").filter(indicator__code=code), user
    )
    if unit:
        qs = qs.filter(unit__code=unit)
    if period:
        qs = qs.filter(period=period)
    if regime:
        qs = qs.filter(regime=regime)
    return qs.order_by("period", "unit__code")


def _number(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else round(float(x), 6)


def _component_names(reason: str, lang: str) -> dict[str, str]:
    codes = missing_components([reason])
    if not codes:
        return {}
    rows = IndicatorDefinition.objects.filter(code__in=codes).values_list("code", "name_vi", "name_en")
    return {code: name_en if lang == "en" else name_vi for code, name_vi, name_en in rows}


def value_as_dict(
    *,
    definition: IndicatorDefinition,
    unit: str,
    period: str,
    regime: str,
    data: dict[str, Any],
    catalog_def: Definition | None,
) -> dict[str, Any]:
    """The ``dieuhanh value --json`` / API shape of one figure."""
    value = data.get("value")
    decimals, uom = definition.decimals, definition.unit
    reason = data.get("reason") or ""
    return {
        "indicator": definition.code,
        "unit": unit,
        "period": period,
        "numerator": _number(data.get("numerator")),
        "denominator": _number(data.get("denominator")),
        "value": round(value, decimals) if value is not None else None,
        "value_exact": value,
        "display": {
            "vi": format_value(value, uom, decimals, "vi"),
            "en": format_value(value, uom, decimals, "en"),
        },
        "regime": regime,
        "unit_of_measure": uom,
        "decimals": decimals,
        "name": {"vi": definition.name_vi, "en": definition.name_en},
        "reason": reason,
        "reason_text": {
            "vi": reason_text(reason, catalog_def, "vi", _component_names(reason, "vi")),
            "en": reason_text(reason, catalog_def, "en", _component_names(reason, "en")),
        }
        if reason
        else None,
        "target": data.get("target"),
        "target_source": data.get("target_source") or "",
        "status": data.get("status") or "",
        "rank": data.get("rank"),
        "rank_of": data.get("rank_of"),
        "components": data.get("components") or {},
        "computed_at": data.get("computed_at"),
        "lake_versions": data.get("lake_versions") or {},
        "stored": bool(data.get("stored")),
    }


def stored_as_dict(v: IndicatorValue, catalog_def: Definition | None = None) -> dict[str, Any]:
    data = {f: getattr(v, f) for f in ("numerator", "denominator", "value", "reason", "target", "target_source",
                                       "status", "rank", "rank_of", "components", "lake_versions")}  # fmt: skip
    data["computed_at"] = v.computed_at.isoformat()
    data["stored"] = True
    return value_as_dict(definition=v.indicator, unit=v.unit.code, period=v.period, regime=v.regime, data=data,
                         catalog_def=catalog_def)  # fmt: skip


def _period(key: str) -> Period:
    try:
        return parse_period(key)
    except PeriodError as exc:
        raise UserError(exc.code, exc.message_vi, exc.message_en) from exc


def indicator_value_lookup(
    *, code: str, unit_code: str, period_key: str, catalog: Catalog | None = None, lake: Lake | None = None,
    live: bool = True, as_of: datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """One figure: the stored one, else computed now from the lake (``live``). Unknown → UserError.

    ``as_of`` (aware): computed from the lake as it stood at that moment (every table at the version
    then current; units as they were that day), never the stored figure; the answer adds ``as_of``
    and the ``lake_versions`` read.
    """
    from dieuhanh.indicators.services import indicator_catalog

    catalog = catalog or indicator_catalog()
    if code not in catalog:
        raise _unknown_indicator(code)
    d = catalog.get(code)
    unit = orgunit_get(code=unit_code)
    period = _period(period_key)
    if period.regime not in d.regimes:
        raise UserError(
            "indicator.regime",
            f"Chỉ số {code} không tính theo loại kỳ {period.regime} (hỗ trợ: {', '.join(d.regimes)}).",
            f"Indicator {code} is not computed for {period.regime} periods (supported: {', '.join(d.regimes)}).",
        )
    row = (
        IndicatorValue.objects.select_related("indicator", "unit")
        .filter(indicator__code=code, unit=unit, period=period.key)
        .first()
    )
    if as_of is None and row is not None and row.logic_hash == catalog.logic_hash(code):
        return stored_as_dict(row, d)
    if not live and as_of is None:
        raise NotFound("indicator.no_value", "Chưa có số liệu.", "No value yet.")
    from dieuhanh.indicators.services import indicator_definitions_sync

    definition = indicator_definitions_sync(catalog=catalog)[code]
    versions: dict[str, int] = {}
    v = indicator_value_live(definition=d, catalog=catalog, unit_code=unit.code, period=period, lake=lake,
                             as_of=as_of, versions=versions)  # fmt: skip
    data = {f: getattr(v, f) for f in ("numerator", "denominator", "value", "reason", "target", "target_source",
                                       "status", "rank", "rank_of", "components")}  # fmt: skip
    data["computed_at"] = timezone.now().isoformat()
    out = value_as_dict(definition=definition, unit=unit.code, period=period.key, regime=period.regime, data=data,
                        catalog_def=d)  # fmt: skip
    if as_of is not None:
        out["as_of"] = as_of.isoformat()
        out["lake_versions"] = versions
    return out


def indicator_value_live(
    *, definition: Definition, catalog: Catalog, unit_code: str, period: Period, lake: Lake | None = None,
    as_of: datetime | None = None, versions: dict[str, int] | None = None,
) -> Value:  # fmt: skip
    """Compute one figure now (all units of that period, for ranks), without storing it.

    ``as_of``: from the lake as it stood then (and the units of that day); ``versions`` receives
    the table versions read.
    """
    lake = lake or Lake(settings.LAKE_DIR)
    today = timezone.localdate() if as_of is None else timezone.localdate(as_of)
    snapshot = any(
        (x := catalog.get(c)).record is not None and x.record.placement.kind == "snapshot"
        for c in Engine(catalog, _empty_context(today)).with_dependencies([definition.code])
    )
    engine = Engine(catalog, indicator_unit_context(on=today))
    if snapshot:  # a catalogue as it stood at the period's end (or now, for the current period)
        engine.units.on = min(today, period.end - timedelta(days=1))
    con = lake.duckdb_connection()
    try:
        when = period.end_utc if snapshot and period.end <= today else None
        if as_of is not None:
            when = as_of if when is None else min(when, as_of)
        try:
            used = lake.register_views(con, as_of=when)
        except LakeError as exc:
            raise UserError("lake.history_gone", f"Không còn dữ liệu của thời điểm đó: {exc}",
                            f"The lake no longer holds that moment: {exc}") from exc  # fmt: skip
        if versions is not None:
            versions.update(used)
        result = engine.run_duckdb(con, codes=[definition.code], regimes=[period.regime],
                                   only={period.regime: {period.key}})  # fmt: skip
    finally:
        con.close()
    found = result.get(definition.code, unit_code, period.key)
    if found is not None:
        found.components = found.components or {}
        return found
    empty = Value(definition.code, unit_code, period.regime, period.key, None, None, None, "not_reported")
    if definition.record is not None:
        empty.numerator = 0.0
        if definition.is_ratio:
            empty.denominator, empty.reason = 0.0, "zero_denominator"
        else:
            empty.value, empty.reason = 0.0, ""
    elif definition.composite is not None:
        empty.reason = "missing_components:" + ",".join(definition.depends_on)
    return empty


def _empty_context(on: date) -> UnitContext:
    return UnitContext({}, [], {}, on=on)


@dataclass
class RecordPage:
    """A page of the records behind a figure."""

    indicator: str
    unit: str
    period: str
    part: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int
    limit: int
    offset: int
    shares: dict[str, float] = field(default_factory=dict)


def indicator_records(
    *, user: User | None, code: str, unit_code: str, period_key: str, part: str = "numerator", limit: int = 50,
    offset: int = 0, catalog: Catalog | None = None, lake: Lake | None = None,
) -> RecordPage:  # fmt: skip
    """The numerator's or denominator's records of a record indicator for a unit and a period.

    Records of the unit's subtree and of the units whose figures pass to it through lineage
    (``shares`` says which part of a split unit's records counts).
    """
    from dieuhanh.indicators.services import indicator_catalog

    catalog = catalog or indicator_catalog()
    if code not in catalog:
        raise _unknown_indicator(code)
    d = catalog.get(code)
    unit = orgunit_get(code=unit_code)
    if user is not None and not in_scope(user, unit):
        raise NotFound(
            "unit.not_found", f"Không có đơn vị mã {unit_code}.", f"No unit with code {unit_code}."
        )
    period = _period(period_key)
    if d.record is None:
        raise UserError("indicator.no_records", f"Chỉ số {code} không tính từ bản ghi.",
                        f"Indicator {code} is not computed from records.")  # fmt: skip
    if part not in ("numerator", "denominator") or (part == "denominator" and d.record.denominator is None):
        raise UserError("indicator.part", "part phải là numerator hoặc denominator (nếu có).",
                        "part must be numerator or denominator (when there is one).")  # fmt: skip
    today = timezone.localdate()
    ctx = indicator_unit_context(on=today)
    shares = ctx.descendants_for_drill(unit.code)
    rows_sql, count_sql = drill_sql(d, part=part, unit_codes=shares, period=period, on=today)
    limit = max(1, min(int(limit), MAX_EXPORT_ROWS))
    offset = max(0, int(offset))
    con = (lake or Lake(settings.LAKE_DIR)).connect()
    try:
        total = int(con.execute(count_sql).fetchall()[0][0])
        rows = con.execute(f"{rows_sql} LIMIT {limit} OFFSET {offset}").fetchall()
    finally:
        con.close()
    return RecordPage(code, unit.code, period.key, part, drill_columns(d), rows, total, limit, offset,
                      {c: s for c, s in shares.items() if s != 1.0})  # fmt: skip
