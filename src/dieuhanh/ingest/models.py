"""Where records come from (sources, API keys) and what happened to each batch of them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    FILE = "file", _("file")
    API = "api", _("push API")
    MQTT = "mqtt", _("MQTT")
    PULL = "pull", _("pull connector")
    DEMO = "demo", _("demo generator")
    FORM = "form", _("report form")
    MODULE = "module", _("dieuhanh module")  # figures another module keeps (the registry)


class Source(models.Model):
    """A source system (one-stop-shop, document management, a sensor network, a unit's reports).

    Records are keyed by (source, record id): two systems may use the same record ids. A source
    may write only for the units listed in `units` and their subtrees.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="owned_sources",
        verbose_name=_("owner unit"),
    )
    units = models.ManyToManyField(
        "orgunits.OrgUnit", related_name="sources", verbose_name=_("units it may write")
    )
    active = models.BooleanField(_("active"), default=True)
    # Pull connector: fetch a JSON list of records from this address on a schedule.
    pull_url = models.URLField(_("pull address"), blank=True, max_length=500)
    pull_table = models.CharField(_("pull table"), max_length=40, blank=True)
    pull_every_minutes = models.PositiveIntegerField(_("pull every (minutes)"), default=60)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    # Expected rhythm: a source silent for longer is flagged.
    expected_every_minutes = models.PositiveIntegerField(_("expected every (minutes)"), default=1440)
    last_batch_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("source system")
        verbose_name_plural = _("source systems")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ApiKey(models.Model):
    """A bearer key for the push API. Only a hash is stored; the key is shown once."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.source.code}:{self.prefix}…"


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    REFUSED = "refused", _("refused")  # nothing written: personal data, or no valid row
    FAILED = "failed", _("failed")  # interrupted before its lake commit: nothing written


class IngestBatch(models.Model):
    """One delivery of records: a file, an API call, a slice of the MQTT stream, a pull."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    table = models.CharField(_("table"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    file_name = models.CharField(_("file"), max_length=260, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    unit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="the unit whose officers see this batch (the sender's unit)",
    )  # fmt: skip
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)  # rows that changed the lake (inserted + updated)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)  # valid rows the lake already had (or had newer)
    rejected = models.PositiveIntegerField(default=0)
    lake_version = models.BigIntegerField(null=True, blank=True)
    months = models.JSONField(default=list, blank=True)  # partitions touched, for incremental recompute
    units_touched = models.JSONField(default=list, blank=True)  # unit codes of the written rows
    message = models.TextField(blank=True)
    host = models.CharField(max_length=100, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.table} {self.started_at:%Y-%m-%d %H:%M} ({self.source.code})"


class RejectedRow(models.Model):
    """One refused row (or one problem of it): where, why, and the row as sent, personal data masked."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    row = models.PositiveIntegerField(null=True, blank=True)
    field = models.CharField(max_length=60, blank=True)
    code = models.CharField(max_length=60)
    message_vi = models.TextField()
    message_en = models.TextField()
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["batch", "row", "id"]

    def __str__(self) -> str:
        return f"{self.row}:{self.field} {self.code}"
