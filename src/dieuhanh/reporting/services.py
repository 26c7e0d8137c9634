"""Writes of periodic reporting: loading forms, saving, submitting, accepting, returning, reopening,
publishing completeness and sending reminders. Each write is one transaction with its audit row.

Accepting writes the values to the lake's ``data_values`` first (an idempotent upsert through the
one ingest path), then marks the submission accepted: if the process dies in between, the
submission is still "submitted" and accepting it again rewrites nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.scoping import in_scope, require
from dieuhanh.audit.services import Actor, audit_record
from dieuhanh.core.errors import PermissionDenied, Problem, UserError
from dieuhanh.core.periods import Period, parse_period
from dieuhanh.ingest.models import Channel, IngestBatch
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.definitions import PACKS_DIR, FormSpec, load_forms
from dieuhanh.reporting.models import (
    FormElement,
    Origin,
    ReminderKind,
    ReminderSent,
    ReportForm,
    Submission,
    SubmissionStatus,
    SubmissionValue,
    ValidationRule,
)
from dieuhanh.reporting.selectors import (
    RuleResult,
    can_decide,
    completeness,
    deadline,
    form_elements,
    form_list,
    form_period,
    form_periods,
    is_expected,
    lock_date,
    prefill,
    rules_check,
    submission_editable,
    submission_values,
)
from dieuhanh.reporting.values import ValueProblem, parse_value

log = logging.getLogger(__name__)

SOURCE_CODE = "bao-cao-dinh-ky"
SOURCE_NAME = "Báo cáo định kỳ của các đơn vị"
RETURN_WINDOW_DAYS = 7  # a return or reopen after the lock gives the unit this many days


# ---------------------------------------------------------------------------------------------
# Forms from packs


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [p.as_dict() for p in self.problems],
        }


def _form_fields(spec: FormSpec) -> dict[str, Any]:
    return {
        "name_vi": spec.name_vi,
        "name_en": spec.name_en,
        "description": spec.description,
        "regime": spec.regime,
        "first_period": spec.first_period,
        "unit_kinds": spec.unit_kinds,
        "deadline_kind": spec.deadline_kind,
        "deadline_value": spec.deadline_value,
        "lock_after_days": spec.lock_after_days,
        "remind_before_days": spec.remind_before_days,
        "title_vi": spec.title_vi,
        "recipients": spec.recipients,
        "summary_recipients": spec.summary_recipients,
        "legal_basis": spec.legal_basis,
        "origin": spec.origin,
        "active": True,
    }


def _apply(row: Any, fields: Mapping[str, Any]) -> bool:
    changed = [k for k, v in fields.items() if getattr(row, k) != v]
    for k in changed:
        setattr(row, k, fields[k])
    return bool(changed)


def _sync_children(related: Any, model: Any, form: ReportForm, wanted: Mapping[str, dict[str, Any]]) -> bool:
    """Create or update a form's elements (or rules) by code; deactivate those no longer wanted
    (submitted values keep them). True if anything changed."""
    existing = {row.code: row for row in related.all()}
    changed = False
    for code, fields in wanted.items():
        fields = {**fields, "active": True}
        row = existing.pop(code, None)
        if row is None:
            model.objects.create(form=form, code=code, **fields)
            changed = True
        elif _apply(row, fields):
            row.save()
            changed = True
    for row in existing.values():
        if row.active:
            row.active = False
            row.save(update_fields=["active"])
            changed = True
    return changed


def report_forms_sync(*, actor: Actor, roots: Iterable[Path] = (PACKS_DIR,)) -> SyncResult:
    """Create or update the forms defined in packs; forms made in the admin are left alone.

    Elements and rules no longer in a file are deactivated (submitted values keep them).
    """
    specs, problems = load_forms(roots)
    result = SyncResult(problems=problems)
    for spec in specs:
        with transaction.atomic():
            form = ReportForm.objects.filter(code=spec.code).first()
            if form is not None and not form.origin:
                result.problems.append(
                    Problem(
                        "form.admin_owned",
                        f"Biểu mẫu {spec.code} đã được tạo trong trang quản trị; tệp không ghi đè.",
                        f"Form {spec.code} was made in the admin; the file does not overwrite it.",
                        file=spec.origin,
                    )
                )
                continue
            created = form is None
            changed = created
            if form is None:
                form = ReportForm.objects.create(code=spec.code, **_form_fields(spec))
            else:
                changed = _apply(form, _form_fields(spec))
                if changed:
                    form.save()
            units = list(OrgUnit.objects.filter(code__in=spec.unit_codes))
            if {u.pk for u in units} != set(form.units.values_list("pk", flat=True)):
                form.units.set(units)
                changed = True
            missing_units = sorted(set(spec.unit_codes) - {u.code for u in units})
            for code in missing_units:
                result.problems.append(
                    Problem(
                        "form.unit_unknown",
                        f"{spec.code}: không có đơn vị mã {code}.",
                        f"{spec.code}: no unit with code {code}.",
                        file=spec.origin,
                    )
                )
            elements = {
                e.code: {"name_vi": e.name_vi, "name_en": e.name_en, "section": e.section, "value_type": e.value_type,
                         "uom": e.uom, "min_value": e.min_value, "max_value": e.max_value, "required": e.required,
                         "prefill_indicator": e.prefill_indicator, "aggregate": e.aggregate, "target": e.target,
                         "position": position}
                for position, e in enumerate(spec.elements)
            }  # fmt: skip
            changed |= _sync_children(form.elements, FormElement, form, elements)
            rules = {
                r.code: {"left": r.left, "operator": r.operator, "right": r.right, "missing": r.missing,
                         "message_vi": r.message_vi, "message_en": r.message_en}
                for r in spec.rules
            }  # fmt: skip
            changed |= _sync_children(form.rules, ValidationRule, form, rules)
            if created:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
            if changed:
                audit_record(
                    actor=actor,
                    action="report.form_create" if created else "report.form_update",
                    obj=form,
                    note=spec.origin,
                )
    return result


# ---------------------------------------------------------------------------------------------
# Submissions


def _user(actor: Actor) -> User | None:
    return actor.user


def _check_view(actor: Actor, unit: OrgUnit) -> None:
    user = _user(actor)
    if user is not None:
        require(user, "view", unit)


def _check_decide(actor: Actor, unit: OrgUnit) -> None:
    user = _user(actor)
    if user is None:
        return
    if not can_decide(user, unit):
        raise PermissionDenied(
            "report.decide",
            f"Chỉ lãnh đạo cấp trên của {unit.name} được duyệt, trả lại hoặc mở lại báo cáo.",
            f"Only a manager above {unit.name} may accept, return or reopen its report.",
        )


def _snapshot(sub: Submission) -> dict[str, Any]:
    return {
        "status": sub.status,
        "values": submission_values(sub) if sub.pk else {},
        "comment": sub.comment,
        "reopened_until": sub.reopened_until,
    }


def submission_open(
    *, actor: Actor, form: ReportForm, unit: OrgUnit, period_key: str, today: date | None = None
) -> Submission:
    """The unit's submission for the period, created as a draft (with the prefilled values) if new."""
    today = today or timezone.localdate()
    _check_view(actor, unit)
    period = form_period(form, period_key)
    if period.start > today:
        raise UserError(
            "report.period_future",
            f"Kỳ {period.label('vi')} chưa bắt đầu.",
            f"Period {period.label('en')} has not begun.",
        )
    if not is_expected(form, unit, period):
        raise UserError(
            "report.unit_not_expected",
            f"{unit.name} không thuộc các đơn vị phải gửi biểu mẫu {form.code}.",
            f"{unit.name} is not among the units that submit form {form.code}.",
        )
    existing = Submission.objects.filter(form=form, unit=unit, period=period.key).first()
    if existing is not None:
        return existing
    known = prefill(form, unit, period)
    now = timezone.now()
    with transaction.atomic():
        sub, created = Submission.objects.get_or_create(
            form=form, unit=unit, period=period.key, defaults={"created_at": now, "updated_at": now}
        )
        if created:
            _store_prefill(sub, known)
            audit_record(actor=actor, action="report.open", obj=sub, unit=unit, after=_snapshot(sub))
    return sub


