"""Scoping: every role sees and edits only its unit's subtree, through pages, the API and the admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.scoping import in_scope, require, restrict
from dieuhanh.accounts.services import user_create, user_update
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import PermissionDenied
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = [Role.VIEWER, Role.OFFICER, Role.MANAGER, Role.ADMIN]
STRONG = "Mat-khau-du-manh-2026"


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_commune_user_never_sees_another_commune(role: str, make_user: Callable[[str, str], User]) -> None:
    user = make_user(role, "24820")
    client = _client(user)

    # Queryset restriction, the one mechanism behind every page.
    codes = set(restrict(OrgUnit.objects.all(), user, unit_field="self").values_list("code", flat=True))
    assert codes == {"24820"}

    # Pages: the list shows only the commune; another commune and the province answer 404.
    page = client.get("/don-vi/?show=all")
    assert page.status_code == 200
    assert "Xã Lạc Dương" in page.content.decode() and "Xã Đạ Tẻh" not in page.content.decode()
    assert client.get("/don-vi/24820/").status_code == 200
    assert client.get("/don-vi/25270/").status_code == 404
    assert client.get("/don-vi/68/").status_code == 404

    # API: the same.
    listed = client.get("/api/v1/units").json()
    assert [u["code"] for u in listed] == ["24820"]
    assert client.get("/api/v1/units/25270").status_code == 404
    assert client.get("/api/v1/units/24820").json()["name"] == "Xã Lạc Dương"


@pytest.mark.parametrize("role", ROLES)
def test_province_user_sees_the_whole_province(role: str, make_user: Callable[[str, str], User]) -> None:
    client = _client(make_user(role, "68"))
    assert len(client.get("/api/v1/units").json()) == 6
    assert client.get("/don-vi/25270/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_department_user_sees_only_the_department(role: str, make_user: Callable[[str, str], User]) -> None:
    client = _client(make_user(role, "68-SKHCN"))
    assert [u["code"] for u in client.get("/api/v1/units").json()] == ["68-SKHCN"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.VIEWER, set()), (Role.OFFICER, {"submit"}), (Role.MANAGER, {"submit", "approve"}),
     (Role.ADMIN, {"submit", "approve", "administer"})],
)  # fmt: skip
def test_role_rights(role: str, allowed: set[str], make_user: Callable[[str, str], User]) -> None:
    user = make_user(role, "24820")
    assert user.can("view")
    assert {a for a in ("submit", "approve", "administer") if user.can(a)} == allowed
    user.is_active = False
    assert not user.can("view")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER, Role.MANAGER])
def test_only_administrators_create_accounts(role: str, make_user: Callable[[str, str], User],
                                             province: dict[str, OrgUnit]) -> None:  # fmt: skip
    user = make_user(role, "68")
    with pytest.raises(PermissionDenied) as err:
        user_create(
            actor=Actor.of(user), username="x", unit=province["24820"], role=Role.VIEWER, password=STRONG
        )
    assert err.value.code == "auth.role"
    assert not User.objects.filter(username="x").exists()


def test_commune_admin_cannot_create_accounts_elsewhere(make_user: Callable[[str, str], User],
                                                        province: dict[str, OrgUnit]) -> None:  # fmt: skip
    admin = make_user(Role.ADMIN, "24820")
    created = user_create(actor=Actor.of(admin), username="ok", unit=province["24820"], role=Role.OFFICER,
                          password=STRONG)  # fmt: skip
    assert created.unit == province["24820"]
    with pytest.raises(PermissionDenied) as err:
        user_create(
            actor=Actor.of(admin), username="no", unit=province["25270"], role=Role.OFFICER, password=STRONG
        )
    assert err.value.code == "auth.scope"
    # Nor move one of its users out of its subtree.
    with pytest.raises(PermissionDenied):
        user_update(actor=Actor.of(admin), user=created, unit=province["68"])
    created.refresh_from_db()
    assert created.unit == province["24820"]


def test_require_checks_role_and_scope(
    make_user: Callable[[str, str], User], province: dict[str, OrgUnit]
) -> None:
    manager = make_user(Role.MANAGER, "68-SYT")
    require(manager, "approve", province["68-SYT"])
    with pytest.raises(PermissionDenied):
        require(manager, "approve", province["68-SKHCN"])
    with pytest.raises(PermissionDenied):
        require(manager, "administer", province["68-SYT"])
    assert not in_scope(manager, None)


def test_user_without_unit_sees_nothing(db: None, province: dict[str, OrgUnit]) -> None:
    user = User.objects.create_user("lonely", password=PASSWORD, role=Role.ADMIN)
    client = _client(user)
    assert client.get("/api/v1/units").json() == []
    assert client.get("/api/v1/audit").json()["items"] == []
    assert client.get("/don-vi/68/").status_code == 404


def test_audit_log_is_scoped(make_user: Callable[[str, str], User]) -> None:
    # The fixture's import wrote one audit row per unit.
    client = _client(make_user(Role.VIEWER, "24820"))
    items = client.get("/api/v1/audit").json()["items"]
    assert {i["unit"] for i in items} == {"24820"}
    page = client.get("/nhat-ky/").content.decode()
    assert "Xã Lạc Dương" in page and "Xã Đạ Tẻh" not in page
    assert AuditEntry.objects.filter(unit__code="25270").exists()


@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 302), (Role.OFFICER, 302), (Role.MANAGER, 200),
                                              (Role.ADMIN, 200)])  # fmt: skip
def test_back_office_is_restricted_like_the_rest(
    role: str, status: int, make_user: Callable[[str, str], User]
) -> None:
    user = make_user(role, "24820")
    make_user(Role.VIEWER, "25270")
    client = _client(user)
    response = client.get("/quan-tri/accounts/user/")
    if role in (Role.VIEWER, Role.OFFICER):
        # Not staff: Django's admin sends them to its login page.
        assert response.status_code == status
        return
    assert response.status_code == status
    body = response.content.decode()
    assert user.username in body and "viewer-25270" not in body
    units = client.get("/quan-tri/orgunits/orgunit/").content.decode()
    assert "24820" in units and "25270" not in units
    other = User.objects.get(username="viewer-25270")
    assert client.get(f"/quan-tri/accounts/user/{other.pk}/change/").status_code in (302, 404)
