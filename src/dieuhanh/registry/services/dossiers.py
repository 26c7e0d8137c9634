"""The level dossier's workflow: draft → submitted → appraised → approved, or returned.

Who acts follows the decree of the dossier's regime (`levels.AUTHORITIES`): the owner's units
prepare and submit; the owner's dedicated security unit appraises (and records a ministry's
appraisal for levels 4–5); the security unit approves levels 1–2, the owner levels 3–5 (for
level 5, the owner records the Prime Minister's list decision). Every step is audited; choosing a
level other than the suggested one needs a reason and writes its own audit row.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import UserError
from dieuhanh.registry.levels import (
    MINISTRY,
    REGIMES,
    SECURITY_UNIT,
    Regime,
    Suggestion,
    authority_for,
    default_legal_basis,
    regime_for,
    suggest_level,
)
from dieuhanh.registry.models import OPEN_STATUSES, DossierStatus, InformationSystem, LevelDossier
from dieuhanh.registry.scoping import registry_require, require_acting_unit, security_unit_for
from dieuhanh.registry.services.feed import registry_figures_changed

DOSSIER_FIELDS = [
    "regime", "suggested_level", "suggested_basis", "proposed_level", "override_reason", "status",
    "submitted_on", "appraised_on", "appraisal_body", "appraisal_reference", "decision_number",
    "decision_date", "approved_by", "legal_basis", "returned_on", "returned_reason", "source",
]  # fmt: skip


def _today() -> date:
    return timezone.localdate()


def _regime(code: str | None, day: date) -> Regime:
    if code is None or code == "":
        return regime_for(day)
    if code not in REGIMES:
        raise UserError(
            "registry.bad_regime", f"Chế độ pháp lý không hợp lệ: {code}.", f"Unknown regime {code}."
        )
    return REGIMES[code]


def _check_level(level: int | None) -> None:
    if level is not None and not 1 <= level <= 5:
        raise UserError("registry.bad_level", f"Cấp độ {level} không hợp lệ: từ 1 đến 5.",
                        f"Level {level} is invalid: it runs from 1 to 5.")  # fmt: skip


def _state(dossier: LevelDossier, allowed: tuple[str, ...], step_vi: str, step_en: str) -> None:
    if dossier.status not in allowed:
        raise UserError(
            "registry.dossier_state",
            f"Hồ sơ đang ở trạng thái {dossier.get_status_display()}: không thể {step_vi}.",
            f"The dossier is {dossier.status}: it cannot be {step_en}.",
        )


def _check_day(day: date, field_vi: str, field_en: str, *, not_before: date | None = None) -> None:
    if day > _today():
        raise UserError("registry.date_in_future", f"{field_vi} {day:%d/%m/%Y} ở tương lai.",
                        f"The {field_en} {day} is in the future.")  # fmt: skip
    if not_before is not None and day < not_before:
        raise UserError(
            "registry.date_before_submission",
            f"{field_vi} {day:%d/%m/%Y} trước ngày trình hồ sơ {not_before:%d/%m/%Y}.",
            f"The {field_en} {day} is before the submission on {not_before}.",
        )


def _apply_level(
    actor: Actor, dossier: LevelDossier, suggestion: Suggestion, level: int | None, reason: str
) -> None:
    """Set the proposed level; another level than the suggested one needs a reason (audited)."""
    _check_level(level)
    reason = reason.strip()
    overriding = level is not None and suggestion.level is not None and level != suggestion.level
    if overriding and not reason:
        raise UserError(
            "registry.override_reason_required",
            f"Cấp độ đề xuất theo tiêu chí là {suggestion.level} ({suggestion.basis_vi}); chọn cấp độ {level} "
            "cần nêu lý do.",
            f"The criteria suggest level {suggestion.level} ({suggestion.basis_en}); choosing level {level} "
            "needs a reason.",
        )
    was = (dossier.proposed_level, dossier.override_reason)
    dossier.suggested_level = suggestion.level
    dossier.suggested_basis = suggestion.basis_vi
    dossier.proposed_level = level
    dossier.override_reason = reason if overriding else ""
    if overriding and was != (level, reason):
        audit_record(
            actor=actor, action="registry.dossier.override", obj=dossier, unit=dossier.system.owner_unit,
            before={"level": suggestion.level, "basis": suggestion.basis_vi},
            after={"level": level, "reason": reason}, note=reason,
        )  # fmt: skip


def dossier_create(
    *,
    actor: Actor,
    system: InformationSystem,
    proposed_level: int | None = None,
    override_reason: str = "",
    regime: str | None = None,
    on: date | None = None,
) -> LevelDossier:
    """Open a draft dossier. The level defaults to the one the criteria suggest under the regime
    of the dossier's date (ND 85 before 1 July 2026, ND 331 after) unless a regime is chosen."""
    if actor.user is not None:
        registry_require(actor.user, "submit", system.owner_unit)
    if system.dossiers.filter(status__in=OPEN_STATUSES).exists():
        raise UserError("registry.dossier_open", "Hệ thống đã có một hồ sơ cấp độ đang xử lý.",
                        "The system already has a level dossier in progress.")  # fmt: skip
    reg = _regime(regime, on or _today())
    suggestion = suggest_level(system.criteria(), reg)
    with transaction.atomic():
        dossier = LevelDossier(system=system, regime=reg.code, criteria=system.criteria().as_dict())
        dossier.save()
        level = suggestion.level if proposed_level is None else proposed_level
        _apply_level(actor, dossier, suggestion, level, override_reason)
        dossier.save()
        audit_record(actor=actor, action="registry.dossier.create", obj=dossier, unit=system.owner_unit,
                     after=snapshot(dossier, DOSSIER_FIELDS))  # fmt: skip
    return dossier


