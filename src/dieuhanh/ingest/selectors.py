"""Reads of ingest batches and sources, scoped to the user's subtree."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import restrict
from dieuhanh.ingest.models import IngestBatch, Source


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
