"""The environment sector: monitoring stations, alert thresholds and alert episodes.

- `Station`: a monitoring station (code, name, unit, location, the parameters it measures and
  how often it is expected to report). Once at least one station is registered, observations of
  an unknown station, or of a parameter the station does not measure, are quarantined.
- `AlertRule`: a configurable threshold, e.g. "hourly AQI above 150 for 2 consecutive hours",
  or a concentration (`pm25` 1-hour mean ≥ 100 µg/m³), optionally for one station only.
- `AlertEpisode`: one episode of a rule at a station (start, end, peak); raised and e-mailed
  once, its end recorded when the condition stops holding. "Source silent" episodes have no rule.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Parameters a station may measure: the six VN_AQI pollutants and common meteorology.
PARAMETERS = (
    "pm25",
    "pm10",
    "o3",
    "no2",
    "so2",
    "co",
    "temperature",
    "humidity",
    "wind_speed",
    "rain",
    "noise",
)


class Station(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="stations",
                             verbose_name=_("unit"))  # fmt: skip
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    parameters = models.JSONField(_("parameters measured"), default=list, blank=True)
    interval_minutes = models.PositiveIntegerField(_("expected reporting interval (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last observation received"), null=True, blank=True)
    # The latest hourly AQI (what the live panel shows without reading the lake).
    latest_hour = models.DateTimeField(_("latest AQI hour (end)"), null=True, blank=True)
    latest_aqi = models.IntegerField(_("latest hourly AQI"), null=True, blank=True)
    latest_dominant = models.CharField(_("dominant pollutant"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring station")
        verbose_name_plural = _("monitoring stations")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Metric(models.TextChoices):
    AQI_HOURLY = "aqi", _("hourly AQI")
    PM25 = "pm25", "PM2.5 (µg/m³)"
    PM10 = "pm10", "PM10 (µg/m³)"
    O3 = "o3", "O3 (µg/m³)"
    NO2 = "no2", "NO2 (µg/m³)"
    SO2 = "so2", "SO2 (µg/m³)"
    CO = "co", "CO (µg/m³)"


class Operator(models.TextChoices):
    GT = "gt", ">"
    GE = "ge", "≥"


class AlertRule(models.Model):
    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(
        _("parameter or AQI"), max_length=10, choices=Metric.choices, default=Metric.AQI_HOURLY
    )
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices, default=Operator.GT)
    value = models.FloatField(_("threshold"))
    consecutive_hours = models.PositiveIntegerField(_("consecutive hours"), default=1)
    station = models.ForeignKey(Station, on_delete=models.CASCADE, null=True, blank=True, related_name="rules",
                                verbose_name=_("station (empty: every station)"))  # fmt: skip
    recipients = models.TextField(_("e-mail recipients (one per line)"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert threshold")
        verbose_name_plural = _("alert thresholds")

    def __str__(self) -> str:
        return self.name

    def holds(self, x: float | None) -> bool:
        if x is None:
            return False
        return x > self.value if self.operator == Operator.GT else x >= self.value


class EpisodeKind(models.TextChoices):
    THRESHOLD = "threshold", _("threshold exceeded")
    SILENT = "silent", _("source silent")


class AlertEpisode(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=EpisodeKind.choices)
    rule = models.ForeignKey(
        AlertRule, on_delete=models.CASCADE, null=True, blank=True, related_name="episodes"
    )
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="episodes")
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    peak_value = models.FloatField(_("peak"), null=True, blank=True)
    peak_at = models.DateTimeField(_("peak at"), null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    end_notified_at = models.DateTimeField(_("end e-mail sent"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("alert episode")
        verbose_name_plural = _("alert episodes")
        constraints = [
            models.UniqueConstraint(fields=["rule", "station", "started_at"], name="episode_once_per_start"),
            models.UniqueConstraint(
                fields=["kind", "station"],
                condition=models.Q(kind="silent", ended_at__isnull=True),
                name="one_open_silent_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station.code} {self.kind} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def open(self) -> bool:
        return self.ended_at is None
