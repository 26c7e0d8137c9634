"""Scoping for each role: a unit sees and edits its subtree's systems, the Department keeping the
registry sees all, and only the approving level approves — through services, pages and the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import PermissionDenied
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.levels import Criteria
from dieuhanh.registry.models import InformationSystem
from dieuhanh.registry.selectors import systems_visible
from dieuhanh.registry.services import (
    dossier_appraise,
    dossier_approve,
    dossier_create,
    dossier_submit,
    system_create,
    system_update,
)
from tests.registry.conftest import INTERNAL, PROCEDURES

pytestmark = pytest.mark.django_db
ROLES = [Role.VIEWER, Role.OFFICER, Role.MANAGER, Role.ADMIN]
MakeUser = Callable[[str, str], User]
MakeSystem = Callable[..., InformationSystem]


@pytest.fixture
def systems(make_system: MakeSystem) -> dict[str, InformationSystem]:
    return {
        "68": make_system("68-DVC", "68", PROCEDURES, name="Cổng Dịch vụ công tỉnh"),
        "68-SYT": make_system("68-SYT-HSSK", "68-SYT", INTERNAL, name="Hồ sơ sức khỏe"),
        "24820": make_system("24820-IOC", "24820", INTERNAL, name="IOC xã Lạc Dương"),
        "25270": make_system("25270-QLVB", "25270", INTERNAL, name="Văn bản xã Đạ Tẻh"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_a_commune_sees_only_its_subtree(role: str, make_user: MakeUser, systems: dict[str, InformationSystem],
                                         login: Callable[[User], Client]) -> None:  # fmt: skip
    user = make_user(role, "24820")
    assert {s.code for s in systems_visible(user=user)} == {"24820-IOC"}
    client = login(user)
    page = client.get("/chinh-quyen-so/he-thong/").content.decode()
    assert "IOC xã Lạc Dương" in page and "Văn bản xã Đạ Tẻh" not in page and "Cổng Dịch vụ công" not in page
    assert client.get("/chinh-quyen-so/he-thong/24820-IOC/").status_code == 200
    assert client.get("/chinh-quyen-so/he-thong/25270-QLVB/").status_code == 404
    assert client.get("/chinh-quyen-so/he-thong/68-DVC/").status_code == 404
    assert [s["code"] for s in client.get("/api/v1/registry/systems").json()] == ["24820-IOC"]
    assert client.get("/api/v1/registry/systems/25270-QLVB").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_department_keeping_the_registry_sees_all(role: str, make_user: MakeUser,
                                                      systems: dict[str, InformationSystem],
                                                      login: Callable[[User], Client]) -> None:  # fmt: skip
    keeper = make_user(role, "68-SKHCN")
    assert {s.code for s in systems_visible(user=keeper)} == {
        "68-DVC",
        "68-SYT-HSSK",
        "24820-IOC",
        "25270-QLVB",
    }
    assert login(keeper).get("/chinh-quyen-so/he-thong/25270-QLVB/").status_code == 200
    # Another department sees its own only.
    health = make_user(role, "68-SYT")
    assert {s.code for s in systems_visible(user=health)} == {"68-SYT-HSSK"}


@pytest.mark.parametrize(("role", "may_edit"), [(Role.VIEWER, False), (Role.OFFICER, True), (Role.MANAGER, True),
                                                (Role.ADMIN, True)])  # fmt: skip
def test_editing_needs_the_officer_role_in_scope(role: str, may_edit: bool, make_user: MakeUser,
                                                 units: dict[str, OrgUnit],
                                                 systems: dict[str, InformationSystem]) -> None:  # fmt: skip
    user = make_user(role, "24820")
    actor = Actor.of(user)
    if may_edit:
        created = system_create(actor=actor, name="Camera xã", owner_unit=units["24820"], criteria=Criteria())
        assert created.code == "24820-HT01"
        assert system_update(actor=actor, system=systems["24820"], changes={"description": "IOC cấp xã"})
    else:
        with pytest.raises(PermissionDenied) as err:
            system_create(actor=actor, name="Camera xã", owner_unit=units["24820"])
        assert err.value.code == "auth.role"
    with pytest.raises(PermissionDenied) as scope:
        system_create(actor=actor, name="Không được", owner_unit=units["25270"])
    assert scope.value.code == ("auth.scope" if may_edit else "auth.role")
    with pytest.raises(PermissionDenied):
        dossier_create(actor=actor, system=systems["25270"])


@pytest.mark.parametrize(
    ("role", "unit", "allowed"),
    [(Role.MANAGER, "68", True), (Role.ADMIN, "68", True), (Role.OFFICER, "68", False), (Role.VIEWER, "68", False),
     (Role.MANAGER, "68-SKHCN", False), (Role.MANAGER, "68-SYT", False), (Role.ADMIN, "24820", False)],
)  # fmt: skip
def test_only_the_approving_level_approves_level_3(role: str, unit: str, allowed: bool, make_user: MakeUser,
                                                   systems: dict[str, InformationSystem]) -> None:  # fmt: skip
    actor = Actor.system("test")
    dossier = dossier_create(actor=actor, system=systems["68"])
    dossier_submit(actor=actor, dossier=dossier)
    dossier_appraise(actor=actor, dossier=dossier)
    user = make_user(role, unit)
    approve = lambda: dossier_approve(actor=Actor.of(user), dossier=dossier, decision_number="7/QĐ-UBND",  # noqa: E731
                                      decision_date=timezone.localdate())  # fmt: skip
    if allowed:
        approve()
        assert dossier.status == "approved"
    else:
        with pytest.raises(PermissionDenied):
            approve()


@pytest.mark.parametrize(
    ("role", "unit", "allowed"),
    [(Role.MANAGER, "68-SKHCN", True), (Role.VIEWER, "68-SKHCN", False), (Role.MANAGER, "68", False),
     (Role.MANAGER, "68-SYT", False)],
)  # fmt: skip
def test_only_the_security_unit_appraises(role: str, unit: str, allowed: bool, make_user: MakeUser,
                                          systems: dict[str, InformationSystem]) -> None:  # fmt: skip
    actor = Actor.system("test")
    dossier = dossier_create(actor=actor, system=systems["68-SYT"])
    dossier_submit(actor=actor, dossier=dossier)
    user = make_user(role, unit)
    if allowed:
        dossier_appraise(actor=Actor.of(user), dossier=dossier)
        assert dossier.status == "appraised"
    else:
        with pytest.raises(PermissionDenied):
            dossier_appraise(actor=Actor.of(user), dossier=dossier)


def test_a_commune_approves_its_own_level_3_system(make_user: MakeUser, make_system: MakeSystem) -> None:
    """Level 3 is approved by the owner: here the commune, after the province's security unit appraised."""
    system = make_system("24820-DVC", "24820", PROCEDURES)
    officer, manager = make_user(Role.OFFICER, "24820"), make_user(Role.MANAGER, "24820")
    dossier = dossier_create(actor=Actor.of(officer), system=system)
    dossier_submit(actor=Actor.of(officer), dossier=dossier)
    with pytest.raises(PermissionDenied):
        dossier_appraise(actor=Actor.of(manager), dossier=dossier)
    dossier_appraise(actor=Actor.of(make_user(Role.MANAGER, "68-SKHCN")), dossier=dossier)
    dossier_approve(actor=Actor.of(manager), dossier=dossier, decision_number="5/QĐ-UBND",
                    decision_date=timezone.localdate())  # fmt: skip
    assert dossier.approved_by == "Chủ quản hệ thống thông tin: Xã Lạc Dương"


