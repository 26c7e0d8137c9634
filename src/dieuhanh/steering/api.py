"""`/api/v1/tasks/…`: directives, tasks and their occurrences, progress, extensions, figures.

Reads go through the scoped selectors (out of scope = 404); writes through the services, which
check rights (403) and write the audit rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja import Status as Reply
from ninja.pagination import LimitOffsetPagination, paginate

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.core.periods import PeriodError, parse_period, period_of
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, Occurrence, Task
from dieuhanh.steering.schedule import Status
from dieuhanh.steering.selectors import (
    TaskLine,
    directive_get,
    directives_visible,
    extension_get,
    occurrence_get,
    occurrences_of_unit,
    occurrences_visible,
    task_alerts,
    task_figures,
    task_get,
    task_lines,
    task_overdue,
)
from dieuhanh.steering.services import (
    TaskSpec,
    Upload,
    directive_create,
    extension_decide,
    extension_request,
    progress_report,
    task_create,
    task_update,
)

router = Router()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _unit(user: User, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not in_scope(user, unit):
        raise NotFound("unit.not_found", f"Không có đơn vị mã {code}.", f"No unit with code {code}.")
    return unit


def _any_unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise UserError("unit.not_found", f"Không có đơn vị mã {code}.", f"No unit with code {code}.")
    return unit


class TaskLineOut(Schema):
    occurrence_id: int
    task_id: int
    directive: str
    directive_date: date
    issuer: str
    number: str
    content: str
    lead_unit: str
    lead_unit_name: str
    supporting_units: list[str]
    recurrence: str
    period: str
    due_on: date
    deadline: date
    done_on: date | None
    percent: int
    status: str
    days_overdue: int


def _out(lines: list[TaskLine]) -> list[dict[str, Any]]:
    return [x.as_dict() for x in lines]


@router.get("", response=list[TaskLineOut], summary="Task occurrences the caller sees")
@paginate(LimitOffsetPagination)
def list_tasks(
    request: HttpRequest, status: str = "", unit: str = "", directive: str = "", period: str = ""
) -> list[dict[str, Any]]:
    user = _user(request)
    today = timezone.localdate()
    qs = occurrences_visible(user=user)
    if unit:
        qs = qs.filter(pk__in=occurrences_of_unit(unit=_unit(user, unit)).values("pk"))
    if directive:
        qs = qs.filter(task__directive__number=directive)
    if period:
        qs = qs.filter(period_key=period)
    if status:
        if status not in Status.values:
            raise UserError(
                "task.bad_status",
                f"Trạng thái không hợp lệ: {status}.",
                f"Unknown status {status} ({', '.join(Status.values)}).",
            )
        qs = qs.in_status(status, today)
    return _out(task_lines(qs.order_by("deadline", "pk"), today=today))


@router.get("/overdue", response=list[TaskLineOut], summary="Overdue task occurrences, most overdue first")
def list_overdue(request: HttpRequest, unit: str = "") -> list[dict[str, Any]]:
    user = _user(request)
    scope = _unit(user, unit) if unit else None
    return _out(task_overdue(today=timezone.localdate(), user=user, unit=scope))


class AlertsOut(Schema):
    overdue: list[TaskLineOut]
    due_soon: list[TaskLineOut]


@router.get("/alerts", response=AlertsOut, summary="Overdue tasks and those due within 7 days")
def alerts(request: HttpRequest) -> dict[str, Any]:
    found = task_alerts(user=_user(request), today=timezone.localdate())
    return {"overdue": _out(found.overdue), "due_soon": _out(found.due_soon)}


class UnitFiguresOut(Schema):
    unit: str
    unit_name: str
    assigned: int
    done_on_time: int
    done_late: int
    overdue: int
    pending: int


class FiguresOut(Schema):
    period: str
    start: date
    end: date
    today: date
    units: list[UnitFiguresOut]
    total: UnitFiguresOut


@router.get(
    "/figures", response=FiguresOut, summary="Tasks assigned, done on time, done late, overdue per lead unit"
)
def figures(request: HttpRequest, period: str = "", unit: str = "") -> dict[str, Any]:
    user = _user(request)
    today = timezone.localdate()
    try:
        p = parse_period(period) if period else period_of("quarter", today)
    except PeriodError as exc:
        raise UserError(exc.code, exc.message_vi, exc.message_en) from None
    fig = task_figures(period=p, today=today, user=user, unit=_unit(user, unit) if unit else None)
    return {
        "period": p.key,
        "start": p.start,
        "end": p.end,
        "today": today,
        "units": [r.as_dict() for r in fig.rows],
        "total": fig.total.as_dict(),
    }


class DirectiveOut(Schema):
    id: int
    number: str
    issued_on: date
    issuer: str = Field(..., alias="issuer.code")
    summary: str
    file_name: str


class DirectiveIn(Schema):
    number: str
    issued_on: date
    issuer: str
    summary: str = ""


@router.get("/directives", response=list[DirectiveOut], summary="Directives the caller sees")
def list_directives(request: HttpRequest) -> QuerySet[Directive]:
    return directives_visible(user=_user(request))


@router.post("/directives", response={201: DirectiveOut}, summary="Register a directive (issuing level)")
def create_directive(request: HttpRequest, payload: DirectiveIn) -> Reply[Directive]:
    d = directive_create(
        actor=Actor.of(_user(request)),
        number=payload.number,
        issued_on=payload.issued_on,
        issuer=_any_unit(payload.issuer),
        summary=payload.summary,
    )
    return Reply(201, d)


@router.get("/directives/{int:directive_id}", response=DirectiveOut, summary="One directive")
def get_directive(request: HttpRequest, directive_id: int) -> Directive:
    return directive_get(user=_user(request), pk=directive_id)


class ReportOut(Schema):
    id: int
    at: datetime
    author: str = Field(..., alias="author_label")
    text: str
    percent: int
    files: list[str]

    @staticmethod
    def resolve_files(obj: Any) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class ExtensionOut(Schema):
    id: int
    requested_at: datetime
    requested_by: str = Field(..., alias="requested_by_label")
    previous_deadline: date
    requested_until: date
    reason: str
    state: str
    decided_at: datetime | None
    decided_by: str = Field(..., alias="decided_by_label")
    decision_note: str


class OccurrenceOut(Schema):
    id: int
    period: str = Field(..., alias="period_key")
    due_on: date
    deadline: date
    done_on: date | None
    percent: int
    status: str
    reports: list[ReportOut]
    extensions: list[ExtensionOut]

    @staticmethod
    def resolve_status(obj: Occurrence) -> str:
        return obj.status_on(timezone.localdate())

    @staticmethod
    def resolve_reports(obj: Occurrence) -> list[Any]:
        return list(obj.reports.all())

    @staticmethod
    def resolve_extensions(obj: Occurrence) -> list[Any]:
        return list(obj.extensions.all())


class TaskOut(Schema):
    id: int
    directive_id: int
    directive: str
    number: str
    content: str
    lead_unit: str
    supporting_units: list[str]
    recurrence: str
    due_on: date | None
    due_day: int | None
    starts_on: date | None
    ends_on: date | None
    expected_product: str
    target_indicator: str
    target_value: Decimal | None
    occurrences: list[OccurrenceOut]


class TaskIn(Schema):
    directive_id: int
    content: str
    lead_unit: str
    supporting_units: list[str] = []
    number: str = ""
    recurrence: str = "once"
    due_on: date | None = None
    due_day: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    expected_product: str = ""
    target_indicator: str = ""
    target_value: Decimal | None = None

    def spec(self) -> TaskSpec:
        return TaskSpec(
            content=self.content,
            lead=_any_unit(self.lead_unit),
            supporting=tuple(_any_unit(c) for c in self.supporting_units),
            number=self.number,
            recurrence=self.recurrence,
            due_on=self.due_on,
            due_day=self.due_day,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            expected_product=self.expected_product,
            target_indicator=self.target_indicator,
            target_value=self.target_value,
        )


def _task_out(task: Task) -> dict[str, Any]:
    occurrences = task.occurrences.prefetch_related("reports__attachments", "extensions").order_by(
        "deadline", "pk"
    )
    return {
        "id": task.pk,
        "directive_id": task.directive_id,
        "directive": task.directive.number,
        "number": task.number,
        "content": task.content,
        "lead_unit": task.lead_unit.code,
        "supporting_units": sorted(u.code for u in task.supporting_units.all()),
        "recurrence": task.recurrence,
        "due_on": task.due_on,
        "due_day": task.due_day,
        "starts_on": task.starts_on,
        "ends_on": task.ends_on,
        "expected_product": task.expected_product,
        "target_indicator": task.target_indicator,
        "target_value": task.target_value,
        "occurrences": list(occurrences),
    }


@router.post("", response={201: TaskOut}, summary="Assign a task under a directive (issuing level)")
def create_task(request: HttpRequest, payload: TaskIn) -> Reply[dict[str, Any]]:
    user = _user(request)
    directive = directive_get(user=user, pk=payload.directive_id)
    task = task_create(actor=Actor.of(user), directive=directive, spec=payload.spec())
    return Reply(201, _task_out(task))


@router.get(
    "/{int:task_id}", response=TaskOut, summary="One task with its occurrences, reports and extensions"
)
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _task_out(task_get(user=_user(request), pk=task_id))


@router.put("/{int:task_id}", response=TaskOut, summary="Change a task (issuing level)")
def update_task(request: HttpRequest, task_id: int, payload: TaskIn) -> dict[str, Any]:
    user = _user(request)
    task = task_get(user=user, pk=task_id)
    task_update(actor=Actor.of(user), task=task, spec=payload.spec())
    return _task_out(task_get(user=user, pk=task_id))


@router.post(
    "/occurrences/{int:occurrence_id}/reports",
    response={201: ReportOut},
    summary="Report progress (lead unit); multipart: text, percent, files",
)
def report(
    request: HttpRequest,
    occurrence_id: int,
    text: Form[str],
    percent: Form[int],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Reply[Any]:
    user = _user(request)
    occ = occurrence_get(user=user, pk=occurrence_id)
    ups = [Upload(name=f.name or "tep", content=f, size=f.size or 0) for f in files or []]
    return Reply(
        201, progress_report(actor=Actor.of(user), occurrence=occ, text=text, percent=percent, files=ups)
    )


class ExtensionIn(Schema):
    until: date
    reason: str


@router.post(
    "/occurrences/{int:occurrence_id}/extensions",
    response={201: ExtensionOut},
    summary="Ask for a deadline extension (lead unit)",
)
def ask_extension(request: HttpRequest, occurrence_id: int, payload: ExtensionIn) -> Reply[Any]:
    user = _user(request)
    occ = occurrence_get(user=user, pk=occurrence_id)
    return Reply(
        201,
        extension_request(actor=Actor.of(user), occurrence=occ, until=payload.until, reason=payload.reason),
    )


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.post(
    "/extensions/{int:extension_id}/decision",
    response=ExtensionOut,
    summary="Approve or refuse an extension (issuing level)",
)
def decide_extension(request: HttpRequest, extension_id: int, payload: DecisionIn) -> Any:
    user = _user(request)
    ext = extension_get(user=user, pk=extension_id)
    return extension_decide(actor=Actor.of(user), extension=ext, approve=payload.approve, note=payload.note)