def dossier_update(
    *, actor: Actor, dossier: LevelDossier, proposed_level: int | None, override_reason: str = ""
) -> LevelDossier:
    """Change the proposed level of a draft or returned dossier (against today's criteria)."""
    system = dossier.system
    if actor.user is not None:
        registry_require(actor.user, "submit", system.owner_unit)
    _state(dossier, (DossierStatus.DRAFT, DossierStatus.RETURNED), "sửa", "edited")
    suggestion = suggest_level(system.criteria(), REGIMES[dossier.regime])
    with transaction.atomic():
        before = snapshot(dossier, DOSSIER_FIELDS)
        _apply_level(actor, dossier, suggestion, proposed_level, override_reason)
        dossier.criteria = system.criteria().as_dict()
        after = snapshot(dossier, DOSSIER_FIELDS)
        if before != after:
            dossier.save()
            audit_record(actor=actor, action="registry.dossier.update", obj=dossier, unit=system.owner_unit,
                         before=before, after=after)  # fmt: skip
    return dossier


def dossier_submit(*, actor: Actor, dossier: LevelDossier, on: date | None = None) -> LevelDossier:
    """Send the dossier for appraisal, with the criteria as answered today."""
    system = dossier.system
    if actor.user is not None:
        registry_require(actor.user, "submit", system.owner_unit)
    _state(dossier, (DossierStatus.DRAFT, DossierStatus.RETURNED), "trình", "submitted")
    day = on or _today()
    _check_day(day, "Ngày trình", "submission date")
    suggestion = suggest_level(system.criteria(), REGIMES[dossier.regime])
    if dossier.proposed_level is None:
        raise UserError("registry.level_required", "Chưa chọn cấp độ đề xuất.", "No level is proposed yet.")
    with transaction.atomic():
        before = snapshot(dossier, DOSSIER_FIELDS)
        _apply_level(actor, dossier, suggestion, dossier.proposed_level, dossier.override_reason)
        dossier.criteria = system.criteria().as_dict()
        dossier.status = DossierStatus.SUBMITTED
        dossier.submitted_on = day
        dossier.returned_on, dossier.returned_reason = None, ""
        dossier.save()
        audit_record(actor=actor, action="registry.dossier.submit", obj=dossier, unit=system.owner_unit,
                     before=before, after=snapshot(dossier, DOSSIER_FIELDS))  # fmt: skip
    return dossier