def _store_prefill(sub: Submission, known: Mapping[str, float | None]) -> None:
    """Write the values the records hold; an element the records know nothing of stays the unit's."""
    for element in form_elements(sub.form):
        if element.code not in known:
            continue
        value = known[element.code]
        if value is None:
            SubmissionValue.objects.filter(submission=sub, element=element, origin=Origin.RECORDS).delete()
            continue
        SubmissionValue.objects.update_or_create(
            submission=sub, element=element, defaults={"value": value, "origin": Origin.RECORDS}
        )


def _not_editable(sub: Submission) -> UserError:
    if sub.status == SubmissionStatus.ACCEPTED:
        return UserError(
            "report.accepted",
            "Báo cáo đã được duyệt và khoá; cần cấp trên mở lại để sửa.",
            "The report was accepted and is locked; the level above must reopen it.",
        )
    if sub.status == SubmissionStatus.SUBMITTED:
        return UserError(
            "report.submitted",
            "Báo cáo đã gửi, đang chờ cấp trên duyệt.",
            "The report was submitted and awaits the level above.",
        )
    lock = lock_date(sub.form, parse_period(sub.period))
    return UserError(
        "report.locked",
        f"Đã quá hạn khoá sổ ({lock:%d/%m/%Y}); cần cấp trên mở lại để sửa.",
        f"Past the lock date ({lock.isoformat()}); the level above must reopen it.",
    )


