"""Reads of ingest batches and sources, scoped to the user's subtree."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import restrict
from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import IngestBatch, Source
from dieuhanh.ingest.services import get_lake
from dieuhanh.lake import TABLES, Lake


def batches_for(*, user: User, table: str = "", status: str = "") -> QuerySet[IngestBatch]:
    qs = restrict(IngestBatch.objects.select_related("source", "unit"), user)
    if table:
        qs = qs.filter(table=table)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-started_at")


def batch_get(*, user: User, batch_id: str) -> IngestBatch | None:
    try:
        pk = uuid.UUID(batch_id)
    except ValueError:
        return None
    return batches_for(user=user).filter(pk=pk).first()


def sources_for(*, user: User) -> QuerySet[Source]:
    return restrict(Source.objects.all(), user, unit_field="owner").order_by("code")


def sources_silent(*, user: User, now: datetime | None = None) -> list[Source]:
    """Active sources of the user's subtree that sent nothing for longer than their expected rhythm."""
    now = now or timezone.now()
    silent = []
    for source in sources_for(user=user).filter(active=True):
        last = source.last_batch_at
        if last is None or last + timedelta(minutes=source.expected_every_minutes) < now:
            silent.append(source)
    return silent


@dataclass
class LakeVersion:
    """One version of a fact table and, when known, the ingest batch that produced it."""

    table: str
    version: int
    timestamp: datetime
    operation: str  # create | upsert | compact | the Delta operation
    inserted: int | None
    updated: int | None
    batch_id: str | None  # the batch recorded in the commit, whoever may see it
    batch: IngestBatch | None = None  # only when the reader may see that batch

    def as_dict(self) -> dict[str, Any]:
        b = self.batch
        return {
            "table": self.table, "version": self.version, "timestamp": self.timestamp.isoformat(),
            "operation": self.operation, "inserted": self.inserted, "updated": self.updated,
            "batch": None if b is None else {
                "id": str(b.pk), "source": b.source.code, "channel": b.channel, "file_name": b.file_name,
                "actor": b.actor_label, "status": b.status, "received": b.received, "accepted": b.accepted,
                "unchanged": b.unchanged, "rejected": b.rejected, "started_at": b.started_at.isoformat(),
            },
        }  # fmt: skip


_OPERATIONS = {"WRITE": "create", "CREATE TABLE": "create", "MERGE": "upsert", "OPTIMIZE": "compact"}


def _count(metrics: dict[str, Any], *names: str) -> int | None:
    for name in names:
        if metrics.get(name) is not None:
            return int(metrics[name])
    return None


def lake_history(
    *, table: str, user: User | None = None, limit: int | None = None, lake: Lake | None = None
) -> list[LakeVersion]:
    """The versions of a fact table, newest first, each with the batch that wrote it.

    Every version is listed (what the lake held at each moment is the same for everyone); the
    batch behind a version is attached only if `user` may see it (None: the operator, sees all).
    Unknown table: `UserError`.
    """
    spec = TABLES.get(table)  # derived tables (the AQI) have a history too
    if spec is None:
        raise UserError("lake.unknown_table", f"Không có bảng dữ liệu {table!r}. Các bảng: {', '.join(TABLES)}.",
                        f"No lake table {table!r}. Tables: {', '.join(TABLES)}.")  # fmt: skip
    lake = lake or get_lake()
    entries = lake.history(spec.name, limit)
    ids = []
    for e in entries:
        try:
            ids.append(uuid.UUID(str(e["batch_id"])))
        except ValueError:
            continue
    qs = IngestBatch.objects.select_related("source") if user is None else batches_for(user=user)
    batches = {str(b.pk): b for b in qs.filter(pk__in=ids)}
    out = []
    for e in entries:
        metrics = e.get("metrics") or {}
        op = str(e.get("operation") or "")
        compact = op == "OPTIMIZE"
        operation = _OPERATIONS.get(op, op)
        if op == "WRITE" and str((e.get("parameters") or {}).get("mode", "")).lower() == "append":
            operation = "upsert"  # an upsert of new keys only is an append (Lake.upsert)
        out.append(LakeVersion(
            table=spec.name, version=int(e["version"]), timestamp=e["timestamp"], operation=operation,
            inserted=None if compact else _count(metrics, "num_target_rows_inserted", "num_added_rows"),
            updated=None if compact else _count(metrics, "num_target_rows_updated") or 0,
            batch_id=e.get("batch_id"), batch=batches.get(str(e.get("batch_id"))),
        ))  # fmt: skip
    return out
