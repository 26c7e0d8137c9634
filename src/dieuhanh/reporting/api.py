"""`/api/v1/reports/…`: report forms, a period's completeness, and a unit's submission with its
actions, for integrators (a unit's own system can fill its report without retyping). Reads are
scoped like the pages; writes go through the same services (errors in both languages, 400/403/404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import in_scope
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.reporting.models import ReportForm, Submission
from dieuhanh.reporting.selectors import (
    RuleResult,
    completeness,
    deadline,
    form_elements,
    form_get,
    form_list,
    form_period,
    lock_date,
    rules_check,
    submission_find,
    submission_origins,
    submission_values,
)
from dieuhanh.reporting.services import (
    submission_accept,
    submission_open,
    submission_reopen,
    submission_return,
    submission_save,
    submission_submit,
)

router = Router()


class ValuesIn(Schema):
    values: dict[str, str | float | int | bool | None]


class CommentIn(Schema):
    comment: str


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _unit(user: User, code: str) -> OrgUnit:
    unit = orgunit_get(code=code)
    if not in_scope(user, unit):
        raise NotFound("unit.not_found", f"Không có đơn vị mã {code}.", f"No unit with code {code}.")
    return unit


def _form_dict(form: ReportForm) -> dict[str, Any]:
    return {
        "code": form.code,
        "name": form.name_vi,
        "name_en": form.name_en,
        "regime": form.regime,
        "first_period": form.first_period,
        "deadline_rule": {form.deadline_kind: form.deadline_value},
        "lock_after_days": form.lock_after_days,
        "unit_kinds": form.unit_kinds,
        "elements": [
            {
                "code": e.code,
                "name": e.name_vi,
                "name_en": e.name_en,
                "type": e.value_type,
                "uom": e.uom,
                "min": e.min_value,
                "max": e.max_value,
                "required": e.required,
                "prefill": e.prefill_indicator or None,
                "target": e.target,
            }
            for e in form_elements(form)
        ],
        "rules": [
            {
                "code": r.code,
                "left": r.left,
                "operator": r.operator,
                "right": r.right,
                "missing": r.missing,
                "message_vi": r.message_vi,
                "message_en": r.message_en,
            }
            for r in form.rules.filter(active=True)
        ],
    }


def _submission_dict(
    form: ReportForm,
    unit: OrgUnit,
    period_key: str,
    sub: Submission | None,
    rules: list[RuleResult] | None = None,
) -> dict[str, Any]:
    period = form_period(form, period_key)
    values = submission_values(sub) if sub else {}
    origins = submission_origins(sub) if sub else {}
    return {
        "form": form.code,
        "unit": unit.code,
        "period": period.key,
        "status": sub.status if sub else "missing",
        "deadline": deadline(form, period).isoformat(),
        "lock": lock_date(form, period).isoformat(),
        "submitted_at": sub.submitted_at.isoformat() if sub and sub.submitted_at else None,
        "comment": sub.comment if sub else "",
        "values": [
            {"element": e.code, "value": values.get(e.code), "origin": origins.get(e.code)}
            for e in form_elements(form)
        ],
        "rules": [r.as_dict() for r in (rules if rules is not None else rules_check(form, values))],
    }


@router.get("/forms", response=list[dict[str, Any]], summary="Report forms with their elements and rules")
def list_forms(request: HttpRequest) -> list[dict[str, Any]]:
    return [_form_dict(f) for f in form_list()]


@router.get("/forms/{code}", response=dict[str, Any], summary="One report form")
def get_form(request: HttpRequest, code: str) -> dict[str, Any]:
    return _form_dict(form_get(code=code))


@router.get(
    "/forms/{code}/{period}/completeness",
    response=dict[str, Any],
    summary="Expected / submitted / on time / late / missing by unit, within the caller's unit",
)
def get_completeness(request: HttpRequest, code: str, period: str, unit: str = "") -> dict[str, Any]:
    user = _user(request)
    form = form_get(code=code)
    within = _unit(user, unit) if unit else user.unit
    if within is None:
        raise NotFound("unit.none", "Tài khoản chưa gắn đơn vị.", "The account has no unit.")
    return completeness(form, form_period(form, period), within=within).as_dict()


@router.get("/forms/{code}/{period}/{unit}", response=dict[str, Any], summary="A unit's submission")
def get_submission(request: HttpRequest, code: str, period: str, unit: str) -> dict[str, Any]:
    user = _user(request)
    form, target = form_get(code=code), _unit(user, unit)
    return _submission_dict(form, target, period, submission_find(form, target, form_period(form, period)))


@router.put(
    "/forms/{code}/{period}/{unit}",
    response=dict[str, Any],
    summary="Save values as the draft (all or nothing); rule outcomes come back as warnings",
)
def put_submission(
    request: HttpRequest, code: str, period: str, unit: str, payload: ValuesIn
) -> dict[str, Any]:
    user = _user(request)
    form, target = form_get(code=code), _unit(user, unit)
    sub = submission_open(actor=Actor.of(user), form=form, unit=target, period_key=period)
    rules = submission_save(actor=Actor.of(user), submission=sub, raw=payload.values)
    return _submission_dict(form, target, period, sub, rules)


def _act(
    request: HttpRequest, code: str, period: str, unit: str, action: str, text: str = ""
) -> dict[str, Any]:
    user = _user(request)
    form, target = form_get(code=code), _unit(user, unit)
    sub = submission_find(form, target, form_period(form, period))
    if sub is None:
        raise NotFound(
            "report.no_submission", "Đơn vị chưa lập báo cáo kỳ này.", "The unit has no report for it."
        )
    actor = Actor.of(user)
    if action == "submit":
        submission_submit(actor=actor, submission=sub)
    elif action == "accept":
        submission_accept(actor=actor, submission=sub)
    elif action == "return":
        submission_return(actor=actor, submission=sub, comment=text)
    else:
        submission_reopen(actor=actor, submission=sub, reason=text)
    return _submission_dict(form, target, period, sub)


@router.post(
    "/forms/{code}/{period}/{unit}/submit", response=dict[str, Any], summary="The unit's manager submits"
)
def submit(request: HttpRequest, code: str, period: str, unit: str) -> dict[str, Any]:
    return _act(request, code, period, unit, "submit")


@router.post(
    "/forms/{code}/{period}/{unit}/accept",
    response=dict[str, Any],
    summary="The level above accepts: values become data_values",
)
def accept(request: HttpRequest, code: str, period: str, unit: str) -> dict[str, Any]:
    return _act(request, code, period, unit, "accept")


@router.post("/forms/{code}/{period}/{unit}/return", response=dict[str, Any], summary="Return with a comment")
def return_(request: HttpRequest, code: str, period: str, unit: str, payload: CommentIn) -> dict[str, Any]:
    return _act(request, code, period, unit, "return", payload.comment)


@router.post("/forms/{code}/{period}/{unit}/reopen", response=dict[str, Any], summary="Reopen with a reason")
def reopen(request: HttpRequest, code: str, period: str, unit: str, payload: CommentIn) -> dict[str, Any]:
    return _act(request, code, period, unit, "reopen", payload.comment)