def values_parse(
    form: ReportForm,
    raw: Mapping[str, Any],
    *,
    file: str = "",
    where: Mapping[str, str] | None = None,
    prefilled: Mapping[str, float | None] | None = None,
) -> dict[str, float | None]:
    """Entered values by element code; every bad value is reported at once (InputRejected)."""
    elements = {e.code: e for e in form_elements(form)}
    problems: list[Problem] = []
    out: dict[str, float | None] = {}
    prefilled = prefilled or {}
    for code, value in raw.items():
        element = elements.get(code)
        place = (where or {}).get(code, code)
        if element is None:
            problems.append(
                Problem(
                    "report.element_unknown",
                    f"Biểu mẫu không có chỉ tiêu {code}.",
                    f"The form has no element {code}.",
                    file=file,
                    field=place,
                )
            )
            continue
        try:
            parsed = parse_value(element, value)
        except ValueProblem as exc:
            problems.append(
                Problem(
                    exc.code,
                    f"{element.name_vi}: {exc.message_vi}",
                    f"{element.name_en or element.code}: {exc.message_en}",
                    file=file,
                    field=place,
                )
            )
            continue
        known = prefilled.get(code)
        if known is not None:
            if parsed is not None and abs(parsed - known) > 1e-9:
                problems.append(
                    Problem(
                        "report.prefilled",
                        f"{element.name_vi}: số liệu lấy từ hệ thống ({known:g}), đơn vị không nhập lại.",
                        f"{element.name_en or element.code}: this figure comes from the records ({known:g}) "
                        "and is not entered.",
                        file=file,
                        field=place,
                    )
                )
            continue
        out[code] = parsed
    if problems:
        raise UserError(
            "report.values",
            f"Có {len(problems)} giá trị không hợp lệ; chưa lưu gì.",
            f"{len(problems)} value(s) are not valid; nothing was saved.",
            problems=problems,
        )
    return out


def submission_save(
    *,
    actor: Actor,
    submission: Submission,
    raw: Mapping[str, Any],
    file: str = "",
    where: Mapping[str, str] | None = None,
    today: date | None = None,
    skip_prefilled: bool = False,
) -> list[RuleResult]:
    """Save entered values as the draft (all or nothing); returns the rules' outcomes (warnings)."""
    sub = submission
    user = _user(actor)
    if user is not None:
        require(user, "submit", sub.unit)
    if not submission_editable(sub, today=today):
        raise _not_editable(sub)
    period = parse_period(sub.period)
    known = prefill(sub.form, sub.unit, period)
    if skip_prefilled:  # a spreadsheet row the records fill is read-only there: its cell is ignored
        raw = {k: v for k, v in raw.items() if known.get(k) is None}
    entered = values_parse(sub.form, raw, file=file, where=where, prefilled=known)
    elements = {e.code: e for e in form_elements(sub.form)}
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=sub.pk)
        if not submission_editable(sub, today=today):
            raise _not_editable(sub)
        before = _snapshot(sub)
        _store_prefill(sub, known)
        for code, value in entered.items():
            SubmissionValue.objects.update_or_create(
                submission=sub, element=elements[code], defaults={"value": value, "origin": Origin.ENTERED}
            )
        sub.updated_at = timezone.now()
        sub.saved_by = user
        sub.save(update_fields=["updated_at", "saved_by"])
        after = _snapshot(sub)
        if after != before:
            audit_record(
                actor=actor,
                action="report.save",
                obj=sub,
                unit=sub.unit,
                before=before,
                after=after,
                note=file,
            )
    submission.refresh_from_db()
    return rules_check(sub.form, submission_values(sub))


