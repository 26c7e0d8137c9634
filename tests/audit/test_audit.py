"""The audit log: every service writes its row in the same transaction; the log can be read."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.services import user_create, user_set_password, user_update
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor, audit_record
from dieuhanh.orgunits.models import Kind, OrgUnit
from dieuhanh.orgunits.services import LineageSpec, UnitSpec, orgunit_import
from tests.conftest import PASSWORD, REFORM

pytestmark = pytest.mark.django_db
STRONG = "Mat-khau-du-manh-2026"


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_orgunit_import_audits_creates_updates_and_lineage(
    actor: Actor, province: dict[str, OrgUnit]
) -> None:
    entry = AuditEntry.objects.get(action="orgunit.create", object_id=str(province["24820"].pk))
    assert entry.actor_label == "test" and entry.actor is None
    assert entry.after["code"] == "24820" and entry.before is None and entry.unit == province["24820"]

    orgunit_import(actor=actor, units=[UnitSpec("24820", "Xã Lạc Dương (mới)", Kind.COMMUNE, "68", REFORM)],
                   source="test")  # fmt: skip
    upd = _last("orgunit.update")
    assert upd.changed_fields() == ["name"]
    assert (upd.before["name"], upd.after["name"]) == ("Xã Lạc Dương", "Xã Lạc Dương (mới)")

    orgunit_import(actor=actor, units=[UnitSpec("24823", "Thị trấn cũ", Kind.COMMUNE, "68", valid_to=REFORM)],
                   lineage=[LineageSpec("24823", "24820", Decimal(1), REFORM)], source="t")  # fmt: skip
    lin = _last("orgunit.lineage_create")
    assert lin.unit.code == "24820" and lin.after["share"] == "1"  # type: ignore[union-attr]
    assert lin.object_repr == "24823 → 24820 (1)"


def test_user_services_are_audited(
    make_user: Callable[[str, str], User], province: dict[str, OrgUnit]
) -> None:
    admin = make_user(Role.ADMIN, "68")
    actor = Actor.of(admin)
    user = user_create(
        actor=actor, username="canbo", unit=province["24820"], role=Role.OFFICER, password=STRONG
    )
    created = _last("user.create")
    assert created.actor == admin and created.actor_label == admin.username
    assert created.after["role"] == "officer" and "password" not in created.after

    user_update(actor=actor, user=user, role=Role.MANAGER)
    updated = _last("user.update")
    assert updated.changed_fields() == ["is_staff", "role"]

    user_set_password(actor=actor, user=user, password="Mot-mat-khau-khac-2026")
    changed = _last("user.set_password")
    assert changed.object_id == str(user.pk) and changed.before is None and changed.after is None


def test_a_no_op_update_writes_nothing(make_user: Callable[[str, str], User]) -> None:
    admin = make_user(Role.ADMIN, "68")
    target = make_user(Role.VIEWER, "24820")
    before = AuditEntry.objects.count()
    user_update(actor=Actor.of(admin), user=target, role=Role.VIEWER)
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused(province: dict[str, OrgUnit]) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=Actor.system("x"), action="x.y", obj=province["68"])


def test_write_and_audit_roll_back_together(actor: Actor, province: dict[str, OrgUnit]) -> None:
    before = (OrgUnit.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        orgunit_import(actor=actor, units=[UnitSpec("99", "Sở X", Kind.DEPARTMENT, "68")], source="t")
        _ = 1 / 0  # the surrounding work fails after the service returned
    assert (OrgUnit.objects.count(), AuditEntry.objects.count()) == before


def test_weak_password_refused_and_nothing_written(province: dict[str, OrgUnit]) -> None:
    before = AuditEntry.objects.count()
    from dieuhanh.core.errors import UserError

    with pytest.raises(UserError) as err:
        user_create(
            actor=Actor.system("cli"), username="u", unit=province["68"], role=Role.VIEWER, password="123"
        )
    assert err.value.code == "user.weak_password"
    assert AuditEntry.objects.count() == before and not User.objects.filter(username="u").exists()


def test_audit_page_and_api_filters(
    make_user: Callable[[str, str], User], province: dict[str, OrgUnit]
) -> None:
    admin = make_user(Role.ADMIN, "68")
    user_create(
        actor=Actor.of(admin), username="canbo", unit=province["24820"], role=Role.OFFICER, password=STRONG
    )
    client = Client()
    assert client.login(username=admin.username, password=PASSWORD)
    items = client.get("/api/v1/audit?action=user.").json()["items"]
    assert [(i["action"], i["actor"], i["object"]) for i in items] == [
        ("user.create", admin.username, "canbo")
    ]
    assert client.get("/api/v1/audit?actor=nobody").json()["count"] == 0
    everything = client.get("/api/v1/audit?limit=100").json()
    assert everything["count"] == AuditEntry.objects.count()
    page = client.get("/nhat-ky/?action=user.").content.decode()
    assert "user.create" in page and "orgunit.create" not in page
