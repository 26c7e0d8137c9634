"""The level dossier's workflow, who may take each step, and the audit rows it leaves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import PermissionDenied, UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import DossierStatus, InformationSystem
from dieuhanh.registry.selectors import dossier_allowed_steps, system_flags
from dieuhanh.registry.services import (
    dossier_appraise,
    dossier_approve,
    dossier_create,
    dossier_record_approval,
    dossier_return,
    dossier_submit,
    dossier_update,
    system_update,
)
from tests.registry.conftest import INTERNAL, PROCEDURES

pytestmark = pytest.mark.django_db
MakeUser = Callable[[str, str], User]
MakeSystem = Callable[..., InformationSystem]


def test_full_workflow_of_a_level_3_system_is_audited(make_user: MakeUser, make_system: MakeSystem) -> None:
    system = make_system("68-DVC", "68", PROCEDURES, name="Hệ thống giải quyết TTHC")
    officer, security, owner = (make_user(Role.OFFICER, "68"), make_user(Role.MANAGER, "68-SKHCN"),
                                make_user(Role.MANAGER, "68"))  # fmt: skip
    dossier = dossier_create(actor=Actor.of(officer), system=system)
    assert (dossier.regime, dossier.suggested_level, dossier.proposed_level) == ("nd331", 3, 3)
    assert dossier.suggested_basis == "điểm b khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP"
    assert dossier_allowed_steps(officer, dossier) == {"edit", "submit"}

    today = timezone.localdate()
    dossier_submit(actor=Actor.of(officer), dossier=dossier, on=today - timedelta(days=10))
    assert dossier_allowed_steps(security, dossier) == {"appraise", "return"}
    assert dossier_allowed_steps(owner, dossier) == set()
    dossier_appraise(
        actor=Actor.of(security), dossier=dossier, opinion="Phù hợp", on=today - timedelta(days=5)
    )
    assert (
        dossier.appraisal_body == "Đơn vị chuyên trách về an ninh mạng của chủ quản: Sở Khoa học và Công nghệ"
    )
    assert dossier_allowed_steps(owner, dossier) == {"approve", "return"}
    dossier_approve(actor=Actor.of(owner), dossier=dossier, decision_number="123/QĐ-UBND",
                    decision_date=today - timedelta(days=1))  # fmt: skip

    system.refresh_from_db()
    assert system.approval == dossier and dossier.status == DossierStatus.APPROVED
    assert dossier.approved_by == "Chủ quản hệ thống thông tin: Tỉnh Lâm Đồng"
    assert dossier.legal_basis == (
        "điểm b khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP; khoản 2 Điều 18 Nghị định số 331/2026/NĐ-CP"
    )
    rows = list(AuditEntry.objects.filter(object_type="registry.leveldossier").order_by("id"))
    assert [(r.action, r.actor_label) for r in rows] == [
        ("registry.dossier.create", "officer-68"),
        ("registry.dossier.submit", "officer-68"),
        ("registry.dossier.appraise", "manager-68-SKHCN"),
        ("registry.dossier.approve", "manager-68"),
    ]
    assert all(r.unit_id == system.owner_unit_id for r in rows)
    assert rows[-1].before["status"] == "appraised" and rows[-1].after["status"] == "approved"
    assert rows[-1].after["decision_number"] == "123/QĐ-UBND"
    assert not system_flags(system).any


def test_dossiers_before_july_2026_follow_decree_85(make_system: MakeSystem, actor: Actor) -> None:
    system = make_system("68-LGSP", "68", {"purpose": "infrastructure", "infra_scope": "sector_province"})
    dossier = dossier_create(actor=actor, system=system, on=date(2023, 9, 15))
    assert (dossier.regime, dossier.proposed_level) == ("nd85", 3)
    assert dossier.suggested_basis == "khoản 3 Điều 9 Nghị định số 85/2016/NĐ-CP"
    dossier_submit(actor=actor, dossier=dossier, on=date(2023, 9, 15))
    dossier_appraise(actor=actor, dossier=dossier, on=date(2023, 10, 12))
    dossier_approve(
        actor=actor, dossier=dossier, decision_number="2315/QĐ-UBND", decision_date=date(2023, 11, 20)
    )
    assert (
        dossier.legal_basis
        == "khoản 3 Điều 9 Nghị định số 85/2016/NĐ-CP; khoản 2 Điều 12 Nghị định số 85/2016/NĐ-CP"
    )


def test_levels_1_and_2_are_approved_by_the_security_unit_only(
    make_user: MakeUser, make_system: MakeSystem
) -> None:
    system = make_system("68-QLVB", "68", INTERNAL)
    officer = make_user(Role.OFFICER, "68")
    dossier = dossier_create(actor=Actor.of(officer), system=system)
    assert dossier.proposed_level == 2
    dossier_submit(actor=Actor.of(officer), dossier=dossier)
    security = make_user(Role.MANAGER, "68-SKHCN")
    dossier_appraise(actor=Actor.of(security), dossier=dossier)
    province_admin = make_user(Role.ADMIN, "68")
    with pytest.raises(PermissionDenied) as err:
        dossier_approve(actor=Actor.of(province_admin), dossier=dossier, decision_number="1/QĐ-SKHCN",
                        decision_date=timezone.localdate())  # fmt: skip
    assert err.value.code == "registry.not_acting_unit"
    assert "Sở Khoa học và Công nghệ" in err.value.message_vi
    dossier_approve(actor=Actor.of(security), dossier=dossier, decision_number="1/QĐ-SKHCN",
                    decision_date=timezone.localdate())  # fmt: skip
    assert dossier.legal_basis.endswith("khoản 1 Điều 18 Nghị định số 331/2026/NĐ-CP")


def test_level_4_needs_the_ministrys_appraisal_reference(make_system: MakeSystem, actor: Actor) -> None:
    system = make_system("68-SEC", "68", {"purpose": "internal", "classified_harm": "serious"})
    dossier = dossier_create(actor=actor, system=system)
    dossier_submit(actor=actor, dossier=dossier)
    with pytest.raises(UserError) as err:
        dossier_appraise(actor=actor, dossier=dossier)
    assert err.value.code == "registry.appraisal_reference_required"
    assert "Bộ Công an" in err.value.message_vi
    dossier_appraise(actor=actor, dossier=dossier, reference="45/BCA-A05")
    assert dossier.appraisal_body.startswith("Bộ Công an") and dossier.appraisal_reference == "45/BCA-A05"


def test_choosing_another_level_needs_a_reason_and_is_audited(
    make_user: MakeUser, make_system: MakeSystem
) -> None:
    system = make_system("68-DVC", "68", PROCEDURES)
    officer = make_user(Role.OFFICER, "68")
    with pytest.raises(UserError) as err:
        dossier_create(actor=Actor.of(officer), system=system, proposed_level=4)
    assert err.value.code == "registry.override_reason_required"
    assert "điểm b khoản 2 Điều 13" in err.value.message_vi and "Art. 13(2)(b)" in err.value.message_en
    assert not system.dossiers.exists()

    dossier = dossier_create(actor=Actor.of(officer), system=system, proposed_level=4,
                             override_reason="Kết nối CSDL quốc gia về dân cư, rủi ro cao")  # fmt: skip
    assert (dossier.suggested_level, dossier.proposed_level) == (3, 4)
    override = AuditEntry.objects.get(action="registry.dossier.override")
    assert override.actor_label == "officer-68"
    assert override.before == {"level": 3, "basis": "điểm b khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP"}
    assert override.after == {"level": 4, "reason": "Kết nối CSDL quốc gia về dân cư, rủi ro cao"}
    # Back to the suggested level: the reason is dropped; no second override row.
    dossier_update(actor=Actor.of(officer), dossier=dossier, proposed_level=3)
    assert (
        dossier.override_reason == ""
        and AuditEntry.objects.filter(action="registry.dossier.override").count() == 1
    )


def test_returned_dossier_is_reworked_and_resubmitted(make_user: MakeUser, make_system: MakeSystem) -> None:
    system = make_system("68-DVC", "68", PROCEDURES)
    officer, security = make_user(Role.OFFICER, "68"), make_user(Role.MANAGER, "68-SKHCN")
    dossier = dossier_create(actor=Actor.of(officer), system=system)
    dossier_submit(actor=Actor.of(officer), dossier=dossier)
    with pytest.raises(UserError) as err:
        dossier_return(actor=Actor.of(security), dossier=dossier, reason=" ")
    assert err.value.code == "registry.reason_required"
    dossier_return(actor=Actor.of(security), dossier=dossier, reason="Thiếu thuyết minh phương án")
    assert (
        dossier.status == DossierStatus.RETURNED and dossier.returned_reason == "Thiếu thuyết minh phương án"
    )
    with pytest.raises(UserError) as state:
        dossier_appraise(actor=Actor.of(security), dossier=dossier)
    assert state.value.code == "registry.dossier_state"
    dossier_submit(actor=Actor.of(officer), dossier=dossier)
    assert dossier.status == DossierStatus.SUBMITTED and dossier.returned_reason == ""
    actions = list(
        AuditEntry.objects.filter(object_type="registry.leveldossier").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(["registry.dossier.create", "registry.dossier.submit",
                                      "registry.dossier.return", "registry.dossier.submit"])  # fmt: skip


def test_approval_dates_and_decision_number_are_checked(make_system: MakeSystem, actor: Actor) -> None:
    system = make_system("68-DVC", "68", PROCEDURES)
    dossier = dossier_create(actor=actor, system=system)
    today = timezone.localdate()
    dossier_submit(actor=actor, dossier=dossier, on=today - timedelta(days=3))
    dossier_appraise(actor=actor, dossier=dossier)
    cases = [("", today, "registry.decision_number_required"),
             ("9/QĐ-UBND", today + timedelta(days=1), "registry.date_in_future"),
             ("9/QĐ-UBND", today - timedelta(days=4), "registry.date_before_submission")]  # fmt: skip
    for number, day, code in cases:
        with pytest.raises(UserError) as err:
            dossier_approve(actor=actor, dossier=dossier, decision_number=number, decision_date=day)
        assert err.value.code == code
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.APPRAISED


def test_one_open_dossier_at_a_time(make_system: MakeSystem, actor: Actor) -> None:
    system = make_system("68-DVC", "68", PROCEDURES)
    dossier_create(actor=actor, system=system)
    with pytest.raises(UserError) as err:
        dossier_create(actor=actor, system=system)
    assert err.value.code == "registry.dossier_open"


def test_facts_changed_after_approval_are_flagged(make_system: MakeSystem, actor: Actor) -> None:
    system = make_system("68-CONG", "68", {"purpose": "citizens", "online_service_level": "up_to_2"})
    dossier_record_approval(actor=actor, system=system, level=2, decision_number="316/QĐ-STTTT",
                            decision_date=date(2023, 9, 28))  # fmt: skip
    assert not system_flags(system).any
    system_update(actor=actor, system=system, changes={"handles_procedures": True})
    flags = system_flags(system)
    assert flags.facts_changed and flags.changed_fields == ("handles_procedures",)
    entry = AuditEntry.objects.filter(action="registry.system.update").get()
    assert entry.before["handles_procedures"] is False and entry.after["handles_procedures"] is True
    assert "criteria changed after approval" in entry.note
    # A new dossier is opened under today's regime (ND 331) and suggests level 3.
    assert dossier_create(actor=actor, system=system).proposed_level == 3


def test_a_system_without_an_approved_level_is_flagged(make_system: MakeSystem) -> None:
    assert system_flags(make_system("X", "24820", INTERNAL)).unapproved
    retired = make_system("Y", "24820", INTERNAL, status="retired")
    assert not system_flags(retired).unapproved


def test_no_op_update_writes_no_audit_row(
    make_system: MakeSystem, actor: Actor, units: dict[str, OrgUnit]
) -> None:
    system = make_system("68-QLVB", "68", INTERNAL)
    before = AuditEntry.objects.count()
    assert system_update(actor=actor, system=system, changes={"personal_data": True}) is False
    assert AuditEntry.objects.count() == before