def submission_upload(
    *, actor: Actor, submission: Submission, data: bytes, file: str, today: date | None = None
) -> list[RuleResult]:
    """Save the values of a filled-in form spreadsheet (refused whole if for another unit or period,
    or if its layout changed; bad values are reported by cell)."""
    from dieuhanh.reporting.workbook import read_form_workbook

    sub = submission
    raw, where = read_form_workbook(
        data,
        file=file,
        form=sub.form,
        elements=form_elements(sub.form),
        unit=sub.unit,
        period=parse_period(sub.period),
    )
    return submission_save(
        actor=actor, submission=sub, raw=raw, file=file, where=where, today=today, skip_prefilled=True
    )


def submission_problems(sub: Submission) -> list[Problem]:
    """What stops a submission: required values missing, rules failed."""
    values = submission_values(sub)
    problems = []
    for e in form_elements(sub.form):
        if e.required and values.get(e.code) is None:
            problems.append(
                Problem(
                    "report.required",
                    f"Chưa nhập: {e.name_vi}.",
                    f"Missing: {e.name_en or e.code}.",
                    field=e.code,
                )
            )
    for r in rules_check(sub.form, values):
        if r.failed:
            problems.append(Problem("report.rule", r.rule.message_vi, r.rule.message_en, field=r.rule.code))
    return problems


def submission_submit(
    *, actor: Actor, submission: Submission, today: date | None = None, now: datetime | None = None
) -> None:
    """The unit's manager sends the report to the level above (refused while a rule fails)."""
    sub = submission
    user = _user(actor)
    if user is not None:
        require(user, "approve", sub.unit)
    if not submission_editable(sub, today=today):
        raise _not_editable(sub)
    problems = submission_problems(sub)
    if problems:
        raise UserError(
            "report.not_ready",
            f"Chưa gửi được: {len(problems)} vấn đề cần sửa.",
            f"Cannot submit: {len(problems)} problem(s) to fix.",
            problems=problems,
        )
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=sub.pk)
        if not submission_editable(sub, today=today):
            raise _not_editable(sub)
        before = _snapshot(sub)
        sub.status = SubmissionStatus.SUBMITTED
        sub.submitted_at = now or timezone.now()
        sub.submitted_by = user
        sub.save(update_fields=["status", "submitted_at", "submitted_by"])
        audit_record(
            actor=actor, action="report.submit", obj=sub, unit=sub.unit, before=before, after=_snapshot(sub)
        )
        transaction.on_commit(lambda: _publish_safely(sub.form.regime, sub.period))
    submission.refresh_from_db()


