"""The environment sector's live panel: a small fragment the sector page and the wall screen poll.

The page holds ``<div hx-get=".../truc-tiep/?v=VERSION" hx-trigger="every 1s" hx-swap="outerHTML">``;
the server answers 204 (nothing to swap) while the data version is unchanged, else the new
fragment with the new version. New observations show within the polling interval (1 s) plus
the time the subscriber takes to store a batch and derive its AQI (see docs/environment.md).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dieuhanh.accounts.models import User
from dieuhanh.dashboards.selectors import sectors
from dieuhanh.environment.selectors import episodes_for, live_version, stations_now
from dieuhanh.web.pages import page_language

POLL_SECONDS = 1


@login_required
def live(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    version = live_version()
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    wall = request.GET.get("wall") == "1"
    context = {
        "version": version, "wall": wall, "poll": POLL_SECONDS, "stations": stations_now(user=user),
        "open": episodes_for(user=user, open_only=True), "recent": episodes_for(user=user, limit=5),
    }  # fmt: skip
    if request.headers.get("HX-Request") == "true" or "v" in request.GET:  # polled by a page holding it
        return render(request, "environment/_live.html", context)
    # Opened by itself (a link, a bookmark on a screen): the panel in a page of its own.
    sector = next((s for s in sectors() if s.code == "moi-truong"), None)
    context["sector_name"] = sector.name(page_language()) if sector else ""
    return render(request, "environment/live_page.html", context)
