"""Pages: upload a file, the list of batches, a batch with its refused rows (downloadable to fix), and
the lake's version history with the batch behind each version."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.indicators.services import indicator_values_schedule_after_batch
from dieuhanh.ingest.models import Channel, RejectedRow
from dieuhanh.ingest.readers import file_records
from dieuhanh.ingest.selectors import batch_get, batches_for, lake_history
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.ingest.validation import INGESTED
from dieuhanh.lake import TABLES

MAX_UPLOAD = 200 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    sources = list(user.unit.sources.filter(active=True)) if user.unit else []
    from dieuhanh.ingest.selectors import sources_for

    sources = list({s.pk: s for s in [*sources, *sources_for(user=user)]}.values())
    if request.method == "POST":
        return _upload(request, user, sources)
    page = Paginator(batches_for(user=user, table=request.GET.get("table", "")), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ingest/batch_list.html",
        {"page": page, "tables": INGESTED, "sources": sources, "can_submit": user.can("submit")},
    )


def _upload(request: HttpRequest, user: User, sources: list) -> HttpResponse:  # type: ignore[type-arg]
    upload = request.FILES.get("file")
    table = request.POST.get("table", "")
    source = next((s for s in sources if str(s.pk) == request.POST.get("source")), None)
    if upload is None or source is None or table not in INGESTED:
        messages.error(request, _("Choose a table, a source and a file."))
        return redirect("ingest:batch_list")
    if upload.size and upload.size > MAX_UPLOAD:
        messages.error(request, _("The file is larger than 200 MB: split it or use the command line."))
        return redirect("ingest:batch_list")
    suffix = Path(upload.name or "upload.csv").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(upload.name or "upload").name or f"upload{suffix}")
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            records, _total = file_records(path)
            result = batch_ingest(actor=Actor.of(user), source=source, table=table, records=records,
                                  channel=Channel.FILE, file_name=path.name)  # fmt: skip
        except UserError as exc:
            messages.error(request, f"{exc.message_vi} / {exc.message_en}")
            return redirect("ingest:batch_list")
    indicator_values_schedule_after_batch(batch=result.batch)
    return redirect("ingest:batch_detail", batch_id=result.batch.pk)


@login_required
def batch_detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = batch_get(user=_user(request), batch_id=batch_id)
    if batch is None:
        raise Http404
    rows = Paginator(RejectedRow.objects.filter(batch=batch).order_by("row", "id"), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "ingest/batch_detail.html", {"batch": batch, "rows": rows})


@login_required
def rejected_xlsx(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The refused rows as sent (personal data masked) with the reasons, to fix and send again."""
    batch = batch_get(user=_user(request), batch_id=batch_id)
    if batch is None:
        raise Http404
    spec = TABLES[batch.table]
    book = Workbook()
    sheet = book.active
    sheet.title = "Dòng bị từ chối"
    columns = list(spec.declared_names)
    sheet.append(["Dòng / Row", *columns, "Cột lỗi / Field", "Lý do", "Reason", "Mã lỗi / Code"])
    for r in RejectedRow.objects.filter(batch=batch).order_by("row", "id").iterator():
        sheet.append(
            [r.row, *[r.raw.get(c, "") for c in columns], r.field, r.message_vi, r.message_en, r.code]
        )
    buffer = BytesIO()
    book.save(buffer)
    name = f"tu-choi-{batch.table}-{str(batch.pk)[:8]}.xlsx"
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def lake_history_page(request: HttpRequest) -> HttpResponse:
    """Each fact table's versions, newest first, with the batch that produced each (if visible)."""
    user = _user(request)
    table = request.GET.get("table", "")
    if table and table not in TABLES:
        raise Http404
    tables = [table] if table else list(TABLES)
    limit = 500 if table else 20
    sections = [(t, lake_history(table=t, user=user, limit=limit)) for t in tables]
    return render(request, "ingest/lake_history.html",
                  {"sections": sections, "table": table, "tables": list(TABLES), "limit": limit})  # fmt: skip
