# ninja resolves annotations at run time: no `from __future__ import annotations` here.
import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer, django_auth

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.indicators.services import indicator_values_schedule_after_batch
from dieuhanh.ingest.hooks import fill_records
from dieuhanh.ingest.models import Channel, IngestBatch, RejectedRow, Source
from dieuhanh.ingest.readers import json_records
from dieuhanh.ingest.selectors import batch_get, batches_for, lake_history
from dieuhanh.ingest.services import apikey_authenticate, batch_ingest
from dieuhanh.ingest.validation import table_spec

router = Router()
lake_router = Router()  # /api/v1/lake/…: the fact lake's versions


class SourceKey(HttpBearer):
    """`Authorization: Bearer dh_…`: a key bound to one source system and the units it may write."""

    def authenticate(self, request: HttpRequest, token: str) -> Source | None:
        return apikey_authenticate(token)


class ProblemOut(Schema):
    code: str
    file: str
    row: int | None
    field: str
    message_vi: str
    message_en: str


class IngestOut(Schema):
    batch: str
    table: str
    source: str
    status: str
    received: int
    accepted: int
    inserted: int
    updated: int
    rejected: int
    unchanged: int
    lake_version: int | None
    ignored_columns: list[str]
    problems: list[ProblemOut]


class ErrorOut(Schema):
    error: dict[str, Any]


@router.post(
    "/{table}",
    response={200: IngestOut, 400: ErrorOut, 401: ErrorOut},
    auth=SourceKey(),
    summary='Push records of a fact table (JSON list, or {"records": [...]})',
    description=(
        "Validated like a file: bad rows are refused with row, field and reason (Vietnamese and English) "
        "and the good rows of the same call are stored. Re-sending changes nothing. A call carrying "
        "citizens' personal data is refused whole."
    ),
)
def push(request: HttpRequest, table: str) -> IngestOut:
    source = getattr(request, "auth", None)
    assert isinstance(source, Source)
    spec = table_spec(table)
    try:
        payload = json.loads(request.body or b"null")
    except ValueError as exc:
        raise UserError(
            "ingest.bad_json", f"Nội dung không phải JSON hợp lệ: {exc}", f"The body is not valid JSON: {exc}"
        ) from exc
    numbered = list(json_records(payload, name=f"POST /ingest/{spec.name}"))
    filled = fill_records(spec.name, [dict(r) for _, r in numbered])
    result = batch_ingest(
        actor=Actor.system(f"api:{source.code}"), source=source, table=spec.name,
        records=[(i, r) for (i, _), r in zip(numbered, filled, strict=True)], channel=Channel.API,
    )  # fmt: skip
    indicator_values_schedule_after_batch(batch=result.batch)
    return IngestOut(**result.as_dict())


class BatchOut(Schema):
    id: str
    table: str
    source: str
    channel: str
    file_name: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    received: int
    accepted: int
    unchanged: int
    rejected: int
    lake_version: int | None

    @staticmethod
    def resolve_id(obj: IngestBatch) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_source(obj: IngestBatch) -> str:
        return obj.source.code


class RejectedOut(Schema):
    row: int | None
    field: str
    code: str
    message_vi: str
    message_en: str
    raw: dict[str, Any]


@router.get(
    "/batches/", response=list[BatchOut], auth=django_auth, summary="Ingest batches of the caller's subtree"
)
@paginate(LimitOffsetPagination)
def list_batches(request: HttpRequest, table: str = "", status: str = "") -> Any:
    user = request.user
    assert isinstance(user, User)
    return batches_for(user=user, table=table, status=status)


@router.get("/batches/{batch_id}/rejected", response=list[RejectedOut], auth=django_auth,
            summary="The refused rows of a batch, with reasons")  # fmt: skip
@paginate(LimitOffsetPagination)
def list_rejected(request: HttpRequest, batch_id: str) -> Any:
    user = request.user
    assert isinstance(user, User)
    batch = batch_get(user=user, batch_id=batch_id)
    if batch is None:
        raise NotFound("batch.not_found", "Không có lô dữ liệu này.", "No such batch.")
    return RejectedRow.objects.filter(batch=batch).order_by("row", "id")


class VersionBatchOut(Schema):
    id: str
    source: str
    channel: str
    file_name: str
    actor: str
    status: str
    received: int
    accepted: int
    unchanged: int
    rejected: int
    started_at: datetime


class LakeVersionOut(Schema):
    table: str
    version: int
    timestamp: datetime
    operation: str
    inserted: int | None
    updated: int | None
    batch: VersionBatchOut | None


@lake_router.get(
    "/{table}/history", response={200: list[LakeVersionOut], 400: ErrorOut}, auth=django_auth,
    summary="The versions of a fact table, newest first, with the batch behind each",
    description=(
        "Every write is a version (time travel: figures can be read as the lake stood at a moment, "
        "`dieuhanh value … --as-of`). The batch is given when the caller may see it (their subtree)."
    ),
)  # fmt: skip
def table_history(request: HttpRequest, table: str, limit: int = 100) -> Any:
    user = request.user
    assert isinstance(user, User)
    return [v.as_dict() for v in lake_history(table=table, user=user, limit=max(1, min(limit, 1000)))]
