"""Pages of the registry: figures, the inventory (list, export, import), a system with its level
dossier and workflow actions, platforms and connections, and units' IOCs with their timelines."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dieuhanh.accounts.models import User
from dieuhanh.audit.selectors import audit_entries
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry import selectors as sel
from dieuhanh.registry import services as svc
from dieuhanh.registry.exports import export_inventory, export_unapproved
from dieuhanh.registry.forms import (
    AppraiseForm,
    ApproveForm,
    DayForm,
    DossierCreateForm,
    ImportForm,
    ReturnForm,
    SystemForm,
)
from dieuhanh.registry.levels import Criteria, authority_for
from dieuhanh.registry.models import (
    CRITERIA_FIELDS,
    ConnectionStatus,
    DossierStatus,
    InformationSystem,
    SystemKind,
    SystemStatus,
)
from dieuhanh.registry.readers import read_systems_file
from dieuhanh.registry.scoping import registry_in_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _error(request: HttpRequest, exc: UserError) -> None:
    lang_vi = (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("vi")
    text = exc.message_vi if lang_vi else exc.message_en
    details = [p.message_vi if lang_vi else p.message_en for p in exc.problems[:5]]
    messages.error(request, " ".join([text, *details]))


def _scope_unit(request: HttpRequest, user: User) -> OrgUnit | None:
    code = request.GET.get("unit", "").strip()
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    return unit if unit is not None and registry_in_scope(user, unit) else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    root = _scope_unit(request, user) or user.unit
    rows: list[tuple[OrgUnit, sel.Figures]] = []
    if root is not None:
        units = [root, *OrgUnit.objects.filter(parent=root).current().order_by("kind", "code")]
        totals = sel.registry_figures(user=user, units=units)
        rows = [(u, totals[u.code]) for u in units if u is root or any(totals[u.code].as_dict().values())]
    return render(request, "registry/home.html", {"root": root, "rows": rows, "levels": range(1, 6)})


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unit = _scope_unit(request, user)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "unit")}
    unapproved = request.GET.get("unapproved") == "1"
    qs = sel.systems_filter(sel.systems_visible(user=user), unit=unit, unapproved=unapproved,
                            kind=filters["kind"], status=filters["status"], q=filters["q"])  # fmt: skip
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        data = export_unapproved(qs) if unapproved else export_inventory(qs)
        name = "he-thong-chua-phe-duyet-cap-do.xlsx" if unapproved else "danh-muc-he-thong-thong-tin.xlsx"
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(s, sel.system_flags(s), _approval_label(sel.approval_status(s))) for s in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/system_list.html", {
        "page": page, "rows": rows, "filters": filters, "unapproved": unapproved, "kinds": SystemKind.choices,
        "statuses": SystemStatus.choices, "query": query.urlencode(), "can_submit": user.can("submit"),
    })  # fmt: skip


def _approval_label(status: str) -> str:
    return str(DossierStatus(status).label) if status in DossierStatus.values else ""


@login_required
def system_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    try:
        system = sel.system_get(user=user, code=code)
    except NotFound as exc:
        raise Http404 from exc
    dossiers = sel.system_dossiers(system)
    current = next((d for d in dossiers if d.status != "approved"), None)
    steps = sel.dossier_allowed_steps(user, current) if current else set()
    authority = (
        authority_for(current.regime, current.proposed_level) if current and current.proposed_level else None
    )
    history = list(
        audit_entries(user=user, object_type="registry.informationsystem", object_id=str(system.pk))[:10]
    )
    dossier_history = list(
        audit_entries(user=user, object_type="registry.leveldossier").filter(
            object_id__in=[str(d.pk) for d in dossiers]
        )[:20]
    )
    can_edit = sel.system_can_edit(user, system)
    return render(request, "registry/system_detail.html", {
        "system": system, "flags": sel.system_flags(system), "suggestions": sel.system_suggestions(system),
        "dossiers": dossiers, "current": current, "steps": steps, "authority": authority,
        "history": history, "dossier_history": dossier_history, "can_edit": can_edit,
        "can_open": can_edit and current is None,
        "facts": [(_label(f), _fact(system, f)) for f in CRITERIA_FIELDS],
        "changed_labels": [_label(f) for f in sel.system_flags(system).changed_fields],
        "create_form": DossierCreateForm(), "appraise_form": AppraiseForm(), "approve_form": ApproveForm(),
        "return_form": ReturnForm(), "day_form": DayForm(),
    })  # fmt: skip


def _label(name: str) -> str:
    return str(getattr(InformationSystem._meta.get_field(name), "verbose_name", name))


def _fact(system: InformationSystem, name: str) -> Any:
    value = getattr(system, name)
    display = getattr(system, f"get_{name}_display", None)
    if display is not None:
        return display()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value is None else value


@login_required
def system_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = _user(request)
    system = None
    if code is not None:
        try:
            system = sel.system_get(user=user, code=code)
        except NotFound as exc:
            raise Http404 from exc
    form = SystemForm(request.POST or None, instance=system, user=user)
    if request.method == "POST" and form.is_valid():
        actor = Actor.of(user)
        data = form.cleaned_data
        try:
            if system is None:
                criteria = {f: data[f] for f in CRITERIA_FIELDS}
                system = svc.system_create(
                    actor=actor, name=data["name"], owner_unit=data["owner_unit"],
                    operating_unit=data["operating_unit"], kind=data["kind"], status=data["status"],
                    hosting=data["hosting"], description=data["description"], criteria=Criteria.from_dict(criteria),
                )  # fmt: skip
            else:
                fresh = InformationSystem.objects.get(pk=system.pk)
                svc.system_update(actor=actor, system=fresh, changes={k: data[k] for k in form.Meta.fields})
            messages.success(request, _("Saved."))
            return redirect("registry:system_detail", code=system.code)
        except UserError as exc:
            _error(request, exc)
    return render(request, "registry/system_form.html", {"form": form, "system": system})


@login_required
@require_POST
def dossier_step(request: HttpRequest, code: str, step: str) -> HttpResponse:
    user = _user(request)
    actor = Actor.of(user)
    try:
        system = sel.system_get(user=user, code=code)
    except NotFound as exc:
        raise Http404 from exc
    try:
        if step == "open":
            form: Any = DossierCreateForm(request.POST)
            if form.is_valid():
                svc.dossier_create(actor=actor, system=system, proposed_level=form.cleaned_data["proposed_level"],
                                   override_reason=form.cleaned_data["override_reason"],
                                   regime=form.cleaned_data["regime"] or None)  # fmt: skip
        else:
            dossier = sel.dossier_get(user=user, pk=int(request.POST.get("dossier", "0") or 0))
            if dossier.system_id != system.pk:
                raise Http404
            form = _step(actor, dossier, step, request)
        if form.is_valid():
            messages.success(request, _("Done."))
        else:
            messages.error(
                request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            )
    except UserError as exc:
        _error(request, exc)
    return redirect("registry:system_detail", code=code)


def _step(actor: Actor, dossier: Any, step: str, request: HttpRequest) -> Any:
    forms: dict[str, Any] = {"edit": DossierCreateForm, "submit": DayForm, "appraise": AppraiseForm,
                             "approve": ApproveForm, "return": ReturnForm}  # fmt: skip
    if step not in forms:
        raise Http404
    form = forms[step](request.POST)
    if not form.is_valid():
        return form
    d = form.cleaned_data
    if step == "edit":
        svc.dossier_update(actor=actor, dossier=dossier, proposed_level=d["proposed_level"],
                           override_reason=d["override_reason"])  # fmt: skip
    elif step == "submit":
        svc.dossier_submit(actor=actor, dossier=dossier, on=d["on"])
    elif step == "appraise":
        svc.dossier_appraise(
            actor=actor, dossier=dossier, opinion=d["opinion"], reference=d["reference"], on=d["on"]
        )
    elif step == "approve":
        svc.dossier_approve(actor=actor, dossier=dossier, decision_number=d["decision_number"],
                            decision_date=d["decision_date"], legal_basis=d["legal_basis"])  # fmt: skip
    else:
        svc.dossier_return(actor=actor, dossier=dossier, reason=d["reason"])
    return form


@login_required
def system_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (Path(upload.name).name or f"upload{suffix}")
            path.write_bytes(upload.read())
            try:
                name, rows, problems = read_systems_file(path)
                result = svc.system_import(actor=Actor.of(user), rows=rows, file=name, problems=problems)
            except UserError as exc:
                _error(request, exc)
    return render(request, "registry/system_import.html", {"form": form, "result": result})


@login_required
def network(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    connections = list(sel.connections_visible(user=user))
    connected = sum(1 for c in connections if c.status == ConnectionStatus.CONNECTED)
    return render(request, "registry/network.html", {
        "platforms": list(sel.platforms_visible(user=user)), "connections": connections, "connected": connected,
        "national": list(sel.national_systems(active_only=False)),
    })  # fmt: skip


@login_required
def iocs(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    centres = list(sel.iocs_visible(user=user))
    rows = [(c, sel.timeline_view(c.timeline) if c.timeline else None) for c in centres]
    operating = sum(1 for c in centres if c.status == "operating")
    return render(request, "registry/iocs.html", {"rows": rows, "operating": operating})
