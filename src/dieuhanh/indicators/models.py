"""Loaded definitions, computed values and compute runs.

Definitions live in the packs' YAML; :class:`IndicatorDefinition` is their loaded copy (code,
labels, logic hash) so values can reference them and pages can list them. A value is one
(indicator, unit, period) figure with its numerator, denominator, target, status and rank.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgunits.models import OrgUnit


class IndicatorDefinition(models.Model):
    code = models.CharField(_("code"), max_length=100, unique=True)
    pack = models.CharField(_("pack"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=20)
    unit = models.CharField(_("unit of measure"), max_length=40)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    direction = models.CharField(_("direction"), max_length=20)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    description_vi = models.TextField(_("Vietnamese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    regimes = models.JSONField(_("period regimes"), default=list)
    labels = models.JSONField(_("labels"), default=dict, blank=True)  # legal basis, targets, notes (display)
    logic_hash = models.CharField(_("logic hash"), max_length=64)
    # The logic hash the stored values were computed with ("" = never computed).
    computed_hash = models.CharField(_("computed with hash"), max_length=64, blank=True)
    file = models.CharField(_("file"), max_length=300, blank=True)
    line = models.PositiveIntegerField(_("line"), default=0)
    active = models.BooleanField(_("active"), default=True)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="indicator_values")
    regime = models.CharField(_("period regime"), max_length=20)
    period = models.CharField(_("period"), max_length=20)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    reason = models.CharField(_("reason (no value)"), max_length=300, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    target_source = models.CharField(_("target set by"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, blank=True)  # met | not_met | no_data | ""
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    rank_of = models.PositiveIntegerField(_("ranked units"), null=True, blank=True)
    components = models.JSONField(_("component points"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    lake_versions = models.JSONField(_("lake versions"), default=dict, blank=True)
    logic_hash = models.CharField(_("logic hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period"], name="indicator_value_key"),
        ]
        indexes = [
            # a dashboard tile: one indicator, one period, all units (map, ranking)
            models.Index(fields=["indicator", "period", "rank"], name="indicator_value_ranking"),
            # a unit's page: every indicator of one period
            models.Index(fields=["unit", "period"], name="indicator_value_unit"),
            # a trend: one indicator and unit over the periods of a regime
            models.Index(fields=["indicator", "unit", "regime", "period"], name="indicator_value_trend"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period}: {self.value}"


class RunMode(models.TextChoices):
    FULL = "full", _("full")
    INCREMENTAL = "incremental", _("incremental")
    BATCH = "batch", _("after a batch")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ComputeRun(models.Model):
    mode = models.CharField(_("mode"), max_length=20, choices=RunMode.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    batch_id = models.CharField(_("ingest batch"), max_length=40, blank=True, db_index=True)
    months = models.JSONField(_("months"), default=list, blank=True)
    units = models.JSONField(_("units touched"), default=list, blank=True)
    periods = models.JSONField(_("periods recomputed"), default=dict, blank=True)
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    written = models.PositiveIntegerField(_("values written"), default=0)
    unchanged = models.PositiveIntegerField(_("values unchanged"), default=0)
    deleted = models.PositiveIntegerField(_("values deleted"), default=0)
    lake_versions = models.JSONField(_("lake versions"), default=dict, blank=True)
    unplaced = models.JSONField(_("unplaced units"), default=list, blank=True)
    problems = models.JSONField(_("definition problems"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("compute run")
        verbose_name_plural = _("compute runs")

    def __str__(self) -> str:
        return f"{self.mode} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
