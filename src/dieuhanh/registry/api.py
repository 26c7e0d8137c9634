"""`/api/v1/registry/…`: the inventory, level dossiers and their workflow, the national list, LGSP
connections, platforms, IOCs, registered timelines and figures. Reads are scoped like the pages;
writes go through the same services (errors in both languages, 400/403/404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.registry import schemas as S
from dieuhanh.registry import selectors as sel
from dieuhanh.registry import services as svc
from dieuhanh.registry.levels import Criteria
from dieuhanh.registry.scoping import registry_in_scope

router = Router()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _unit(user: User, code: str) -> OrgUnit:
    unit = orgunit_get(code=code)
    if not registry_in_scope(user, unit):
        raise NotFound("unit.not_found", f"Không có đơn vị mã {code}.", f"No unit with code {code}.")
    return unit


@router.get("/systems", response=list[S.SystemOut], summary="Information systems of the caller's scope")
def list_systems(
    request: HttpRequest,
    unit: str = "",
    unapproved: bool = False,
    kind: str = "",
    status: str = "",
    q: str = "",
) -> list[dict[str, Any]]:
    user = _user(request)
    qs = sel.systems_filter(sel.systems_visible(user=user), unit=_unit(user, unit) if unit else None,
                            unapproved=unapproved, kind=kind, status=status, q=q)  # fmt: skip
    return [sel.system_as_dict(s) for s in qs]


@router.post("/systems", response={201: S.SystemDetailOut}, summary="Register a system")
def create_system(request: HttpRequest, payload: S.SystemIn) -> Status[S.SystemDetailOut]:
    user = _user(request)
    system = svc.system_create(
        actor=Actor.of(user), name=payload.name, owner_unit=_unit(user, payload.owner_unit), code=payload.code,
        operating_unit=_unit(user, payload.operating_unit) if payload.operating_unit else None,
        kind=payload.kind, status=payload.status, hosting=payload.hosting, description=payload.description,
        criteria=Criteria.from_dict(payload.criteria),
    )  # fmt: skip
    return Status(201, S.system_detail_out(sel.system_get(user=user, code=system.code)))


@router.get("/systems/{code}", response=S.SystemDetailOut, summary="One system: facts, suggestions, dossiers")
def get_system(request: HttpRequest, code: str) -> S.SystemDetailOut:
    return S.system_detail_out(sel.system_get(user=_user(request), code=code))


@router.patch("/systems/{code}", response=S.SystemDetailOut, summary="Change a system's facts")
def update_system(request: HttpRequest, code: str, changes: dict[str, Any]) -> S.SystemDetailOut:
    user = _user(request)
    system = sel.system_get(user=user, code=code)
    values = dict(changes)
    for field in ("owner_unit", "operating_unit"):
        if values.get(field):
            values[field] = _unit(user, str(values[field]))
    svc.system_update(actor=Actor.of(user), system=system, changes=values)
    return S.system_detail_out(sel.system_get(user=user, code=code))


@router.post("/systems/{code}/dossiers", response={201: S.DossierOut}, summary="Open a level dossier")
def create_dossier(request: HttpRequest, code: str, payload: S.DossierIn) -> Status[S.DossierOut]:
    user = _user(request)
    dossier = svc.dossier_create(actor=Actor.of(user), system=sel.system_get(user=user, code=code),
                                 proposed_level=payload.proposed_level, override_reason=payload.override_reason,
                                 regime=payload.regime)  # fmt: skip
    return Status(201, S.dossier_out(dossier))


@router.patch("/dossiers/{dossier_id}", response=S.DossierOut, summary="Change the proposed level")
def update_dossier(request: HttpRequest, dossier_id: int, payload: S.LevelIn) -> S.DossierOut:
    user = _user(request)
    dossier = sel.dossier_get(user=user, pk=dossier_id)
    svc.dossier_update(actor=Actor.of(user), dossier=dossier, proposed_level=payload.proposed_level,
                       override_reason=payload.override_reason)  # fmt: skip
    return S.dossier_out(dossier)


@router.post("/dossiers/{dossier_id}/submit", response=S.DossierOut, summary="Submit for appraisal")
def submit_dossier(request: HttpRequest, dossier_id: int, payload: S.DayIn) -> S.DossierOut:
    user = _user(request)
    dossier = sel.dossier_get(user=user, pk=dossier_id)
    svc.dossier_submit(actor=Actor.of(user), dossier=dossier, on=payload.on)
    return S.dossier_out(dossier)


@router.post("/dossiers/{dossier_id}/appraise", response=S.DossierOut, summary="Record the appraisal")
def appraise_dossier(request: HttpRequest, dossier_id: int, payload: S.AppraiseIn) -> S.DossierOut:
    user = _user(request)
    dossier = sel.dossier_get(user=user, pk=dossier_id)
    svc.dossier_appraise(actor=Actor.of(user), dossier=dossier, opinion=payload.opinion, reference=payload.reference,
                         on=payload.on)  # fmt: skip
    return S.dossier_out(dossier)


@router.post("/dossiers/{dossier_id}/approve", response=S.DossierOut, summary="Approve the level")
def approve_dossier(request: HttpRequest, dossier_id: int, payload: S.ApproveIn) -> S.DossierOut:
    user = _user(request)
    dossier = sel.dossier_get(user=user, pk=dossier_id)
    svc.dossier_approve(actor=Actor.of(user), dossier=dossier, decision_number=payload.decision_number,
                        decision_date=payload.decision_date, legal_basis=payload.legal_basis)  # fmt: skip
    return S.dossier_out(dossier)


@router.post("/dossiers/{dossier_id}/return", response=S.DossierOut, summary="Return the dossier for rework")
def return_dossier(request: HttpRequest, dossier_id: int, payload: S.ReturnIn) -> S.DossierOut:
    user = _user(request)
    dossier = sel.dossier_get(user=user, pk=dossier_id)
    svc.dossier_return(actor=Actor.of(user), dossier=dossier, reason=payload.reason)
    return S.dossier_out(dossier)


@router.get(
    "/national-systems", response=list[S.NationalSystemOut], summary="The national list (editable data)"
)
def list_national_systems(request: HttpRequest, all: bool = False) -> Any:
    return list(sel.national_systems(active_only=not all))


@router.put("/national-systems/{code}", response=S.NationalSystemOut, summary="Add or change an entry")
def save_national_system(request: HttpRequest, code: str, payload: S.NationalSystemIn) -> Any:
    obj, _ = svc.national_system_save(actor=Actor.of(_user(request)), code=code, **payload.dict())
    return obj


@router.get("/connections", response=list[S.ConnectionOut], summary="LGSP connections to national systems")
def list_connections(request: HttpRequest, status: str = "") -> Any:
    qs = sel.connections_visible(user=_user(request))
    return list(qs.filter(status=status) if status else qs)


@router.put(
    "/connections/{unit}/{national_code}", response=S.ConnectionOut, summary="Record a connection's state"
)
def save_connection(request: HttpRequest, unit: str, national_code: str, payload: S.ConnectionIn) -> Any:
    user = _user(request)
    national = sel.national_systems(active_only=False).filter(code=national_code).first()
    if national is None:
        raise NotFound("registry.national_not_found", f"Không có mục {national_code} trong danh mục quốc gia.",
                       f"No {national_code} in the national list.")  # fmt: skip
    obj, _ = svc.connection_save(actor=Actor.of(user), unit=_unit(user, unit), national_system=national,
                                 **payload.dict())  # fmt: skip
    return obj


@router.get("/platforms", response=list[S.PlatformOut], summary="Digital platforms")
def list_platforms(request: HttpRequest) -> Any:
    return list(sel.platforms_visible(user=_user(request)))


@router.put("/platforms/{code}", response=S.PlatformOut, summary="Add or change a digital platform")
def save_platform(request: HttpRequest, code: str, payload: S.PlatformIn) -> Any:
    user = _user(request)
    values = payload.dict()
    values["unit"] = _unit(user, values["unit"])
    obj, _ = svc.platform_save(actor=Actor.of(user), code=code, **values)
    return obj


@router.put("/timelines/{unit}/{programme}", response=S.TimelineOut, summary="Register a unit's timeline")
def register_timeline(
    request: HttpRequest, unit: str, programme: str, payload: S.TimelineIn
) -> S.TimelineOut:
    user = _user(request)
    phases = [svc.MilestoneSpec(**m.dict()) for m in payload.milestones]
    timeline, _ = svc.timeline_register(actor=Actor.of(user), unit=_unit(user, unit), programme=programme,
                                        title=payload.title, milestones=phases, note=payload.note)  # fmt: skip
    return S.timeline_out(sel.timeline_get(user=user, pk=timeline.pk))


@router.put("/iocs/{unit}", response=S.IocOut, summary="Record a unit's operations centre")
def save_ioc(request: HttpRequest, unit: str, payload: S.IocIn) -> S.IocOut:
    user = _user(request)
    owner = _unit(user, unit)
    timeline = sel.timelines_visible(user=user, programme=payload.programme).filter(unit=owner).first()
    if payload.programme and timeline is None:
        raise NotFound("registry.timeline_not_found", f"Đơn vị chưa đăng ký tiến độ {payload.programme}.",
                       f"The unit has no registered {payload.programme} timeline.")  # fmt: skip
    svc.ioc_save(actor=Actor.of(user), unit=owner, name=payload.name, status=payload.status,
                 operating_since=payload.operating_since, timeline=timeline if payload.programme else None,
                 note=payload.note)  # fmt: skip
    return next(S.ioc_out(i) for i in sel.iocs_visible(user=user).filter(unit=owner))


@router.get("/iocs", response=list[S.IocOut], summary="Units' operations centres and their build timelines")
def list_iocs(request: HttpRequest) -> list[S.IocOut]:
    return [S.ioc_out(i) for i in sel.iocs_visible(user=_user(request))]


@router.get(
    "/timelines", response=list[S.TimelineOut], summary="Registered timelines (milestone registrations)"
)
def list_timelines(request: HttpRequest, programme: str = "") -> list[S.TimelineOut]:
    return [S.timeline_out(t) for t in sel.timelines_visible(user=_user(request), programme=programme)]


@router.get("/timelines/{timeline_id}", response=S.TimelineOut, summary="One registered timeline")
def get_timeline(request: HttpRequest, timeline_id: int) -> S.TimelineOut:
    return S.timeline_out(sel.timeline_get(user=_user(request), pk=timeline_id))


@router.post(
    "/timelines/{timeline_id}/milestones/{position}", response=S.TimelineOut, summary="Report on a phase"
)
def report_milestone(
    request: HttpRequest, timeline_id: int, position: int, payload: S.MilestoneIn
) -> S.TimelineOut:
    user = _user(request)
    timeline = sel.timeline_get(user=user, pk=timeline_id)
    milestone = next((m for m in timeline.milestones.all() if m.position == position), None)
    if milestone is None:
        raise NotFound(
            "registry.milestone_not_found", f"Không có giai đoạn {position}.", f"No phase {position}."
        )
    svc.milestone_report(actor=Actor.of(user), milestone=milestone, forecast_on=payload.forecast_on,
                         done_on=payload.done_on, note=payload.note)  # fmt: skip
    return S.timeline_out(sel.timeline_get(user=user, pk=timeline_id))


@router.get(
    "/figures", response=list[S.FiguresOut], summary="Figures of a unit and its children, summed up the tree"
)
def figures(request: HttpRequest, unit: str = "") -> list[S.FiguresOut]:
    user = _user(request)
    if user.unit is None:
        return []
    root = _unit(user, unit) if unit else user.unit
    units = [root, *OrgUnit.objects.filter(parent=root).current().order_by("kind", "code")]
    totals = sel.registry_figures(user=user, units=units)
    return [S.FiguresOut(unit=u.code, unit_name=u.name, figures=totals[u.code].as_dict()) for u in units]