def submission_accept(*, actor: Actor, submission: Submission) -> IngestBatch | None:
    """The level above accepts: the values become `data_values` in the lake, the report is locked."""
    from dieuhanh.indicators.services import indicator_values_refresh_after_batch
    from dieuhanh.ingest.services import batch_ingest, source_default

    sub = submission
    _check_decide(actor, sub.unit)
    if sub.status != SubmissionStatus.SUBMITTED:
        raise UserError(
            "report.not_submitted",
            "Chỉ duyệt được báo cáo đã gửi.",
            "Only a submitted report can be accepted.",
        )
    values = {code: v for code, v in submission_values(sub).items() if v is not None}
    # An element emptied since an earlier acceptance (reopened, then sent again) is withdrawn:
    # its stored value becomes empty, so no indicator keeps counting a figure the unit took back.
    withdrawn = _reported_before(sub, [e.code for e in form_elements(sub.form) if e.code not in values])
    records = [
        (i, {"data_element": code, "unit_code": sub.unit.code, "period": sub.period,
             "value": repr(values[code]) if code in values else ""})
        for i, code in enumerate(sorted([*values, *withdrawn]), start=1)
    ]  # fmt: skip
    batch = None
    if records:
        source = source_default(code=SOURCE_CODE, name=SOURCE_NAME)
        result = batch_ingest(
            actor=actor,
            source=source,
            table="data_values",
            records=records,
            channel=Channel.FORM,
            file_name=f"{sub.form.code} {sub.unit.code} {sub.period}",
        )
        if result.outcome.problems:  # the form's checks passed, so this is a definition mismatch
            raise UserError(
                "report.lake_refused",
                "Kho dữ liệu từ chối số liệu của báo cáo.",
                "The lake refused the report's values.",
                problems=result.outcome.problems,
            )
        batch = result.batch
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=sub.pk)
        if sub.status != SubmissionStatus.SUBMITTED:
            raise UserError(
                "report.not_submitted",
                "Chỉ duyệt được báo cáo đã gửi.",
                "Only a submitted report can be accepted.",
            )
        before = _snapshot(sub)
        sub.status = SubmissionStatus.ACCEPTED
        sub.decided_at = timezone.now()
        sub.decided_by = _user(actor)
        sub.comment = ""
        sub.reopened_until = None
        sub.accepted_batch = batch
        sub.save()
        audit_record(
            actor=actor,
            action="report.accept",
            obj=sub,
            unit=sub.unit,
            before=before,
            after={**_snapshot(sub), "batch": str(batch.pk) if batch else None},
        )
        transaction.on_commit(lambda: _publish_safely(sub.form.regime, sub.period))
    if batch is not None:
        indicator_values_refresh_after_batch(batch=batch)
    submission.refresh_from_db()
    return batch


def _reported_before(sub: Submission, codes: list[str]) -> list[str]:
    """Of ``codes``, those whose value in the lake for the unit and period was last written by a
    report (this channel's source) and is not empty."""
    from dieuhanh.ingest.services import get_lake

    lake = get_lake()
    if not codes or not lake.exists("data_values"):
        return []
    con = lake.connect()
    try:
        rows = con.execute(
            "SELECT data_element FROM data_values WHERE unit_code = ? AND period = ? AND source = ? "
            f"AND value IS NOT NULL AND data_element IN ({', '.join('?' for _ in codes)})",
            [sub.unit.code, sub.period, SOURCE_CODE, *codes],
        ).fetchall()
    finally:
        con.close()
    return sorted(r[0] for r in rows)


def submission_return(
    *, actor: Actor, submission: Submission, comment: str, today: date | None = None
) -> None:
    """The level above sends the report back with a comment; the unit may edit it again."""
    sub = submission
    _check_decide(actor, sub.unit)
    comment = comment.strip()
    if not comment:
        raise UserError(
            "report.comment_required", "Cần ghi lý do trả lại.", "A reason for returning is required."
        )
    if sub.status != SubmissionStatus.SUBMITTED:
        raise UserError(
            "report.not_submitted",
            "Chỉ trả lại được báo cáo đã gửi.",
            "Only a submitted report can be returned.",
        )
    _reopen(actor, sub, comment, today=today, action="report.return", allowed=(SubmissionStatus.SUBMITTED,))
    submission.refresh_from_db()


def submission_reopen(
    *, actor: Actor, submission: Submission, reason: str, today: date | None = None
) -> None:
    """Reopen an accepted report, or a draft past its lock date, for edits (audited)."""
    sub = submission
    _check_decide(actor, sub.unit)
    reason = reason.strip()
    if not reason:
        raise UserError(
            "report.reason_required", "Cần ghi lý do mở lại.", "A reason for reopening is required."
        )
    if sub.status == SubmissionStatus.SUBMITTED:
        raise UserError(
            "report.reopen_submitted",
            "Báo cáo đang chờ duyệt: hãy trả lại thay vì mở lại.",
            "The report awaits a decision: return it instead.",
        )
    _reopen(
        actor,
        sub,
        reason,
        today=today,
        action="report.reopen",
        allowed=(SubmissionStatus.ACCEPTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED),
    )
    submission.refresh_from_db()


