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
from dieuhanh.environment.selectors import episodes_for, live_version, stations_now

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
    return render(request, "environment/_live.html", context)
