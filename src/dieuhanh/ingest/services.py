"""Writes of the ingest app: sources, API keys and batches of records into the lake.

A batch goes: recorded as running (committed, so it is visible) → validated whole → the valid
rows upserted into the lake in ONE Delta commit (all or nothing, even if the process is killed)
→ counts, rejected rows and the audit row written in one database transaction. A process killed
between the lake commit and that transaction leaves a running batch whose lake commit carries
its id: `batch_reconcile` finishes its record from the lake's log, so nothing is counted twice
or lost.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import require
from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import UserError
from dieuhanh.ingest import hooks
from dieuhanh.ingest.models import ApiKey, BatchStatus, Channel, IngestBatch, RejectedRow, Source
from dieuhanh.ingest.readers import Records, as_text_rows
from dieuhanh.ingest.validation import Outcome, UnitInfo, Validator, table_spec
from dieuhanh.lake import Lake, local_month
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure


def get_lake() -> Lake:
    return Lake(settings.LAKE_DIR)


@dataclass
class BatchResult:
    batch: IngestBatch
    outcome: Outcome
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Any] = field(default_factory=list)
    rows: pa.Table | None = None  # the accepted rows as stored (the lake's columns)

    @property
    def changed_lake(self) -> bool:
        return self.batch.status == BatchStatus.DONE and bool(self.batch.inserted + self.batch.updated)

    def as_dict(self) -> dict[str, Any]:
        b = self.batch
        return {
            "batch": str(b.pk),
            "table": b.table,
            "source": b.source.code,
            "status": b.status,
            "received": b.received,
            "accepted": b.accepted,
            "inserted": b.inserted,
            "updated": b.updated,
            "rejected": b.rejected,
            "unchanged": b.unchanged,
            "lake_version": b.lake_version,
            "ignored_columns": self.outcome.ignored_columns,
            "problems": [p.as_dict() for p in self.outcome.problems[:1000]],
        }


def unit_infos() -> dict[str, UnitInfo]:
    return {
        code: UnitInfo(vf, vt)
        for code, vf, vt in OrgUnit.objects.values_list("code", "valid_from", "valid_to")
    }


def allowed_unit_codes(*, source: Source, user: User | None) -> set[str] | None:
    """Codes the sender may write: the source's units' subtrees, narrowed to the user's subtree."""
    roots = list(source.units.values_list("id", flat=True))
    allowed = set(
        OrgUnitClosure.objects.filter(ancestor_id__in=roots).values_list("descendant__code", flat=True)
    )
    if user is not None:
        mine = set(
            OrgUnitClosure.objects.filter(ancestor_id=user.unit_id).values_list("descendant__code", flat=True)
        )
        allowed &= mine
    return allowed


def source_get(*, code: str) -> Source:
    source = Source.objects.filter(code=code).first()
    if source is None:
        raise UserError(
            "ingest.unknown_source",
            f"Không có nguồn dữ liệu {code!r}: tạo bằng `dieuhanh sources add`.",
            f"No source system {code!r}: create it with `dieuhanh sources add`.",
        )
    if not source.active:
        raise UserError("ingest.inactive_source", f"Nguồn {code} đã ngừng.", f"Source {code} is inactive.")
    return source


def source_create(
    *, actor: Actor, code: str, name: str, owner: OrgUnit, units: Iterable[OrgUnit], **extra: Any
) -> Source:
    if actor.user is not None:
        require(actor.user, "administer", owner)
    units = list(units)
    with transaction.atomic():
        source, created = Source.objects.get_or_create(
            code=code, defaults={"name": name, "owner": owner, **extra}
        )
        before = None if created else snapshot(source)
        if not created:
            source.name, source.owner = name, owner
            for k, v in extra.items():
                setattr(source, k, v)
            source.save()
        source.units.set(units)
        after = snapshot(source) | {"units": sorted(u.code for u in units)}
        if before is None or before != {k: v for k, v in after.items() if k != "units"}:
            audit_record(
                actor=actor, action="source.create" if created else "source.update", obj=source, unit=owner,
                before=before, after=after,
            )  # fmt: skip
    return source


