"""Pages of periodic reporting: the forms, a period's completeness, a unit's submission with its
actions (save, submit, accept, return, reopen), the spreadsheet round-trip and the drafted report.

Reads go through the scoped selectors (a unit outside the user's subtree answers 404); the
services check the rights of each action (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope
from dieuhanh.audit.selectors import audit_entries
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.core.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.reporting.models import ReportForm, Submission, SubmissionStatus
from dieuhanh.reporting.selectors import (
    CompletenessRow,
    can_decide,
    completeness,
    current_period,
    deadline,
    form_elements,
    form_get,
    form_list,
    form_period,
    form_periods,
    is_expected,
    lock_date,
    pending_decisions,
    prefill,
    rules_check,
    submission_editable,
    submission_find,
    submission_origins,
    submission_values,
)
from dieuhanh.reporting.services import (
    report_forms_sync,
    submission_accept,
    submission_open,
    submission_reopen,
    submission_return,
    submission_save,
    submission_submit,
    submission_upload,
)
from dieuhanh.reporting.values import display_value
from dieuhanh.web.pages import page, page_language, refuse, say, user_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UPLOAD_LIMIT = 5 * 1024 * 1024


_lang = page_language


def _scoped_unit(user: User, code: str) -> OrgUnit:
    unit = orgunit_get(code=code)
    if not in_scope(user, unit):
        raise NotFound("unit.not_found", f"Không có đơn vị mã {code}.", f"No unit with code {code}.")
    return unit


def _forms() -> list[ReportForm]:
    if not ReportForm.objects.exists():
        report_forms_sync(actor=Actor.system("web"))
    return list(form_list())


@page
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    rows = []
    for form in _forms():
        period = current_period(form, today=today)
        mine = None
        if user.unit is not None and is_expected(form, user.unit, period):
            mine = submission_find(form, user.unit, period) or "missing"
        c = completeness(form, period, within=user.unit) if user.unit is not None else None
        rows.append(
            {"form": form, "regime": form.regime_label(_lang()), "period": period,
             "deadline": deadline(form, period), "mine": mine, "c": c}
        )  # fmt: skip
    return render(
        request,
        "reporting/home.html",
        {
            "rows": rows,
            "pending": pending_decisions(user)[:50],
            "lang": _lang(),
        },
    )


@page
def form_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = user_of(request)
    form = form_get(code=code)
    periods = []
    for period in form_periods(form, last=12):
        periods.append(
            {
                "period": period,
                "deadline": deadline(form, period),
                "lock": lock_date(form, period),
                "c": completeness(form, period, within=user.unit),
            }
        )
    return render(
        request,
        "reporting/form_detail.html",
        {
            "regime": form.regime_label(_lang()),
            "form": form,
            "periods": periods,
            "elements": form_elements(form),
            "rules": form.rules.filter(active=True),
            "lang": _lang(),
        },
    )


@page
def period_detail(request: HttpRequest, code: str, period: str) -> HttpResponse:
    user = user_of(request)
    form = form_get(code=code)
    p = _period(form, period)
    c = completeness(form, p, within=user.unit)
    state = request.GET.get("state", "")

    def keep(r: CompletenessRow) -> bool:
        if state == "late":
            return r.on_time is False
        return r.state == state if state in ("missing", "submitted", "returned") else True

    return render(
        request,
        "reporting/period_detail.html",
        {
            "form": form,
            "period": p,
            "c": c,
            "rows": [r for r in c.rows if keep(r)],
            "state": state if state in ("missing", "late", "submitted", "returned") else "",
            "lang": _lang(),
            "unit": user.unit,
            "on_time_share": c.share(c.on_time),
            "submitted_share": c.share(c.submitted),
        },
    )


def _period(form: ReportForm, key: str) -> Period:
    try:
        return form_period(form, key)
    except UserError as exc:
        raise Http404(exc.message_en) from exc


def _rows(
    sub: Submission | None, form: ReportForm, unit: OrgUnit, p: Period, posted: dict[str, str] | None
) -> tuple[list[dict[str, Any]], list[Any]]:
    values = submission_values(sub) if sub else {}
    origins = submission_origins(sub) if sub else {}
    if sub is None:
        known = prefill(form, unit, p)
        values = {k: v for k, v in known.items() if v is not None}
        origins = dict.fromkeys(values, "records")
    rows = []
    section = None
    for e in form_elements(form):
        from_records = origins.get(e.code) == "records"
        shown = (posted or {}).get(e.code) if posted is not None and not from_records else None
        value = values.get(e.code)
        rows.append(
            {
                "element": e,
                "name": e.name(_lang()),
                "value": value,
                "display": display_value(value, e.value_type),
                "input": shown
                if shown is not None
                else (
                    ""
                    if value is None
                    else (("1" if value else "0") if e.value_type == "boolean" else f"{value:g}")
                ),
                "from_records": from_records,
                "new_section": e.section if e.section != section else "",
            }
        )
        section = e.section
    return rows, rules_check(form, values)


@page
def submission_page(request: HttpRequest, code: str, period: str, unit: str) -> HttpResponse:
    user = user_of(request)
    form = form_get(code=code)
    p = _period(form, period)
    target = _scoped_unit(user, unit)
    if not is_expected(form, target, p):
        raise Http404("not expected")
    sub = submission_find(form, target, p)
    posted: dict[str, str] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        actor = Actor.of(user)
        try:
            if sub is None:
                sub = submission_open(actor=actor, form=form, unit=target, period_key=p.key)
            if action in ("save", "submit"):
                raw = {
                    e.code: request.POST.get(f"v_{e.code}", "")
                    for e in form_elements(form)
                    if f"v_{e.code}" in request.POST
                }
                posted = raw
                results = submission_save(actor=actor, submission=sub, raw=raw)
                if action == "submit":
                    submission_submit(actor=actor, submission=sub)
                    messages.success(request, _("Submitted to the level above."))
                else:
                    failed = [r for r in results if r.failed]
                    messages.success(request, _("Draft saved."))
                    for r in failed:
                        messages.warning(request, r.rule.message_en if _lang() == "en" else r.rule.message_vi)
            elif action == "accept":
                submission_accept(actor=actor, submission=sub)
                messages.success(request, _("Accepted: the values are now in the data lake."))
            elif action == "return":
                submission_return(actor=actor, submission=sub, comment=request.POST.get("comment", ""))
                messages.success(request, _("Returned to the unit."))
            elif action == "reopen":
                submission_reopen(actor=actor, submission=sub, reason=request.POST.get("comment", ""))
                messages.success(request, _("Reopened for edits."))
            else:
                raise Http404("unknown action")
            return redirect(request.path)
        except UserError as exc:
            refuse(request, exc)
            sub = submission_find(form, target, p)
    rows, rules = _rows(sub, form, target, p, posted)
    editable = submission_editable(sub) if sub else timezone.localdate() <= lock_date(form, p)
    status = sub.status if sub else "missing"
    history = (
        audit_entries(user=user, object_type="reporting.submission", object_id=str(sub.pk)) if sub else []
    )
    return render(
        request,
        "reporting/submission.html",
        {
            "form": form,
            "period": p,
            "unit": target,
            "sub": sub,
            "rows": rows,
            "rules": rules,
            "status": status,
            "editable": editable,
            "deadline": deadline(form, p),
            "lock": lock_date(form, p),
            "lang": _lang(),
            "can_enter": editable and user.can("submit"),
            "can_submit": editable and user.can("approve"),
            "can_decide": sub is not None and can_decide(user, target),
            "history": list(history)[:30],
            "SUBMITTED": SubmissionStatus.SUBMITTED,
            "ACCEPTED": SubmissionStatus.ACCEPTED,
        },
    )


@page
def submission_xlsx(request: HttpRequest, code: str, period: str, unit: str) -> HttpResponse:
    """GET: the form as a spreadsheet to fill offline; POST: upload it back."""
    from dieuhanh.reporting.workbook import form_workbook

    user = user_of(request)
    form = form_get(code=code)
    p = _period(form, period)
    target = _scoped_unit(user, unit)
    if not is_expected(form, target, p):
        raise Http404("not expected")
    sub = submission_find(form, target, p)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > UPLOAD_LIMIT:
            messages.error(request, _("Choose the filled-in spreadsheet (at most 5 MB)."))
            return redirect("reporting:submission", code=code, period=period, unit=unit)
        actor = Actor.of(user)
        try:
            if sub is None:
                sub = submission_open(actor=actor, form=form, unit=target, period_key=p.key)
            results = submission_upload(
                actor=actor, submission=sub, data=upload.read(), file=upload.name or ""
            )
            messages.success(request, _("Spreadsheet read: draft saved."))
            for r in results:
                if r.failed:
                    messages.warning(request, r.rule.message_en if _lang() == "en" else r.rule.message_vi)
        except UserError as exc:
            refuse(request, exc)
        return redirect("reporting:submission", code=code, period=period, unit=unit)
    values = submission_values(sub) if sub else {}
    origins = submission_origins(sub) if sub else {}
    if sub is None:
        values = {k: v for k, v in prefill(form, target, p).items() if v is not None}
        origins = dict.fromkeys(values, "records")
    data = form_workbook(
        form, form_elements(form), target, p, values, {k for k, o in origins.items() if o == "records"}
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{form.code}_{target.code}_{p.key}.xlsx"'
    return response


@page
def draft_download(request: HttpRequest, code: str, period: str, unit: str, fmt: str) -> HttpResponse:
    from dieuhanh.reporting.drafting import draft_build, draft_docx, draft_xlsx

    if fmt not in ("docx", "xlsx"):
        raise Http404("docx or xlsx")
    user = user_of(request)
    form = form_get(code=code)
    p = _period(form, period)
    target = _scoped_unit(user, unit)
    draft = draft_build(form, target, p.key)
    data, mime = (draft_docx(draft), DOCX) if fmt == "docx" else (draft_xlsx(draft), XLSX)
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao_{form.code}_{target.code}_{p.key}.{fmt}"'
    )
    return response


@require_POST
@page
def sync(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not user.can("administer"):
        raise Forbidden("administrators only")
    result = report_forms_sync(actor=Actor.of(user))
    messages.success(
        request,
        _("Forms loaded: %(c)d new, %(u)d updated, %(n)d unchanged.")
        % {"c": result.created, "u": result.updated, "n": result.unchanged},
    )
    for p in result.problems:
        messages.error(request, say(p))
    return redirect(reverse("reporting:home"))
