"""Minimal pages: the indicator list, one indicator's values, and the records behind a figure.

The IOC dashboards come later; these pages show the data the API serves and let a user trace a
figure back to its records (and download them).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dieuhanh.accounts.models import User
from dieuhanh.core.errors import UserError
from dieuhanh.indicators.exports import records_response
from dieuhanh.indicators.selectors import (
    MAX_EXPORT_ROWS,
    indicator_get,
    indicator_list,
    indicator_records,
    indicator_values_for,
    stored_as_dict,
)

PAGE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def indicator_index(request: HttpRequest) -> HttpResponse:
    return render(request, "indicators/index.html", {"indicators": indicator_list()})


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    definition = indicator_get(code=code)
    qs = indicator_values_for(user=user, code=code)
    periods = list(qs.order_by("-period").values_list("period", flat=True).distinct()[:200])
    period = request.GET.get("period") or (periods[0] if periods else "")
    values = (
        [stored_as_dict(v) for v in qs.filter(period=period).order_by("rank", "unit__code")] if period else []
    )
    return render(
        request,
        "indicators/detail.html",
        {"d": definition, "values": values, "period": period, "periods": periods,
         "has_records": definition.labels.get("table") in ("dossiers", "documents", "services"),
         "has_denominator": any(v["denominator"] is not None for v in values)},
    )  # fmt: skip


@login_required
def indicator_records_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    unit, period = request.GET.get("unit", ""), request.GET.get("period", "")
    part = request.GET.get("part", "numerator")
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        page = indicator_records(user=user, code=code, unit_code=unit, period_key=period, part=part,
                                 limit=MAX_EXPORT_ROWS)  # fmt: skip
        return records_response(page, fmt)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    try:
        page = indicator_records(user=user, code=code, unit_code=unit, period_key=period, part=part, limit=PAGE,
                                 offset=(number - 1) * PAGE)  # fmt: skip
    except UserError as exc:
        return render(request, "indicators/records.html", {"error": exc, "code": code}, status=400)
    pages = max(1, -(-page.total // PAGE))
    return render(
        request,
        "indicators/records.html",
        {"page": page, "code": code, "number": number, "pages": pages, "d": indicator_get(code=code),
         "previous": number - 1 if number > 1 else None, "next": number + 1 if number < pages else None},
    )  # fmt: skip
