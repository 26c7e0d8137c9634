"""The IOC pages: overview of a unit, the nine sector dashboards, the wall screen, map boundaries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import etag

from dieuhanh.accounts.models import User
from dieuhanh.dashboards import charts
from dieuhanh.dashboards.caching import cached_html
from dieuhanh.dashboards.selectors import (
    REGIMES,
    children_values,
    choose_period,
    freshness,
    levels_under,
    off_target,
    period_choices,
    scoped_unit,
    sector_codes,
    sector_get,
    sectors,
    tiles,
)
from dieuhanh.indicators.engine.fmt import format_value
from dieuhanh.indicators.models import IndicatorDefinition
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGeometry
from dieuhanh.registry.selectors import systems_unapproved_panel

REGIME_LABELS = {
    "month": ("Tháng", "Month"), "quarter": ("Quý", "Quarter"), "half": ("6 tháng", "Half-year"),
    "year": ("Năm", "Year"), "r09_month": ("Kỳ báo cáo tháng (NĐ 09)", "Report month (Decree 09)"),
    "r09_quarter": ("Kỳ báo cáo quý (NĐ 09)", "Report quarter (Decree 09)"),
    "r09_year": ("Kỳ báo cáo năm (NĐ 09)", "Report year (Decree 09)"),
}  # fmt: skip
LEVEL_LABELS = {"department": ("Sở, ban, ngành", "Departments"), "district": ("Huyện (cũ)", "Districts (former)"),
                "commune": ("Xã, phường, đặc khu", "Communes and wards")}  # fmt: skip


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class Filters:
    """Regime, period, unit, level and the map indicator, all kept in the URL."""

    def __init__(self, request: HttpRequest, user: User) -> None:
        get = request.GET
        self.lang = _lang()
        self.today = timezone.localdate()
        self.regime = get.get("regime", "month") if get.get("regime", "month") in REGIMES else "month"
        self.period = choose_period(self.regime, get.get("period", ""), self.today)
        unit = scoped_unit(user, get.get("unit", ""))
        if unit is None:
            raise Http404
        self.unit: OrgUnit = unit
        self.levels = levels_under(unit)
        level = get.get("level", "")
        self.level = level if level in dict(self.levels) else (self.levels[-1][0] if self.levels else "")
        self.map_code = get.get("map", "")

    def query(self, **override: str) -> str:
        params = {"regime": self.regime, "period": self.period.key, "unit": self.unit.code, "level": self.level,
                  "map": self.map_code}  # fmt: skip
        params.update(override)
        return urlencode({k: v for k, v in params.items() if v})

    def context(self) -> dict[str, Any]:
        lang = self.lang
        return {
            "f": self,
            "lang": lang,
            "period_label": self.period.label(lang),  # type: ignore[arg-type]
            "regimes": [(r, REGIME_LABELS[r][lang == "en"]) for r in REGIMES],
            "periods": [(p.key, p.label(lang)) for p in period_choices(self.regime, self.today)],  # type: ignore[arg-type]
            "levels": [(lv, LEVEL_LABELS.get(lv, (lv, lv))[lang == "en"], n) for lv, n in self.levels],
            "sectors": [(s.code, s.name(lang)) for s in sectors()],
        }


def _map_and_ranking(f: Filters, code: str, *, dark: bool = False) -> dict[str, Any]:
    definition, children = children_values(
        parent=f.unit, code=code, period=f.period, lang=f.lang, level=f.level
    )
    if definition is None or not children:
        return {"map_definition": definition, "children": children}
    links = {c.unit.code: reverse("web:unit_detail", args=[c.unit.code]) + "?" + f.query(unit="")
             for c in children}  # fmt: skip
    has_geometry = OrgUnitGeometry.objects.filter(unit__parent=f.unit).exists()
    geo_url = reverse("dashboards:geometry", args=[f.unit.code]) if has_geometry else ""
    with_values = [c for c in children if c.value is not None]
    return {
        "map_definition": definition,
        "map_name": definition.name_en if f.lang == "en" else definition.name_vi,
        "children": children,
        "best": with_values[:5],
        "worst": list(reversed(with_values[-5:])) if len(with_values) > 5 else [],
        "map_spec": charts.js(charts.choropleth(definition, children, geo_url, f.lang, links, dark=dark))
        if geo_url
        else "",
        "ranking_spec": charts.js(charts.ranking(definition, children, f.lang, links, dark=dark)),
        "cartogram": [] if geo_url else children,
    }


def _tiles_context(f: Filters, codes: list[str], prefix: str) -> list[dict[str, Any]]:
    return [{"tile": t, "spark": charts.js(charts.sparkline(t, f.lang)), "id": f"spark-{prefix}-{t.code}"}
            for t in tiles(unit=f.unit, codes=codes, period=f.period, lang=f.lang)]  # fmt: skip


def _sector_summaries(f: Filters) -> list[dict[str, Any]]:
    """Every sector's key tiles, read for all sectors at once (a fixed number of queries)."""
    all_defs = sorted(IndicatorDefinition.objects.filter(active=True).values_list("code", flat=True))
    chosen: dict[str, list[str]] = {}
    for s in sectors():
        keys = [c for c in s.key if c in all_defs] or sorted(
            (c for c in all_defs if s.matches(c)), key=lambda c: (s.order(c), c)
        )[:4]
        chosen[s.code] = keys
    every = [c for codes in chosen.values() for c in codes]
    by_code = {
        t.code: t for t in tiles(unit=f.unit, codes=list(dict.fromkeys(every)), period=f.period, lang=f.lang)
    }
    out = []
    for s in sectors():
        shown = [by_code[c] for c in chosen[s.code] if c in by_code]
        items = [{"tile": t, "spark": charts.js(charts.sparkline(t, f.lang)), "id": f"spark-{s.code}-{t.code}"}
                 for t in shown]  # fmt: skip
        out.append({"sector": s, "name": s.name(f.lang), "tiles": items,
                    "has_data": any(t.value is not None for t in shown),
                    "url": reverse("dashboards:sector", args=[s.code]) + "?" + f.query()})  # fmt: skip
    return out


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.unit is None:
        return render(request, "web/home.html", {"unit": None})
    f = Filters(request, user)
    body = cached_html(_key(request, user, "overview"), lambda: render_to_string(
        "dashboards/_overview_body.html", _overview_context(request, user, f), request=request))  # fmt: skip
    return render(request, "dashboards/overview.html", f.context() | {"body": body})


