"""Pages of the foundation: overview of the user's unit, the unit tree, a unit, the audit log."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope, restrict
from dieuhanh.audit.selectors import audit_entries
from dieuhanh.orgunits.models import KIND_LABELS, Kind, OrgUnit, OrgUnitLineage


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _kind_counts(units: list[OrgUnit]) -> list[tuple[str, int]]:
    counts = Counter(u.kind for u in units)
    lang = "en" if getattr(_current_lang(), "startswith", lambda _: False)("en") else "vi"
    return [(KIND_LABELS[Kind(k)][0 if lang == "vi" else 1], n) for k, n in sorted(counts.items())]


def _current_lang() -> str:
    from django.utils.translation import get_language

    return get_language() or "vi"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unit = user.unit
    children: list[OrgUnit] = []
    if unit is not None:
        children = list(OrgUnit.objects.filter(parent=unit).current().order_by("kind", "name"))
    recent = list(audit_entries(user=user).select_related("actor")[:8])
    return render(
        request,
        "web/home.html",
        {
            "unit": unit,
            "children": children,
            "kind_counts": _kind_counts(children),
            "recent": recent,
        },
    )


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    qs = restrict(OrgUnit.objects.select_related("parent"), user, unit_field="self")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    show = request.GET.get("show", "current")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__startswith=q)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if show == "current":
        qs = qs.filter(valid_to__isnull=True)
    page = Paginator(qs.order_by("kind", "code"), 50).get_page(request.GET.get("page"))
    template = "web/_unit_rows.html" if getattr(request, "htmx", False) else "web/unit_list.html"
    return render(
        request,
        template,
        {"page": page, "q": q, "kind": kind, "show": show, "kinds": Kind.choices},
    )


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
    # Out-of-scope units answer exactly like missing ones: no existence leak.
    if unit is None or not in_scope(user, unit):
        raise Http404
    ancestors = list(OrgUnit.objects.ancestors_of(unit))
    children = list(OrgUnit.objects.filter(parent=unit).order_by("kind", "name"))
    context: dict[str, Any] = {
        "unit": unit,
        "ancestors": [a for a in ancestors if a.pk != unit.pk and in_scope(user, a)],
        "children": children,
        "predecessors": list(OrgUnitLineage.objects.filter(successor=unit).select_related("predecessor")),
        "successors": list(OrgUnitLineage.objects.filter(predecessor=unit).select_related("successor")),
        "kind_label": KIND_LABELS[Kind(unit.kind)],
        "history": list(
            audit_entries(user=user, object_type="orgunits.orgunit", object_id=str(unit.pk))[:20]
        ),
    }
    from django.utils.translation import get_language

    from dieuhanh.dashboards.selectors import choose_period, unit_indicator_rows

    period = choose_period(
        request.GET.get("regime", "month"), request.GET.get("period", ""), timezone.localdate()
    )
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    context["period"] = period
    context["period_label"] = period.label(lang)  # type: ignore[arg-type]
    context["indicators"] = unit_indicator_rows(unit=unit, period=period, lang=lang)
    return render(request, "web/unit_detail.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    since_d = parse_date(request.GET.get("since", "") or "") if request.GET.get("since") else None
    until_d = parse_date(request.GET.get("until", "") or "") if request.GET.get("until") else None
    tz = timezone.get_current_timezone()
    qs = audit_entries(
        user=user,
        action=request.GET.get("action", "").strip(),
        actor=request.GET.get("actor", "").strip(),
        since=datetime.combine(since_d, time.min, tz) if since_d else None,
        until=datetime.combine(until_d, time.max, tz) if until_d else None,
    ).select_related("actor", "unit")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page": page, "filters": request.GET})


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and the web benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