def dossier_appraise(
    *,
    actor: Actor,
    dossier: LevelDossier,
    opinion: str = "",
    reference: str = "",
    on: date | None = None,
) -> LevelDossier:
    """Record the appraisal: by the owner's security unit, or (levels 4–5) the ministry's opinion,
    recorded by the security unit with the reference of the ministry's document."""
    system = dossier.system
    _state(dossier, (DossierStatus.SUBMITTED,), "thẩm định", "appraised")
    assert dossier.proposed_level is not None
    authority = authority_for(dossier.regime, dossier.proposed_level)
    unit = security_unit_for(system.owner_unit)
    if actor.user is not None:
        require_acting_unit(actor.user, "approve", unit, "đơn vị chuyên trách an toàn thông tin",
                            "the dedicated security unit")  # fmt: skip
    if authority.appraiser == MINISTRY and not reference.strip():
        raise UserError(
            "registry.appraisal_reference_required",
            f"Cấp độ {dossier.proposed_level} do {authority.appraiser_vi} thẩm định: cần số văn bản ý kiến thẩm định.",
            f"Level {dossier.proposed_level} is appraised by the {authority.appraiser_en}: give the reference "
            "of its appraisal document.",
        )
    day = on or _today()
    _check_day(day, "Ngày thẩm định", "appraisal date", not_before=dossier.submitted_on)
    with transaction.atomic():
        before = snapshot(dossier, DOSSIER_FIELDS)
        dossier.status = DossierStatus.APPRAISED
        dossier.appraised_on = day
        dossier.appraisal_body = (
            authority.appraiser_vi
            if authority.appraiser == MINISTRY
            else f"{authority.appraiser_vi}: {unit.name}"
        )
        dossier.appraisal_reference = reference.strip()
        dossier.appraisal_note = opinion.strip()
        dossier.save()
        audit_record(actor=actor, action="registry.dossier.appraise", obj=dossier, unit=system.owner_unit,
                     before=before, after=snapshot(dossier, DOSSIER_FIELDS))  # fmt: skip
    return dossier


def dossier_approve(
    *,
    actor: Actor,
    dossier: LevelDossier,
    decision_number: str,
    decision_date: date,
    legal_basis: str = "",
) -> LevelDossier:
    """Approve the level: the security unit for levels 1–2, the owner for levels 3–5."""
    system = dossier.system
    _state(dossier, (DossierStatus.APPRAISED,), "phê duyệt", "approved")
    assert dossier.proposed_level is not None
    level = dossier.proposed_level
    authority = authority_for(dossier.regime, level)
    unit = (
        security_unit_for(system.owner_unit)
        if authority.acting_approver == SECURITY_UNIT
        else system.owner_unit
    )
    if actor.user is not None:
        require_acting_unit(actor.user, "approve", unit, authority.approver_vi, authority.approver_en)
    if not decision_number.strip():
        raise UserError("registry.decision_number_required", "Cần số quyết định phê duyệt cấp độ.",
                        "The approval needs the decision's number.")  # fmt: skip
    _check_day(decision_date, "Ngày phê duyệt", "approval date", not_before=dossier.submitted_on)
    suggestion = suggest_level(system.criteria(), REGIMES[dossier.regime])
    with transaction.atomic():
        before = snapshot(dossier, DOSSIER_FIELDS)
        dossier.status = DossierStatus.APPROVED
        dossier.decision_number = decision_number.strip()
        dossier.decision_date = decision_date
        dossier.approved_by = f"{authority.approver_vi}: {unit.name}"
        dossier.legal_basis = legal_basis.strip() or default_legal_basis(
            dossier.regime, level, suggestion.matches
        )
        dossier.save()
        system.approval = dossier
        system.save(update_fields=["approval"])
        registry_figures_changed()
        audit_record(actor=actor, action="registry.dossier.approve", obj=dossier, unit=system.owner_unit,
                     before=before, after=snapshot(dossier, DOSSIER_FIELDS))  # fmt: skip
    return dossier