def test_api_workflow_answers_403_for_the_wrong_unit(make_user: MakeUser, systems: dict[str, InformationSystem],
                                                      login: Callable[[User], Client]) -> None:  # fmt: skip
    officer = login(make_user(Role.OFFICER, "68"))
    created = officer.post("/api/v1/registry/systems/68-DVC/dossiers", {}, content_type="application/json")
    assert created.status_code == 201 and created.json()["proposed_level"] == 3
    pk = created.json()["id"]
    assert (
        officer.post(
            f"/api/v1/registry/dossiers/{pk}/submit", {}, content_type="application/json"
        ).status_code
        == 200
    )
    denied = officer.post(f"/api/v1/registry/dossiers/{pk}/appraise", {}, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "auth.role"
    security = login(make_user(Role.MANAGER, "68-SKHCN"))
    assert security.post(f"/api/v1/registry/dossiers/{pk}/appraise", {"opinion": "Đạt"},
                         content_type="application/json").status_code == 200  # fmt: skip
    payload = {"decision_number": "12/QĐ-UBND", "decision_date": timezone.localdate().isoformat()}
    wrong = security.post(f"/api/v1/registry/dossiers/{pk}/approve", payload, content_type="application/json")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "registry.not_acting_unit"
    owner = login(make_user(Role.MANAGER, "68"))
    ok = owner.post(f"/api/v1/registry/dossiers/{pk}/approve", payload, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    listed = owner.get("/api/v1/registry/systems?unit=68").json()
    dvc = next(s for s in listed if s["code"] == "68-DVC")
    assert (dvc["level"], dvc["approval_status"], dvc["decision_number"]) == (3, "approved", "12/QĐ-UBND")
    # A commune's user cannot reach another unit's dossier at all.
    commune = login(make_user(Role.ADMIN, "25270"))
    assert commune.post(f"/api/v1/registry/dossiers/{pk}/return", {"reason": "x"},
                        content_type="application/json").status_code == 404  # fmt: skip
