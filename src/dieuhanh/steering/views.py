"""Pages of steering: directives, a task with its progress and extensions, and the forms that write.

Objects come from the scoped selectors (out of scope = 404); the services check rights (403).
Lists, the overdue page and figures are in `views_lists.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dieuhanh.accounts.scoping import in_scope, restrict
from dieuhanh.audit.selectors import audit_entries
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.forms import (
    DecisionForm,
    DirectiveForm,
    ExtensionForm,
    ImportForm,
    ReportForm,
    TaskForm,
    uploads,
)
from dieuhanh.steering.models import ExtensionState, Occurrence, ReportAttachment
from dieuhanh.steering.readers import read_task_table
from dieuhanh.steering.selectors import (
    directive_get,
    directives_visible,
    extension_get,
    occurrence_get,
    task_can_edit,
    task_can_report,
    task_get,
    task_lines,
    tasks_visible,
)
from dieuhanh.steering.services import (
    directive_attach,
    directive_create,
    extension_decide,
    extension_request,
    progress_report,
    task_create,
    task_import,
    task_update,
)
from dieuhanh.web.pages import page, refuse, say, user_of


@page
def directive_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    visible = tasks_visible(user=user)
    today = timezone.localdate()
    directives = directives_visible(user=user).annotate(
        n_tasks=Count("tasks", filter=Q(tasks__in=visible), distinct=True),
        n_overdue=Count(
            "tasks__occurrences",
            distinct=True,
            filter=Q(
                tasks__in=visible,
                tasks__occurrences__done_on__isnull=True,
                tasks__occurrences__deadline__lt=today,
            ),
        ),
    )
    form = None
    if user.can("approve"):
        issuers = restrict(OrgUnit.objects.filter(valid_to__isnull=True), user, unit_field="self")
        form = DirectiveForm(issuers=issuers.order_by("kind", "name"), initial={"issuer": user.unit_id})
        if request.method == "POST":
            form = DirectiveForm(request.POST, request.FILES, issuers=issuers)
            if form.is_valid():
                d = form.cleaned_data
                try:
                    directive = directive_create(
                        actor=Actor.of(user),
                        number=d["number"],
                        issued_on=d["issued_on"],
                        issuer=d["issuer"],
                        summary=d["summary"],
                        upload=uploads(d["file"])[0] if d["file"] else None,
                    )
                    return redirect("steering:directive_detail", directive.pk)
                except UserError as exc:
                    refuse(request, exc)
    return render(request, "steering/directive_list.html", {"directives": directives, "form": form})


@page
def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    directive = directive_get(user=user, pk=pk)
    today = timezone.localdate()
    tasks = list(
        tasks_visible(user=user)
        .filter(directive=directive)
        .select_related("lead_unit")
        .prefetch_related("supporting_units")
        .order_by("position", "pk")
    )
    occurrences = Occurrence.objects.filter(task__in=[t.pk for t in tasks]).order_by("deadline", "pk")
    latest: dict[int, Any] = {}
    for line in task_lines(occurrences, today=today):
        if line.task_id not in latest or line.deadline <= today or latest[line.task_id].done_on:
            latest[line.task_id] = line  # the current (or last past) occurrence of each task
    can_edit = user.can("approve") and in_scope(user, directive.issuer)
    return render(
        request,
        "steering/directive_detail.html",
        {
            "directive": directive,
            "rows": [(t, latest.get(t.pk)) for t in tasks],
            "can_edit": can_edit,
            "import_form": ImportForm() if can_edit else None,
            "task_form": TaskForm() if can_edit else None,
            "history": list(
                audit_entries(user=user, object_type="steering.directive", object_id=str(pk))[:10]
            ),
        },
    )


@page
def directive_file(request: HttpRequest, pk: int) -> FileResponse:
    directive = directive_get(user=user_of(request), pk=pk)
    if not directive.file:
        raise Http404
    return FileResponse(
        directive.file.open("rb"), as_attachment=True, filename=directive.file_name or "van-ban"
    )


@page
@require_POST
def directive_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    directive = directive_get(user=user, pk=pk)
    if "file" in request.FILES:
        try:
            directive_attach(
                actor=Actor.of(user), directive=directive, upload=uploads(request.FILES["file"])[0]
            )
        except UserError as exc:
            refuse(request, exc)
    return redirect("steering:directive_detail", pk)


@page
@require_POST
def directive_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a task table: store the good rows, show the refused ones with row, field and reason."""
    import tempfile
    from pathlib import Path

    user = user_of(request)
    directive = directive_get(user=user, pk=pk)
    if not (user.can("approve") and in_scope(user, directive.issuer)):
        raise Forbidden
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, say(UserError("file.missing", "Chưa chọn tệp.", "No file was chosen.")))
        return redirect("steering:directive_detail", pk)
    upload = form.cleaned_data["file"]
    name = Path(upload.name or "bang.xlsx").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            result = task_import(actor=Actor.of(user), directive=directive, table=read_task_table(path))
        except UserError as exc:
            refuse(request, exc)
            return redirect("steering:directive_detail", pk)
    return render(
        request,
        "steering/import_result.html",
        {
            "directive": directive,
            "result": result,
            "file": name,
            "problems": [(p, say(p)) for p in result.problems],
        },
    )


