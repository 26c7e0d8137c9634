"""Writes of the environment app: stations, the VN_AQI derived from observations, alert episodes.

After stored observations batches (`ingest.hooks.after_batches`, whatever the channel) the
environment app, in the ingesting process (for a file or an API call, before it answers; for
MQTT, on the subscriber's derive thread, once for all batches stored since its last pass):
1. recomputes the hourly and daily VN_AQI of the stations and hours the batch can change
   (an hour's NowCast reads the 11 hours before it, a day's O3 8-hour means the 7 before) and
   upserts them into the lake's derived tables ``aqi_hourly`` and ``aqi_daily`` (see docs/aqi.md);
2. updates each station's latest values (what the live panel shows) and closes its "source
   silent" episode;
3. evaluates the alert thresholds over the recomputed hours: an episode opens (and is e-mailed
   once) when a rule has held for its number of consecutive hours, and ends at the first hour
   it no longer holds;
4. enqueues the recomputation of the environment pack's indicators for the months touched.

**Hour labels.** The AQI labels an hour by its end (Decision 1459), the lake's ``hour`` column
of observations is the start of the clock hour containing the time. The rule used here, the
same as `dieuhanh aqi`: an observation at ``t`` belongs to the hour ending at ``ceil(t)`` (10:20
and 11:00 both to the hour labelled 11:00; 11:00:01 to 12:00). The ``hour`` column is not used.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from dieuhanh.accounts.scoping import in_scope
from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import PermissionDenied, Problem, UserError
from dieuhanh.environment.aqi import (
    DailyAQI,
    HourlyAQI,
    daily_aqi,
    hour_label,
    hourly_aqi,
    unit_factor,
)
from dieuhanh.environment.models import AlertEpisode, AlertRule, EpisodeKind, Metric, Station
from dieuhanh.environment.stations_file import StationRow
from dieuhanh.ingest.hooks import Stored
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit

log = logging.getLogger(__name__)

POLLUTANTS = ("pm25", "pm10", "o3", "no2", "so2", "co")
BAND_CODES = {1: "good", 2: "moderate", 3: "poor", 4: "bad", 5: "very_bad", 6: "hazardous"}
AQI_SOURCE = "vn_aqi"
#: Hours read before the first changed hour: 11 for the NowCast, 7 for O3 8-hour means, and the
#: rest of the day so a day is always recomputed whole; alerts look back as far for a streak.
LOOKBACK_HOURS = 48
SILENT_GRACE = timedelta(minutes=10)


def hour_of(t: datetime) -> int:
    """The end-labelled hour number (hours since the epoch) an observation at ``t`` belongs to."""
    return math.ceil(t.timestamp() / 3600)


def get_lake() -> Lake:
    return Lake(settings.LAKE_DIR)


# --- stations -------------------------------------------------------------------------------------
@dataclass
class StationImportResult:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems})

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.file, "accepted": self.created + self.updated, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected,
            "problems": [p.as_dict() for p in self.problems],
        }  # fmt: skip


def station_import(
    *, actor: Actor, rows: Iterable[StationRow], file: str, problems: list[Problem] | None = None
) -> StationImportResult:
    """Create or update stations from checked rows, in one transaction (rows naming an unknown
    unit are refused with their reasons, the others written)."""
    result = StationImportResult(file=file, problems=list(problems or []))
    units = {u.code: u for u in OrgUnit.objects.all()}
    with transaction.atomic():
        for row in rows:
            unit = units.get(row.unit_code)
            if unit is None:
                result.problems.append(Problem("unit.unknown", f"Mã đơn vị {row.unit_code} không có trong hệ thống.",
                                               f"Unit code {row.unit_code} is unknown.", file=file, row=row.row,
                                               field="unit_code"))  # fmt: skip
                continue
            if actor.user is not None and not (actor.user.can("administer") and in_scope(actor.user, unit)):
                result.problems.append(Problem("scope.denied", f"Không có quyền quản trị đơn vị {unit.code}.",
                                               f"You may not administer unit {unit.code}.", file=file, row=row.row,
                                               field="unit_code"))  # fmt: skip
                continue
            values = {"name": row.name, "unit": unit, "latitude": row.latitude, "longitude": row.longitude,
                      "parameters": list(row.parameters), "interval_minutes": row.interval_minutes,
                      "active": row.active}  # fmt: skip
            station = Station.objects.filter(code=row.code).first()
            if station is None:
                station = Station.objects.create(code=row.code, **values)
                audit_record(
                    actor=actor, action="station.create", obj=station, unit=unit, after=snapshot(station)
                )
                result.created += 1
                continue
            before = snapshot(station)
            for k, v in values.items():
                setattr(station, k, v)
            if snapshot(station) == before:
                result.unchanged += 1
                continue
            station.save()
            audit_record(actor=actor, action="station.update", obj=station, unit=unit, before=before,
                         after=snapshot(station))  # fmt: skip
            result.updated += 1
    return result


# --- VN_AQI derived from observations ---------------------------------------------------------------
@dataclass
class DeriveResult:
    stations: list[str] = field(default_factory=list)
    hours: int = 0
    days: int = 0
    months: list[str] = field(default_factory=list)
    episodes_opened: int = 0
    episodes_closed: int = 0


def _changed(stored: list[Stored]) -> dict[str, tuple[datetime, datetime, str]]:
    """station → (earliest, latest observed_at, a unit code) of the rows of the stored batches."""
    import pyarrow.compute as pc

    columns = ["station_code", "observed_at", "unit_code"]
    rows = pa.concat_tables([s.rows.select(columns) for s in stored])
    rows = rows.filter(pc.is_valid(rows.column("station_code")))
    if not rows.num_rows:
        return {}
    grouped = rows.group_by("station_code").aggregate(
        [("observed_at", "min"), ("observed_at", "max"), ("unit_code", "max")]
    )
    return {
        station: (first.astimezone(UTC), last.astimezone(UTC), unit)
        for station, first, last, unit in zip(
            grouped.column("station_code").to_pylist(), grouped.column("observed_at_min").to_pylist(),
            grouped.column("observed_at_max").to_pylist(), grouped.column("unit_code_max").to_pylist(),
            strict=True,
        )
    }  # fmt: skip


def _observations(lake: Lake) -> Any:
    """A DuckDB connection with the ``observations`` view only (not every table's)."""
    from dieuhanh.lake import TABLES
    from dieuhanh.lake.sql import view_sql

    con = lake.duckdb_connection()
    con.execute(view_sql(TABLES["observations"], lake.files("observations")))
    return con


def _read_hourly(lake: Lake, spans: dict[str, tuple[int, int]]) -> dict[str, dict[str, dict[int, float]]]:
    """station → pollutant → end-labelled hour number → 1-hour mean in µg/m³, for the spans given."""
    if not spans:
        return {}
    lo = min(a for a, _ in spans.values())
    hi = max(b for _, b in spans.values())
    start = datetime.fromtimestamp((lo - 1) * 3600, UTC)
    end = datetime.fromtimestamp(hi * 3600, UTC)
    months = sorted({(start + timedelta(days=d)).astimezone(_VN).strftime("%Y-%m")
                     for d in range((end - start).days + 2)})  # fmt: skip
    con = _observations(lake)
    try:
        con.execute("CREATE TEMP TABLE dh_st (code VARCHAR)")
        con.executemany("INSERT INTO dh_st VALUES (?)", [[c] for c in spans])
        rows = con.execute(
            "SELECT station_code, parameter, CAST(ceil(epoch(observed_at) / 3600) AS BIGINT) AS h, "
            "avg(value), coalesce(uom, '') FROM observations "
            f"WHERE month IN ({', '.join('?' for _ in months)}) AND observed_at > ? AND observed_at <= ? "
            "AND station_code IN (SELECT code FROM dh_st) AND parameter IN ('pm25','pm10','o3','no2','so2','co') "
            "AND value IS NOT NULL GROUP BY 1, 2, 3, 5",
            [*months, start, end],
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, dict[int, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    factors: dict[str, float | None] = {}
    for station, parameter, h, value, uom in rows:
        a, b = spans[station]
        if not a <= h <= b:
            continue
        if uom not in factors:
            try:
                factors[uom] = unit_factor(uom)
            except Exception:
                factors[uom] = None
        factor = factors[uom]
        if factor is None or value < 0:
            continue
        out[station][parameter][int(h)].append(value * factor)
    return {
        s: {p: {h: sum(v) / len(v) for h, v in hs.items()} for p, hs in ps.items()} for s, ps in out.items()
    }


_VN = timezone.get_fixed_timezone(7 * 60)


def _day_of(number: int) -> date:
    return (datetime.fromtimestamp((number - 1) * 3600, UTC).astimezone(_VN)).date()


def _hour_rows(station: str, unit: str, hours: list[HourlyAQI]) -> list[dict[str, Any]]:
    return [
        {"station_code": station, "unit_code": unit, "hour_end": h.hour.astimezone(UTC),
         "aqi_day": _day_of(int(h.hour.timestamp() // 3600)), "aqi": None if h.aqi is None else float(h.aqi),
         "dominant": h.dominant, "band": BAND_CODES[h.band.level] if h.band else None,
         **{p: float(h.sub[p]) if p in h.sub else None for p in POLLUTANTS}}
        for h in hours
    ]  # fmt: skip


def _day_rows(station: str, unit: str, days: list[DailyAQI]) -> list[dict[str, Any]]:
    return [
        {"station_code": station, "unit_code": unit, "aqi_day": d.date, "aqi": None if d.aqi is None else float(d.aqi),
         "dominant": d.dominant, "band": BAND_CODES[d.band.level] if d.band else None,
         **{p: float(d.sub[p]) if p in d.sub else None for p in POLLUTANTS}}
        for d in days
    ]  # fmt: skip


def _arrow(table: str, rows: list[dict[str, Any]]) -> Any:
    from dieuhanh.lake import TABLES, declared_schema

    return pa.Table.from_pylist(rows, schema=declared_schema(TABLES[table]))


def aqi_after_batch(stored: list[Stored]) -> None:
    """The `ingest.hooks` after-batch hook of observations."""
    aqi_derive_after_batches(stored)


def aqi_derive_after_batches(
    stored: list[Stored], *, lake: Lake | None = None, now: datetime | None = None
) -> DeriveResult:
    """Steps 1–4 of the module docstring for stored observations batches (one, or all those the
    MQTT subscriber stored since its last call: their stations' spans are derived once)."""
    lake = lake or get_lake()
    now = now or timezone.now()
    result = DeriveResult()
    batch = stored[-1].batch  # names the derived rows and the alerts' actor
    changed = _changed(stored)
    if not changed:
        return result
    registry = {s.code: s for s in Station.objects.select_related("unit").filter(code__in=list(changed))}
    spans: dict[str, tuple[int, int]] = {}
    keep: dict[str, tuple[int, int]] = {}
    for station, (first, last, _unit) in changed.items():
        a, b = hour_of(first), hour_of(last)
        b_affected = min(b + 11, hour_of(now))  # the NowCast of the 11 hours after the last one
        day_start = _day_start_hour(_day_of(a))
        keep[station] = (day_start, max(b_affected, b))
        spans[station] = (day_start - LOOKBACK_HOURS, _day_start_hour(_day_of(max(b_affected, b))) + 23)
    series = _read_hourly(lake, spans)
    hour_rows: list[dict[str, Any]] = []
    day_rows: list[dict[str, Any]] = []
    latest: dict[str, HourlyAQI] = {}
    computed: dict[str, list[HourlyAQI]] = {}
    for station, by_param in series.items():
        unit = registry[station].unit.code if station in registry else changed[station][2]
        typed = {p: {hour_label(h): v for h, v in hs.items()} for p, hs in by_param.items()}
        hours = hourly_aqi(typed)
        a, b = keep[station]
        hours = [h for h in hours if a <= int(h.hour.timestamp() // 3600) <= b]
        computed[station] = hours
        hour_rows.extend(_hour_rows(station, unit, hours))
        first_day, last_day = _day_of(a), _day_of(b)
        days = [d for d in daily_aqi(typed) if first_day <= d.date <= last_day]
        day_rows.extend(_day_rows(station, unit, days))
        with_aqi = [h for h in hours if h.aqi is not None]
        if with_aqi:
            latest[station] = with_aqi[-1]
    source = f"{AQI_SOURCE}:{batch.pk}"
    if hour_rows:
        lake.upsert("aqi_hourly", _arrow("aqi_hourly", hour_rows), batch_id=str(batch.pk), source=AQI_SOURCE)
    if day_rows:
        lake.upsert("aqi_daily", _arrow("aqi_daily", day_rows), batch_id=str(batch.pk), source=AQI_SOURCE)
    result.stations = sorted(series)
    result.hours, result.days = len(hour_rows), len(day_rows)
    result.months = sorted({r["aqi_day"].strftime("%Y-%m") for r in day_rows})
    _stations_seen(registry, changed, latest, now=now)
    opened, closed = alerts_evaluate(
        stations=registry, hours=computed, series=series, actor=Actor.system(source)
    )
    result.episodes_opened, result.episodes_closed = opened, closed
    _schedule_indicators(result.months)
    return result


def _day_start_hour(day: date) -> int:
    """The hour number of the hour labelled 01:00 of ``day`` (its first hour)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=_VN)
    return int(midnight.timestamp() // 3600) + 1


def _schedule_indicators(months: list[str]) -> None:
    if not months:
        return
    try:
        from dieuhanh.environment.tasks import environment_indicators_task

        environment_indicators_task.enqueue(months)
    except Exception:
        log.exception("could not enqueue the environment indicators for %s", months)


def environment_indicators_compute(*, months: list[str]) -> Any:
    """Recompute the environment pack's indicators for the periods overlapping ``months``."""
    from dieuhanh.indicators.services import indicator_catalog, indicator_values_compute

    catalog = indicator_catalog()
    codes = [c for c, d in catalog.definitions.items() if d.record is not None and
             d.record.table in ("aqi_hourly", "aqi_daily")]  # fmt: skip
    if not codes:
        return None
    return indicator_values_compute(months=months, codes=codes, catalog=catalog,
                                    actor=Actor.system("environment"))  # fmt: skip


def _stations_seen(
    registry: dict[str, Station], changed: dict[str, tuple[datetime, datetime, str]],
    latest: dict[str, HourlyAQI], *, now: datetime,
) -> None:  # fmt: skip
    with transaction.atomic():
        for code, station in registry.items():
            last = changed[code][1]
            fields = ["updated_at"]
            if station.last_seen_at is None or last > station.last_seen_at:
                station.last_seen_at = last
                fields.append("last_seen_at")
            top = latest.get(code)
            if top is not None and (station.latest_hour is None or top.hour >= station.latest_hour):
                station.latest_hour = top.hour
                station.latest_aqi = top.aqi
                station.latest_dominant = top.dominant or ""
                fields += ["latest_hour", "latest_aqi", "latest_dominant"]
            station.updated_at = now
            station.save(update_fields=fields)
            silent = AlertEpisode.objects.filter(
                kind=EpisodeKind.SILENT, station=station, ended_at__isnull=True
            ).first()
            if (
                silent is not None
                and station.last_seen_at is not None
                and station.last_seen_at > silent.started_at
            ):
                silent.ended_at = station.last_seen_at
                silent.save(update_fields=["ended_at"])
                audit_record(actor=Actor.system("environment"), action="alert.end", obj=silent, unit=station.unit,
                             after={"kind": silent.kind, "ended_at": silent.ended_at})  # fmt: skip
                _mail_after_commit(silent, ending=True)


# --- alerts -------------------------------------------------------------------------------------
def _value(rule: AlertRule, h: HourlyAQI, means: dict[str, dict[int, float]], number: int) -> float | None:
    if rule.metric == Metric.AQI_HOURLY:
        return None if h.aqi is None else float(h.aqi)
    return means.get(rule.metric, {}).get(number)


def alerts_evaluate(
    *, stations: dict[str, Station], hours: dict[str, list[HourlyAQI]],
    series: dict[str, dict[str, dict[int, float]]], actor: Actor,
) -> tuple[int, int]:  # fmt: skip
    """Open and close threshold episodes over recomputed hours (see the module docstring)."""
    rules = list(AlertRule.objects.filter(active=True))
    opened = closed = 0
    for code, station in stations.items():
        station_hours = hours.get(code, [])
        if not station_hours:
            continue
        means = series.get(code, {})
        for rule in rules:
            if rule.station_id is not None and rule.station_id != station.pk:
                continue
            o, c = _walk(rule, station, station_hours, means, actor)
            opened, closed = opened + o, closed + c
    return opened, closed


def _walk(
    rule: AlertRule,
    station: Station,
    hours: list[HourlyAQI],
    means: dict[str, dict[int, float]],
    actor: Actor,
) -> tuple[int, int]:
    need = max(1, rule.consecutive_hours)
    episode = AlertEpisode.objects.filter(rule=rule, station=station, ended_at__isnull=True).first()
    opened = closed = 0
    streak: list[tuple[datetime, float]] = []
    previous: int | None = None
    with transaction.atomic():
        for h in hours:
            number = int(h.hour.timestamp() // 3600)
            if previous is not None and number != previous + 1:
                streak = []  # a gap breaks a streak
            previous = number
            x = _value(rule, h, means, number)
            end = h.hour.astimezone(UTC)
            if episode is not None and end <= (episode.last_at or episode.started_at):
                continue  # already seen
            if rule.holds(x):
                assert x is not None
                streak.append((end, x))
                if episode is None and len(streak) >= need:
                    start = streak[0][0] - timedelta(hours=1)
                    episode, created = AlertEpisode.objects.get_or_create(
                        rule=rule, station=station, started_at=start, defaults={"kind": EpisodeKind.THRESHOLD},
                    )  # fmt: skip
                    if created:
                        top = max(streak, key=lambda s: s[1])
                        episode.peak_value, episode.peak_at = top[1], top[0]
                        episode.last_value, episode.last_at = x, end
                        episode.save()
                        audit_record(actor=actor, action="alert.raise", obj=episode, unit=station.unit,
                                     after={"rule": rule.name, "station": station.code, "peak": top[1]})  # fmt: skip
                        _mail_after_commit(episode, ending=False)
                        opened += 1
                    elif episode.ended_at is not None:
                        episode = None  # a closed episode recomputed: nothing new
                        continue
                elif episode is not None:
                    if episode.peak_value is None or x > episode.peak_value:
                        episode.peak_value, episode.peak_at = x, end
                    episode.last_value, episode.last_at = x, end
                    episode.save(update_fields=["peak_value", "peak_at", "last_value", "last_at"])
            else:
                streak = []
                if episode is not None:
                    episode.ended_at = end - timedelta(hours=1)  # the end of the last hour that held
                    episode.save(update_fields=["ended_at"])
                    audit_record(actor=actor, action="alert.end", obj=episode, unit=station.unit,
                                 after={"rule": rule.name, "station": station.code, "ended_at": episode.ended_at,
                                        "peak": episode.peak_value})  # fmt: skip
                    _mail_after_commit(episode, ending=True)
                    closed += 1
                    episode = None
    return opened, closed


def _recipients(episode: AlertEpisode) -> list[str]:
    text = episode.rule.recipients if episode.rule is not None else ""
    extra = getattr(settings, "ENVIRONMENT_ALERT_EMAILS", "")
    found = [x.strip() for x in f"{text}\n{extra}".replace(",", "\n").splitlines() if x.strip()]
    return sorted(set(found))


def _mail_after_commit(episode: AlertEpisode, *, ending: bool) -> None:
    pk = episode.pk
    transaction.on_commit(lambda: _mail(pk, ending=ending))


def episode_text(episode: AlertEpisode) -> tuple[str, str]:
    """(subject, body) of an episode's e-mail, Vietnamese then English."""
    station = episode.station
    local = timezone.localtime
    if episode.kind == EpisodeKind.SILENT:
        what_vi, what_en = "Trạm không gửi số liệu", "Source silent"
        detail_vi = f"Không nhận được số liệu quá {station.interval_minutes} phút (chu kỳ dự kiến)."
        detail_en = f"No data for longer than its expected interval ({station.interval_minutes} minutes)."
    else:
        rule = episode.rule
        assert rule is not None
        what_vi, what_en = f"Cảnh báo: {rule.name}", f"Alert: {rule.name}"
        op = ">" if rule.operator == "gt" else "≥"
        peak = episode.peak_value if episode.peak_value is not None else float("nan")
        at_vi = f" lúc {local(episode.peak_at):%H:%M %d/%m/%Y}" if episode.peak_at else ""
        at_en = f" at {local(episode.peak_at):%Y-%m-%d %H:%M}" if episode.peak_at else ""
        detail_vi = (f"{rule.get_metric_display()} {op} {rule.value:g} trong {rule.consecutive_hours} giờ liên tiếp; "
                     f"đỉnh {peak:g}{at_vi}")  # fmt: skip
        detail_en = (f"{rule.metric} {op} {rule.value:g} for {rule.consecutive_hours} consecutive hour(s); "
                     f"peak {peak:g}{at_en}")  # fmt: skip
    state_vi = (
        f"kết thúc lúc {local(episode.ended_at):%H:%M %d/%m/%Y}" if episode.ended_at else "đang diễn ra"
    )
    state_en = f"ended at {local(episode.ended_at):%Y-%m-%d %H:%M}" if episode.ended_at else "ongoing"
    state = "kết thúc / ended" if episode.ended_at else "bắt đầu / started"
    subject = f"[dieuhanh] {what_vi} / {what_en} — {station.code} ({state})"
    body = (f"{what_vi}\nTrạm: {station.name} ({station.code}), {station.unit.name}\n"
            f"Bắt đầu: {local(episode.started_at):%H:%M %d/%m/%Y}; {state_vi}.\n{detail_vi}\n\n"
            f"{what_en}\nStation: {station.name} ({station.code})\n"
            f"Started: {local(episode.started_at):%Y-%m-%d %H:%M}; {state_en}.\n{detail_en}\n")  # fmt: skip
    return subject, body


def _mail(pk: int, *, ending: bool) -> None:
    episode = AlertEpisode.objects.select_related("station__unit", "rule").filter(pk=pk).first()
    if episode is None:
        return
    to = _recipients(episode)
    if to:
        subject, body = episode_text(episode)
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to).send()
        except Exception:
            log.exception("could not send the alert e-mail of episode %s", pk)
            return
    field_name = "end_notified_at" if ending else "notified_at"
    AlertEpisode.objects.filter(pk=pk).update(**{field_name: timezone.now()})


def stations_silent_check(*, now: datetime | None = None) -> list[str]:
    """Open a "source silent" episode for each active station whose last observation is older
    than its expected interval (plus `SILENT_GRACE`); returns the codes newly raised."""
    now = now or timezone.now()
    raised: list[str] = []
    for station in Station.objects.select_related("unit").filter(active=True):
        reference = station.last_seen_at or station.created_at
        if now - reference <= timedelta(minutes=station.interval_minutes) + SILENT_GRACE:
            continue
        with transaction.atomic():
            if AlertEpisode.objects.filter(
                kind=EpisodeKind.SILENT, station=station, ended_at__isnull=True
            ).exists():
                continue
            started = reference + timedelta(minutes=station.interval_minutes)
            episode = AlertEpisode.objects.create(
                kind=EpisodeKind.SILENT, station=station, started_at=started
            )
            Station.objects.filter(pk=station.pk).update(updated_at=now)
            after = {"kind": "silent", "station": station.code, "last_seen_at": station.last_seen_at}
            audit_record(actor=Actor.system("scheduler"), action="alert.raise", obj=episode, unit=station.unit,
                         after=after)  # fmt: skip
            _mail_after_commit(episode, ending=False)
        raised.append(station.code)
    return raised


def alert_rule_default(*, actor: Actor) -> AlertRule:
    """The demo's rule: hourly AQI above 150 ("Xấu" or worse) for 2 consecutive hours."""
    rule, created = AlertRule.objects.get_or_create(
        name="AQI > 150 trong 2 giờ liên tiếp", defaults={"metric": Metric.AQI_HOURLY, "operator": "gt",
                                                          "value": 150, "consecutive_hours": 2},
    )  # fmt: skip
    if created:
        with transaction.atomic():
            audit_record(actor=actor, action="alert_rule.create", obj=rule, after=snapshot(rule))
    return rule


ALERT_RULE_FIELDS = (
    "name",
    "metric",
    "operator",
    "value",
    "consecutive_hours",
    "station",
    "recipients",
    "active",
)


def alert_rule_save(*, actor: Actor, rule: AlertRule | None, data: dict[str, Any]) -> AlertRule:
    """Create (``rule`` None) or change an alert threshold, audited.

    Who: a unit manager or an administrator whose subtree holds the rule's station, or, for a rule
    on every station, every active station. The threshold is checked here, whatever the form:
    a non-negative value, 1–72 consecutive hours, valid e-mail recipients.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    user = actor.user
    station: Station | None = data.get("station")
    if user is not None:
        if rule is not None:  # the rule as it is must be the user's too
            _require_rule_scope(user, rule.station)
        _require_rule_scope(user, station)
    problems: list[Problem] = []

    def refuse(field: str, vi: str, en: str) -> None:
        problems.append(Problem(code=f"alert_rule.{field}", field=field, message_vi=vi, message_en=en))

    name = str(data.get("name") or "").strip()
    if not name:
        refuse("name", "Cần đặt tên cho ngưỡng cảnh báo.", "The threshold needs a name.")
    value = data.get("value")
    if value is None or not math.isfinite(float(value)) or float(value) < 0:
        refuse("value", "Ngưỡng phải là một số không âm.", "The threshold must be a number, zero or more.")
    hours = data.get("consecutive_hours")
    if hours is None or not 1 <= int(hours) <= 72:
        refuse(
            "consecutive_hours", "Số giờ liên tiếp phải từ 1 đến 72.", "Consecutive hours must be 1 to 72."
        )
    if data.get("metric") not in Metric.values:
        refuse("metric", "Thông số không hợp lệ.", "Unknown parameter.")
    if data.get("operator") not in ("gt", "ge"):
        refuse("operator", "Phép so sánh không hợp lệ.", "Unknown comparison.")
    recipients = [r.strip() for r in str(data.get("recipients") or "").splitlines() if r.strip()]
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            refuse(
                "recipients",
                f"Địa chỉ thư điện tử không hợp lệ: {address}.",
                f"Not an e-mail address: {address}.",
            )
    if problems:
        raise UserError("alert_rule.invalid", "Ngưỡng cảnh báo chưa hợp lệ.", "The alert threshold is not valid.",
                        problems=problems)  # fmt: skip
    with transaction.atomic():
        before = snapshot(rule) if rule is not None else None
        target = rule or AlertRule()
        target.name, target.metric, target.operator = name, data["metric"], data["operator"]
        target.value, target.consecutive_hours = float(value), int(hours)  # type: ignore[arg-type]
        target.station, target.recipients = station, "\n".join(recipients)
        target.active = bool(data.get("active", True))
        target.save()
        action = "alert_rule.update" if rule is not None else "alert_rule.create"
        audit_record(actor=actor, action=action, obj=target, unit=station.unit if station else None,
                     before=before, after=snapshot(target))  # fmt: skip
    return target


def alert_rule_may_change(user: Any, station: Station | None) -> bool:
    """Whether ``user`` may add or change a threshold on ``station`` (None: on every station)."""
    try:
        _require_rule_scope(user, station)
    except PermissionDenied:
        return False
    return True


def _require_rule_scope(user: Any, station: Station | None) -> None:
    from dieuhanh.accounts.scoping import require

    if station is not None:
        require(user, "approve", station.unit)
        return
    units = list(OrgUnit.objects.filter(stations__active=True).distinct())
    if not units:
        require(user, "administer", None if user.unit is None else user.unit)
    for unit in units:
        require(user, "approve", unit)