def _reopen(
    actor: Actor, sub: Submission, comment: str, *, today: date | None, action: str, allowed: tuple[str, ...]
) -> None:
    today = today or timezone.localdate()
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=sub.pk)
        if sub.status not in allowed:
            raise UserError(
                "report.state",
                "Trạng thái báo cáo đã thay đổi; hãy tải lại trang.",
                "The report's state changed; reload the page.",
            )
        before = _snapshot(sub)
        was_accepted = sub.status == SubmissionStatus.ACCEPTED
        sub.status = (
            SubmissionStatus.RETURNED if sub.status != SubmissionStatus.DRAFT else SubmissionStatus.DRAFT
        )
        sub.comment = comment
        sub.decided_at = timezone.now()
        sub.decided_by = _user(actor)
        if today > lock_date(sub.form, parse_period(sub.period)):
            sub.reopened_until = today + timedelta(days=RETURN_WINDOW_DAYS)
        sub.save()
        audit_record(
            actor=actor,
            action=action,
            obj=sub,
            unit=sub.unit,
            before=before,
            after=_snapshot(sub),
            note=comment,
        )
        if was_accepted:
            transaction.on_commit(lambda: _publish_safely(sub.form.regime, sub.period))


# ---------------------------------------------------------------------------------------------
# Completeness as data values (so the indicator engine sums it up the tree)

COMPLETENESS_ELEMENTS = ("BC_EXPECTED", "BC_SUBMITTED", "BC_ON_TIME", "BC_ACCEPTED")


def completeness_publish(*, regime: str, period_key: str, actor: Actor | None = None) -> IngestBatch | None:
    """Write per unit: reports expected, submitted, submitted on time and accepted for the period.

    Summed over every active form of the regime, so a unit with two monthly forms expects 2.
    Only for periods that have ended: during a period its reports are not yet owed.
    """
    from dieuhanh.indicators.services import indicator_values_refresh_after_batch
    from dieuhanh.ingest.services import batch_ingest, source_default

    period = parse_period(period_key)
    if period.end > timezone.localdate():
        return None  # nobody owes a report before the period ends: no figure rather than a false 0%
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COMPLETENESS_ELEMENTS, 0))
    for form in form_list().filter(regime=regime):
        if period.start < parse_period(form.first_period).start:
            continue
        for row in completeness(form, period).rows:
            c = counts[row.unit.code]
            c["BC_EXPECTED"] += 1
            c["BC_SUBMITTED"] += int(row.delivered)
            c["BC_ON_TIME"] += int(bool(row.delivered and row.on_time))
            c["BC_ACCEPTED"] += int(row.state == "accepted")
    if not counts:
        return None
    records: list[tuple[int, dict[str, str]]] = []
    for code, c in sorted(counts.items()):
        for element, n in c.items():
            records.append(
                (
                    len(records) + 1,
                    {"data_element": element, "unit_code": code, "period": period.key, "value": str(n)},
                )
            )
    actor = actor or Actor.system("reporting")
    result = batch_ingest(
        actor=actor,
        source=source_default(code=SOURCE_CODE, name=SOURCE_NAME),
        table="data_values",
        records=records,
        channel=Channel.FORM,
        file_name=f"completeness {period.key}",
    )
    indicator_values_refresh_after_batch(batch=result.batch)
    return result.batch


def _publish_safely(regime: str, period_key: str) -> None:
    try:
        completeness_publish(regime=regime, period_key=period_key)
    except Exception:  # the decision is stored either way; the daily job publishes again
        log.exception("completeness of %s %s not published", regime, period_key)


# ---------------------------------------------------------------------------------------------
# Reminders


@dataclass
class ReminderResult:
    sent: int = 0
    recipients: int = 0
    already_sent: int = 0
    without_recipients: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "recipients": self.recipients,
            "already_sent": self.already_sent,
            "without_recipients": self.without_recipients,
        }