@page
@require_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    directive = directive_get(user=user, pk=pk)
    form = TaskForm(request.POST)
    if form.is_valid():
        try:
            task = task_create(actor=Actor.of(user), directive=directive, spec=form.spec())
            return redirect("steering:task_detail", task.pk)
        except UserError as exc:
            refuse(request, exc)
    else:
        messages.error(
            request,
            "; ".join(
                f"{form.fields[k].label}: {' '.join(str(e) for e in errs)}"
                for k, errs in form.errors.items()
                if k in form.fields
            ),
        )
    return redirect("steering:directive_detail", pk)


@page
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = task_get(user=user, pk=pk)
    today = timezone.localdate()
    lines = task_lines(task.occurrences.order_by("deadline", "pk"), today=today)
    chosen = request.GET.get("occ", "")
    selected = next((x for x in lines if str(x.occurrence_id) == chosen), None)
    if selected is None and lines:  # the first not done, else the last
        selected = next((x for x in lines if x.done_on is None), lines[-1])
    occ = None
    if selected is not None:
        occ = Occurrence.objects.prefetch_related("reports__attachments", "extensions").get(
            pk=selected.occurrence_id
        )
    can_report = task_can_report(user=user, task=task)
    can_edit = task_can_edit(user=user, task=task)
    pending = [e for e in occ.extensions.all() if e.state == ExtensionState.PENDING] if occ else []
    return render(
        request,
        "steering/task_detail.html",
        {
            "task": task,
            "lines": lines,
            "selected": selected,
            "occ": occ,
            "can_report": can_report,
            "can_edit": can_edit,
            "pending": pending,
            "report_form": ReportForm(initial={"percent": occ.percent if occ else 0}) if can_report else None,
            "extension_form": ExtensionForm()
            if can_report and occ and occ.done_on is None and not pending
            else None,
            "decision_form": DecisionForm() if can_edit and pending else None,
            "history": list(audit_entries(user=user, object_type="steering.task", object_id=str(pk))[:10]),
        },
    )


@page
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = task_get(user=user, pk=pk)
    if not task_can_edit(user=user, task=task):
        raise Forbidden
    initial = {
        "number": task.number,
        "content": task.content,
        "lead": task.lead_unit,
        "supporting": list(task.supporting_units.all()),
        "recurrence": task.recurrence,
        "due_on": task.due_on,
        "due_day": task.due_day,
        "starts_on": task.starts_on,
        "ends_on": task.ends_on,
        "expected_product": task.expected_product,
        "target_indicator": task.target_indicator,
        "target_value": task.target_value,
    }
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task_update(actor=Actor.of(user), task=task, spec=form.spec())
            return redirect("steering:task_detail", task.pk)
        except UserError as exc:
            refuse(request, exc)
    return render(request, "steering/task_edit.html", {"task": task, "form": form})


def _back(occ: Occurrence) -> HttpResponse:
    return redirect(reverse("steering:task_detail", args=[occ.task_id]) + f"?occ={occ.pk}")


@page
@require_POST
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    occ = occurrence_get(user=user, pk=pk)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            progress_report(
                actor=Actor.of(user),
                occurrence=occ,
                text=d["text"],
                percent=d["percent"],
                files=uploads(d["attachments"]),
            )
        except UserError as exc:
            refuse(request, exc)
    else:
        messages.error(request, "; ".join(" ".join(str(e) for e in v) for v in form.errors.values()))
    return _back(occ)


@page
@require_POST
def extension_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    occ = occurrence_get(user=user, pk=pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            extension_request(
                actor=Actor.of(user),
                occurrence=occ,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except UserError as exc:
            refuse(request, exc)
    else:
        messages.error(request, "; ".join(" ".join(str(e) for e in v) for v in form.errors.values()))
    return _back(occ)


@page
@require_POST
def extension_decision(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    ext = extension_get(user=user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            extension_decide(
                actor=Actor.of(user),
                extension=ext,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except UserError as exc:
            refuse(request, exc)
    return _back(ext.occurrence)


@page
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    user = user_of(request)
    att = ReportAttachment.objects.filter(pk=pk).select_related("report").first()
    if att is None:
        raise Http404
    occurrence_get(user=user, pk=att.report.occurrence_id)  # 404 when out of scope
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)