def source_default(*, code: str, name: str) -> Source:
    """The named source, created on first use for the whole province (CLI files, MQTT sensors)."""
    source = Source.objects.filter(code=code).first()
    if source is not None:
        return source
    roots = list(OrgUnit.objects.filter(parent__isnull=True, valid_to__isnull=True))
    if not roots:
        raise UserError(
            "unit.none",
            "Chưa có đơn vị: chạy `dieuhanh units import --province 68` trước.",
            "No units yet: run `dieuhanh units import --province 68` first.",
        )
    return source_create(actor=Actor.system("cli"), code=code, name=name, owner=roots[0], units=roots)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def apikey_issue(*, actor: Actor, source: Source, label: str = "") -> str:
    """Create a push-API key for a source. Returns the key, which is stored only as a hash."""
    if actor.user is not None:
        require(actor.user, "administer", source.owner)
    prefix = secrets.token_hex(4)
    key = f"dh_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(source=source, prefix=prefix, digest=_digest(key), label=label)
        audit_record(
            actor=actor, action="apikey.issue", obj=api_key, unit=source.owner, after={"label": label}
        )
    return key


def apikey_authenticate(key: str) -> Source | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "dh":
        return None
    api_key = ApiKey.objects.select_related("source").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if (
        api_key is None
        or not secrets.compare_digest(api_key.digest, _digest(key))
        or not api_key.source.active
    ):
        return None
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key.source


def apikey_revoke(*, actor: Actor, api_key: ApiKey) -> None:
    with transaction.atomic():
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="apikey.revoke", obj=api_key, unit=api_key.source.owner)


def batch_ingest(
    *,
    actor: Actor,
    source: Source,
    table: str,
    records: Records,
    channel: str = Channel.FILE,
    file_name: str = "",
    lake: Lake | None = None,
    after: bool = True,
) -> BatchResult:
    """Validate records and upsert the valid ones into the lake as one batch. See the module docstring.

    ``records`` is `TextRows` (what `readers.file_records` and `readers.csv_rows` give: chunks of
    text with row numbers), a `pyarrow.Table` of text columns (rows numbered from 1 unless it has
    ``__row``) or an iterator of such chunks, or (row number, {header: value}) pairs as the API,
    MQTT and pull connectors send them (see `readers.as_text_rows`). Headers lacking a required
    column raise `UserError` before any batch is recorded.

    The after-batch hooks (`ingest.hooks`) run before this returns, unless ``after`` is false: a
    caller that stores many batches in a row (the MQTT subscriber) runs them itself, for several
    batches at once, with `hooks.after_batches` and ``result.rows``.
    """
    spec = table_spec(table)
    user = actor.user
    if user is not None:
        require(user, "submit", user.unit)
    lake = lake or get_lake()
    rows = as_text_rows(records)
    validator = Validator(
        spec.name,
        units=unit_infos(),
        allowed_units=allowed_unit_codes(source=source, user=user),
        file=file_name,
        checks=hooks.checks_for(spec.name, channel=channel),
    )
    validator.check_headers(rows)
    batch = IngestBatch.objects.create(
        source=source, table=spec.name, channel=channel, file_name=file_name[:260], actor=user,
        actor_label=actor.label, unit=user.unit if user else source.owner, started_at=timezone.now(),
        host=socket.gethostname()[:100], pid=os.getpid(),
    )  # fmt: skip
    try:
        outcome = validator.validate(rows)
    except UserError as exc:  # unusable as a whole (seen only once read): nothing was written
        _fail(batch, actor, f"{exc.code}: {exc.message_en}")
        raise
    accepted = outcome.accepted_rows
    received = accepted + outcome.rejected_rows
    result = BatchResult(batch=batch, outcome=outcome)

    if outcome.personal:
        # Nothing of a batch carrying personal data is written, not even its valid rows.
        _finish(batch, outcome, actor, status=BatchStatus.REFUSED, received=received, message="personal data")
        return result

    upsert = None
    if accepted:
        arrow = outcome.table()
        outcome.tables = [arrow]
        result.rows = arrow
        upsert = lake.upsert(spec.name, arrow, batch_id=str(batch.pk), source=source.code)
        result.inserted, result.updated = upsert.inserted, upsert.updated
        result.unchanged = upsert.unchanged + upsert.superseded
        batch.lake_version = upsert.version
        batch.months = _months(spec.partition_source, arrow)
        batch.units_touched = sorted(u for u in pc.unique(arrow.column("unit_code")).to_pylist() if u)
    batch.inserted, batch.updated, batch.unchanged = result.inserted, result.updated, result.unchanged
    status = BatchStatus.DONE if accepted or not outcome.problems else BatchStatus.REFUSED
    _finish(batch, outcome, actor, status=status, received=received)
    if after and result.changed_lake and result.rows is not None:
        hooks.after_batches(spec.name, [hooks.Stored(batch, result.rows)])
    return result