def _key(request: HttpRequest, user: User, page: str) -> list[str]:
    return [page, request.get_full_path(), str(user.unit_id), user.role, _lang()]


def _overview_context(request: HttpRequest, user: User, f: Filters) -> dict[str, Any]:
    summaries = _sector_summaries(f)
    with_data = [s for s in summaries if s["has_data"]]
    map_code = f.map_code or (
        with_data[0]["tiles"][0]["tile"].code if with_data and with_data[0]["tiles"] else ""
    )
    f.map_code = map_code
    context = f.context() | {
        "summaries": with_data,
        "empty_sectors": [s for s in summaries if not s["has_data"]],
        "alerts": _alerts(user, f),
        "fresh": freshness(),
        "map_choices": [(t["tile"].code, t["tile"].name) for s in with_data for t in s["tiles"]],
        "kind_counts": _kind_counts(f.unit),
    }
    if map_code:
        context |= _map_and_ranking(f, map_code)
    return context


def _kind_counts(unit: OrgUnit) -> list[tuple[str, int]]:
    from collections import Counter

    from dieuhanh.orgunits.models import KIND_LABELS, Kind

    counts = Counter(
        OrgUnit.objects.filter(parent=unit, valid_to__isnull=True).values_list("kind", flat=True)
    )
    en = _lang() == "en"
    return [(KIND_LABELS[Kind(k)][en], n) for k, n in sorted(counts.items())]