def dossier_return(
    *, actor: Actor, dossier: LevelDossier, reason: str, on: date | None = None
) -> LevelDossier:
    """Send the dossier back for rework: by the appraiser (submitted) or the approver (appraised)."""
    system = dossier.system
    _state(dossier, (DossierStatus.SUBMITTED, DossierStatus.APPRAISED), "trả lại", "returned")
    assert dossier.proposed_level is not None
    authority = authority_for(dossier.regime, dossier.proposed_level)
    if dossier.status == DossierStatus.SUBMITTED or authority.acting_approver == SECURITY_UNIT:
        unit, who_vi, who_en = (
            security_unit_for(system.owner_unit),
            authority.appraiser_vi,
            authority.appraiser_en,
        )
    else:
        unit, who_vi, who_en = system.owner_unit, authority.approver_vi, authority.approver_en
    if actor.user is not None:
        require_acting_unit(actor.user, "approve", unit, who_vi, who_en)
    if not reason.strip():
        raise UserError(
            "registry.reason_required", "Cần nêu lý do trả lại hồ sơ.", "Give the reason for returning it."
        )
    with transaction.atomic():
        before = snapshot(dossier, DOSSIER_FIELDS)
        dossier.status = DossierStatus.RETURNED
        dossier.returned_on = on or _today()
        dossier.returned_reason = reason.strip()
        dossier.save()
        audit_record(actor=actor, action="registry.dossier.return", obj=dossier, unit=system.owner_unit,
                     before=before, after=snapshot(dossier, DOSSIER_FIELDS), note=reason.strip())  # fmt: skip
    return dossier


def dossier_record_approval(
    *,
    actor: Actor,
    system: InformationSystem,
    level: int,
    decision_number: str,
    decision_date: date,
    submitted_on: date | None = None,
    legal_basis: str = "",
    source: str = "",
) -> LevelDossier:
    """Record an approval decided before the system was registered here (an imported inventory).

    The regime follows the decision's date; the criteria on record are kept as the approved
    facts, so a later change is flagged. Recording a decision needs the approving role (manager).
    """
    if actor.user is not None:
        registry_require(actor.user, "approve", system.owner_unit)
    _check_level(level)
    if not decision_number.strip():
        raise UserError("registry.decision_number_required", "Cần số quyết định phê duyệt cấp độ.",
                        "The approval needs the decision's number.")  # fmt: skip
    _check_day(decision_date, "Ngày phê duyệt", "approval date", not_before=submitted_on)
    reg = regime_for(submitted_on or decision_date)
    suggestion = suggest_level(system.criteria(), reg)
    with transaction.atomic():
        dossier = LevelDossier.objects.create(
            system=system, regime=reg.code, suggested_level=suggestion.level, suggested_basis=suggestion.basis_vi,
            proposed_level=level, criteria=system.criteria().as_dict(), status=DossierStatus.APPROVED,
            submitted_on=submitted_on, decision_number=decision_number.strip(), decision_date=decision_date,
            approved_by="", source=source,
            legal_basis=legal_basis.strip() or default_legal_basis(reg.code, level, suggestion.matches),
        )  # fmt: skip
        system.approval = dossier
        system.save(update_fields=["approval"])
        registry_figures_changed()
        audit_record(actor=actor, action="registry.dossier.record", obj=dossier, unit=system.owner_unit,
                     after=snapshot(dossier, DOSSIER_FIELDS), note=source)  # fmt: skip
    return dossier