def _months(partition_source: str | None, arrow: pa.Table) -> list[str]:
    if partition_source is None or partition_source == "period":
        return []
    return sorted(m for m in pc.unique(local_month(arrow.column(partition_source))).to_pylist() if m)


def _fail(batch: IngestBatch, actor: Actor, message: str) -> None:
    batch.status = BatchStatus.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    with transaction.atomic():
        batch.save()
        audit_record(actor=actor, action="batch.failed", obj=batch, unit=batch.unit, note=message)


def _finish(
    batch: IngestBatch, outcome: Outcome, actor: Actor, *, status: str, received: int, message: str = ""
) -> None:
    batch.status = status
    batch.received = received
    batch.rejected = (
        outcome.rejected_rows if status != BatchStatus.REFUSED or not outcome.personal else received
    )
    batch.accepted = batch.inserted + batch.updated
    batch.finished_at = timezone.now()
    batch.message = message or (
        f"ignored columns: {', '.join(outcome.ignored_columns)}" if outcome.ignored_columns else ""
    )
    with transaction.atomic():
        batch.save()
        RejectedRow.objects.bulk_create(
            [
                RejectedRow(
                    batch=batch,
                    row=p.row,
                    field=p.field,
                    code=p.code,
                    message_vi=p.message_vi,
                    message_en=p.message_en,
                    raw=outcome.raw_of.get(p.row, {}) if p.row is not None else {},
                )
                for p in outcome.problems
            ],
            batch_size=1000,
        )
        Source.objects.filter(pk=batch.source_id).update(last_batch_at=batch.finished_at)
        audit_record(
            actor=actor, action=f"batch.{status}", obj=batch, unit=batch.unit,
            after={k: getattr(batch, k) for k in ("table", "received", "accepted", "unchanged", "rejected",
                                                   "lake_version", "file_name")},
        )  # fmt: skip


def batch_reconcile(*, lake: Lake | None = None, older_than: timedelta = timedelta(minutes=5)) -> list[str]:
    """Finish the records of batches whose process died: done if their commit is in the lake, else failed."""
    lake = lake or get_lake()
    host = socket.gethostname()[:100]
    fixed: list[str] = []
    cutoff = timezone.now() - older_than
    for batch in IngestBatch.objects.filter(status=BatchStatus.RUNNING):
        alive = (
            batch.host == host
            and batch.pid is not None
            and _pid_alive(batch.pid)
            and batch.pid != os.getpid()
        )
        if alive or (batch.host != host and batch.started_at > cutoff):
            continue
        commit = next((h for h in lake.history(batch.table) if h["batch_id"] == str(batch.pk)), None)
        with transaction.atomic():
            if commit is None:
                batch.status = BatchStatus.FAILED
                batch.message = "interrupted before writing to the lake: nothing was stored; send it again"
            else:
                metrics = commit.get("metrics") or {}
                batch.status = BatchStatus.DONE
                batch.lake_version = commit["version"]
                batch.inserted = int(
                    metrics.get("num_target_rows_inserted", metrics.get("num_added_rows", 0)) or 0
                )
                batch.updated = int(metrics.get("num_target_rows_updated", 0) or 0)
                batch.accepted = batch.inserted + batch.updated
                batch.message = "interrupted after writing to the lake; counts recovered from the lake's log"
            batch.finished_at = timezone.now()
            batch.save()
            audit_record(actor=Actor.system("reconcile"), action=f"batch.{batch.status}", obj=batch,
                         unit=batch.unit, note=batch.message)  # fmt: skip
        fixed.append(str(batch.pk))
    return fixed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def now_utc() -> datetime:
    return datetime.now(UTC)