def _alerts(user: User, f: Filters) -> list[Any]:
    from dieuhanh.dashboards.selectors import Alert
    from dieuhanh.ingest.selectors import sources_silent

    alerts: list[Any] = off_target(unit=f.unit, period=f.period, lang=f.lang)
    for source in sources_silent(user=user)[:5]:
        last = (
            timezone.localtime(source.last_batch_at).strftime("%d/%m/%Y %H:%M")
            if source.last_batch_at
            else "—"
        )
        alerts.append(Alert("silent_source", f"Nguồn {source.name} không gửi dữ liệu từ {last}",
                            f"Source {source.name} silent since {last}", reverse("ingest:batch_list")))  # fmt: skip
    from dieuhanh.steering.selectors import task_overdue

    n = len(task_overdue(today=f.today, user=user, unit=f.unit))
    if n:
        alerts.append(Alert("overdue_tasks", f"{n} nhiệm vụ quá hạn (đơn vị và cấp dưới)",
                            f"{n} overdue tasks (unit and below)", reverse("steering:overdue")))  # fmt: skip
    return alerts


@login_required
def sector(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    s = sector_get(code)
    if s is None:
        raise Http404
    f = Filters(request, user)
    body = cached_html(_key(request, user, "sector"), lambda: render_to_string(
        "dashboards/_sector_body.html", _sector_context(f, s, user), request=request))  # fmt: skip
    return render(request, "dashboards/sector.html", f.context() | {"body": body, "sector_name": s.name(f.lang),
                                                                     "sector": s})  # fmt: skip


def _sector_context(f: Filters, s: Any, user: User) -> dict[str, Any]:
    codes = sector_codes(s)
    items = _tiles_context(f, codes, "s")
    has_data = any(i["tile"].value is not None for i in items)
    map_code = f.map_code if f.map_code in codes else (next((i["tile"].code for i in items
                                                              if i["tile"].value is not None), ""))  # fmt: skip
    f.map_code = map_code
    context = f.context() | {"sector": s, "sector_name": s.name(f.lang), "tiles": items, "has_data": has_data,
                             "fresh": freshness(s.sources), "map_choices": [(i["tile"].code, i["tile"].name)
                                                                             for i in items]}  # fmt: skip
    if map_code and has_data:
        context |= _map_and_ranking(f, map_code)
    if "registry_unapproved" in s.panels:
        context["unapproved"] = systems_unapproved_panel(user=user, unit=f.unit)
    return context


@login_required
def wall(request: HttpRequest) -> HttpResponse:
    """The IOC room's wall: dark, large, rotating through the sectors with data, refreshing itself."""
    user = _user(request)
    f = Filters(request, user)
    body = cached_html(_key(request, user, "wall"), lambda: render_to_string(
        "dashboards/_wall_panels.html", _wall_context(f), request=request))  # fmt: skip
    if getattr(request, "htmx", False):
        return HttpResponse(body)
    rotate = int(request.GET.get("rotate", 20)) if request.GET.get("rotate", "20").isdigit() else 20
    return render(request, "dashboards/wall.html", f.context() | {"body": body, "rotate": rotate})


def _wall_context(f: Filters) -> dict[str, Any]:
    panels = []
    for summary in _sector_summaries(f):
        if not summary["has_data"]:
            continue
        first = next(t["tile"].code for t in summary["tiles"] if t["tile"].value is not None)
        panels.append(summary | _map_and_ranking(f, first, dark=True) | {"map_code": first})
    return f.context() | {"panels": panels, "fresh": freshness()}


def _geometry_etag(request: HttpRequest, code: str) -> str:
    ids = OrgUnitGeometry.objects.filter(unit__parent__code=code).values_list("id", flat=True)
    return f"{code}-{len(ids)}-{max(ids, default=0)}"


@login_required
@etag(_geometry_etag)
def geometry(request: HttpRequest, code: str) -> HttpResponse:
    """The boundaries of a unit's children as a FeatureCollection (served from our own store)."""
    unit = scoped_unit(_user(request), code)
    if unit is None:
        raise Http404
    features = [
        {"type": "Feature", "id": g.unit.code, "properties": {"code": g.unit.code, "name": g.unit.name},
         "geometry": g.geojson}
        for g in OrgUnitGeometry.objects.filter(unit__parent=unit, unit__valid_to__isnull=True).select_related("unit")
    ]  # fmt: skip
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """An indicator: its definition in words, legal basis and targets; its value for the unit over
    time; the values of the units under it (table, map, ranking) with the records behind each figure."""
    user = _user(request)
    definition = IndicatorDefinition.objects.filter(code=code, active=True).first()
    if definition is None:
        raise Http404
    f = Filters(request, user)
    f.map_code = code
    export = request.GET.get("format", "")
    if export in ("csv", "xlsx"):
        return _indicator_export(f, definition, export)
    body = cached_html(_key(request, user, "indicator"), lambda: render_to_string(
        "dashboards/_indicator_body.html", _indicator_context(f, definition), request=request))  # fmt: skip
    name = definition.name_en if f.lang == "en" else definition.name_vi
    return render(request, "dashboards/indicator.html", f.context() | {"body": body, "name": name})


def _indicator_context(f: Filters, d: IndicatorDefinition) -> dict[str, Any]:
    from dieuhanh.indicators.models import IndicatorValue

    en = f.lang == "en"
    found = tiles(unit=f.unit, codes=[d.code], period=f.period, lang=f.lang)
    tile = found[0] if found else None
    _, children = children_values(parent=f.unit, code=d.code, period=f.period, lang=f.lang, level=f.level)
    stored = {v.unit_id: v for v in IndicatorValue.objects.filter(indicator=d, period=f.period.key,
                                                                  unit__in=[c.unit for c in children])}  # fmt: skip
    rows = []
    for c in children:
        v = stored.get(c.unit.pk)
        rows.append({"child": c, "numerator": v.numerator if v else None, "denominator": v.denominator if v else None,
                     "target": format_value(v.target, d.unit, d.decimals, f.lang) if v and v.target is not None else "",
                     "rank": v.rank if v else None, "rank_of": v.rank_of if v else None})  # fmt: skip
    labels = d.labels or {}
    return (
        f.context()
        | {
            "d": d,
            "name": d.name_en if en else d.name_vi,
            "description": d.description_en if en else d.description_vi,
            "tile": tile,
            "trend_spec": charts.js(charts.trend(tile, f.lang)) if tile else "",
            "rows": rows,
            "has_records": labels.get("table") in ("dossiers", "documents", "services"),
            "labels": labels,
            "fresh": freshness([labels["table"]] if labels.get("table") else []),
            "map_choices": [],
        }
        | _map_and_ranking(f, d.code)
    )


def _indicator_export(f: Filters, d: IndicatorDefinition, fmt: str) -> HttpResponse:
    import csv
    import io

    _, children = children_values(parent=f.unit, code=d.code, period=f.period, lang=f.lang, level=f.level)
    from dieuhanh.indicators.models import IndicatorValue

    stored = {v.unit_id: v for v in IndicatorValue.objects.filter(indicator=d, period=f.period.key,
                                                                  unit__in=[c.unit for c in children])}  # fmt: skip
    header = ["Mã đơn vị / Unit code", "Đơn vị / Unit", "Kỳ / Period", "Tử số / Numerator", "Mẫu số / Denominator",
              "Giá trị / Value", "Chỉ tiêu / Target", "Đánh giá / Status", "Hạng / Rank"]  # fmt: skip
    rows = []
    for c in children:
        v = stored.get(c.unit.pk)
        rows.append([c.unit.code, c.unit.name, f.period.key, v.numerator if v else None,
                     v.denominator if v else None, v.value if v else None, v.target if v else None,
                     v.status if v else "", v.rank if v else None])  # fmt: skip
    name = f"{d.code}-{f.unit.code}-{f.period.key}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = d.code[:31]
    sheet.append([d.name_vi])
    sheet.append([f"{f.unit.name} · {f.period.label('vi')}"])
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(out.getvalue(), content_type=xlsx)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
