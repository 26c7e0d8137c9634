"""Reads of the environment app: the live panel's stations and alerts, scoped to the user's subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, QuerySet

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import restrict
from dieuhanh.environment.aqi import LABELS, Band, band
from dieuhanh.environment.models import AlertEpisode, AlertRule, Station


def live_version() -> str:
    """Changes whenever a station's latest values, or an alert episode, change (a few indexed reads)."""
    s = Station.objects.aggregate(at=Max("updated_at"), n=Count("id"))
    e = AlertEpisode.objects.aggregate(last=Max("id"), ended=Count("ended_at"), peaks=Max("last_at"))
    parts: list[Any] = [s["at"], s["n"], e["last"], e["ended"], e["peaks"]]
    return "-".join(str(int(p.timestamp() * 1000)) if isinstance(p, datetime) else str(p or 0) for p in parts)


@dataclass(frozen=True)
class StationNow:
    station: Station
    band: Band | None
    silent: bool

    @property
    def dominant(self) -> str:
        return LABELS.get(self.station.latest_dominant, self.station.latest_dominant)


def stations_for(*, user: User) -> QuerySet[Station]:
    return restrict(Station.objects.select_related("unit").filter(active=True), user, unit_field="unit")


def stations_now(*, user: User) -> list[StationNow]:
    silent = set(
        AlertEpisode.objects.filter(kind="silent", ended_at__isnull=True).values_list("station_id", flat=True)
    )
    return [
        StationNow(s, band(s.latest_aqi) if s.latest_aqi is not None else None, s.pk in silent)
        for s in stations_for(user=user)
    ]


def episodes_for(*, user: User, open_only: bool = False, limit: int = 10) -> list[AlertEpisode]:
    qs = restrict(
        AlertEpisode.objects.select_related("station__unit", "rule"), user, unit_field="station__unit"
    )
    if open_only:
        qs = qs.filter(ended_at__isnull=True)
    return list(
        qs.order_by("ended_at", "-started_at")[:limit] if open_only else qs.order_by("-started_at")[:limit]
    )


def alert_rules_for(*, user: User) -> list[AlertRule]:
    """The thresholds that watch the user's stations: those of a station in the subtree, and
    those on every station."""
    from django.db.models import Q

    mine = stations_for(user=user).values("pk")
    return list(AlertRule.objects.select_related("station").filter(Q(station__isnull=True) | Q(station__in=mine))
                .order_by("name"))  # fmt: skip