def _site_url() -> str:
    return str(getattr(settings, "DIEUHANH_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def _reminder_text(kind: str, form: ReportForm, unit: OrgUnit, period: Period, due: date) -> tuple[str, str]:
    url = f"{_site_url()}/bao-cao/{form.code}/{period.key}/{unit.code}/"
    if kind == ReminderKind.BEFORE:
        subject = (
            f"[dieuhanh] Nhắc hạn gửi báo cáo {form.name_vi} — {period.label('vi')} (hạn {due:%d/%m/%Y})"
        )
        lead = (
            f"Đơn vị {unit.name} chưa gửi báo cáo “{form.name_vi}” kỳ {period.label('vi')}. "
            f"Hạn gửi: {due:%d/%m/%Y}."
        )
        lead_en = (
            f"{unit.name} has not yet submitted “{form.name(lang='en')}” for {period.label('en')}; due {due}."
        )
    else:
        subject = f"[dieuhanh] Quá hạn báo cáo {form.name_vi} — {period.label('vi')}"
        lead = (
            f"Đơn vị {unit.name} chưa gửi báo cáo “{form.name_vi}” kỳ {period.label('vi')}, "
            f"đã quá hạn {due:%d/%m/%Y}."
        )
        lead_en = f"{unit.name} has not submitted “{form.name(lang='en')}” for {period.label('en')}; it was due {due}."
    body = f"{lead}\nMở biểu mẫu: {url}\n\n{lead_en}\nOpen the form: {url}\n\n— dieuhanh"
    return subject, body


def reminders_send(*, today: date | None = None, actor: Actor | None = None) -> ReminderResult:
    """E-mail units that have not submitted: once before the deadline, once after it (per period)."""
    today = today or timezone.localdate()
    actor = actor or Actor.system("scheduler")
    result = ReminderResult()
    connection = get_connection()
    for form in form_list():
        for period in form_periods(form, today=today, last=3):
            due = deadline(form, period)
            if due - timedelta(days=form.remind_before_days) <= today <= due:
                kind = ReminderKind.BEFORE
            elif due < today <= lock_date(form, period):
                kind = ReminderKind.AFTER
            else:
                continue
            done = set(
                ReminderSent.objects.filter(form=form, period=period.key, kind=kind).values_list(
                    "unit_id", flat=True
                )
            )
            for row in completeness(form, period).rows:
                if row.delivered:
                    continue
                if row.unit.pk in done:
                    result.already_sent += 1
                    continue
                to = _recipients(row.unit, late=kind == ReminderKind.AFTER)
                if not to:
                    result.without_recipients.append(row.unit.code)
                    continue
                subject, body = _reminder_text(kind, form, row.unit, period, due)
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection).send()
                with transaction.atomic():
                    ReminderSent.objects.create(
                        form=form,
                        unit=row.unit,
                        period=period.key,
                        kind=kind,
                        sent_at=timezone.now(),
                        recipients=len(to),
                    )
                    audit_record(
                        actor=actor,
                        action="report.remind",
                        object_type="reporting.reminder",
                        object_id=f"{form.code}/{period.key}/{row.unit.code}/{kind}",
                        object_repr=subject[:300],
                        unit=row.unit,
                        after={"recipients": len(to)},
                    )
                result.sent += 1
                result.recipients += len(to)
    return result


def _recipients(unit: OrgUnit, *, late: bool) -> list[str]:
    """The unit's officers and managers; after the deadline also the managers of the level above."""
    users = User.objects.filter(is_active=True, unit=unit, role__in=[Role.OFFICER, Role.MANAGER])
    emails = list(users.exclude(email="").order_by("username").values_list("email", flat=True))
    if late and unit.parent_id is not None:
        emails += list(
            User.objects.filter(is_active=True, unit_id=unit.parent_id, role=Role.MANAGER)
            .exclude(email="")
            .order_by("username")
            .values_list("email", flat=True)
        )
    return list(dict.fromkeys(emails))


def reporting_daily(*, today: date | None = None) -> dict[str, Any]:
    """The daily job: reminders, then completeness of the periods whose deadline is near or past."""
    today = today or timezone.localdate()
    sent = reminders_send(today=today)
    published = []
    for form in form_list():
        for period in form_periods(form, today=today, last=2):
            key = (form.regime, period.key)
            if key not in published:
                _publish_safely(*key)
                published.append(key)
    return {"reminders": sent.as_dict(), "published": [k for _, k in published]}


def in_scope_or_system(actor: Actor, unit: OrgUnit) -> bool:
    return actor.user is None or in_scope(actor.user, unit)
