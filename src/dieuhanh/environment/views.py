"""The environment sector's live panel: a small fragment the sector page and the wall screen poll.

The page holds ``<div hx-get=".../truc-tiep/?v=VERSION" hx-trigger="every 1s" hx-swap="outerHTML">``;
the server answers 204 (nothing to swap) while the data version is unchanged, else the new
fragment with the new version. New observations show within the polling interval (1 s) plus
the time the subscriber takes to store a batch and derive its AQI (see docs/environment.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.dashboards.selectors import sectors
from dieuhanh.environment.forms import AlertRuleForm
from dieuhanh.environment.models import AlertRule
from dieuhanh.environment.selectors import (
    alert_rules_for,
    episodes_for,
    live_version,
    stations_for,
    stations_now,
)
from dieuhanh.environment.services import ALERT_RULE_FIELDS, alert_rule_may_change, alert_rule_save
from dieuhanh.web.pages import page, page_language, refuse, user_of

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
    context["sector_name"] = _sector_name()
    return render(request, "environment/live_page.html", context)


def _sector_name() -> str:
    sector = next((s for s in sectors() if s.code == "moi-truong"), None)
    return sector.name(page_language()) if sector else ""


@page
def rules(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The alert thresholds the user's stations are watched with; a manager of those stations (or
    of every station, for a rule on all) adds and changes them here, audited."""
    user = user_of(request)
    visible = alert_rules_for(user=user)
    rule = None
    if pk is not None:
        rule = next((r for r in visible if r.pk == pk), None)
        if rule is None or not alert_rule_may_change(user, rule.station):
            raise Http404
    form = AlertRuleForm(request.POST or None, instance=rule, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            data = {f: form.cleaned_data.get(f) for f in ALERT_RULE_FIELDS}
            fresh = AlertRule.objects.get(pk=rule.pk) if rule is not None else None
            alert_rule_save(actor=Actor.of(user), rule=fresh, data=data)
            messages.success(request, _("Saved."))
            return redirect("environment:rules")
        except UserError as exc:
            refuse(request, exc)
    editable = {r.pk for r in visible if alert_rule_may_change(user, r.station)}
    return render(request, "environment/rules.html", {
        "rules": visible, "rule": rule, "form": form, "editable": editable,
        "can_edit": rule is not None or any(alert_rule_may_change(user, s) for s in [None, *stations_for(user=user)]),
        "sector_name": _sector_name(),
    })  # fmt: skip
