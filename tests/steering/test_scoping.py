"""Scoping for every role: a unit sees the tasks it leads, supports or issued, and its subtree's;
the lead unit reports; only the issuing level edits the task and decides extensions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import PermissionDenied
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, Task
from dieuhanh.steering.selectors import directives_visible, tasks_visible
from dieuhanh.steering.services import (
    TaskSpec,
    directive_create,
    extension_decide,
    extension_request,
    progress_report,
    task_create,
    task_update,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROLES = [Role.VIEWER, Role.OFFICER, Role.MANAGER, Role.ADMIN]
FAR = date(2099, 12, 31)  # never due while these tests run


@pytest.fixture
def tasks(province: dict[str, OrgUnit], actor: Actor, directive: Directive) -> dict[str, Task]:
    """A: the province assigns Sở Y tế, supported by Xã Lạc Dương. B: Sở KH&CN (a department) assigns
    Xã Đạ Tẻh, a commune outside its own subtree."""
    p = province
    dept = directive_create(
        actor=actor, number="88/STTTT-CĐS", issued_on=date(2024, 3, 1), issuer=p["68-SKHCN"]
    )
    return {
        "A": task_create(
            actor=actor,
            directive=directive,
            spec=TaskSpec(
                content="Hoàn thành trung tâm IOC của ngành y tế",
                lead=p["68-SYT"],
                supporting=(p["24820"],),
                number="1",
                due_on=FAR,
            ),
        ),
        "B": task_create(
            actor=actor,
            directive=dept,
            spec=TaskSpec(
                content="Đăng ký tiến độ xây dựng IOC cấp xã", lead=p["25270"], number="1", due_on=FAR
            ),
        ),
    }


# unit → (tasks seen, tasks it may report on (officer+), tasks it may edit (manager+)): written by hand.
EXPECTED = {
    "68": ({"A", "B"}, {"A", "B"}, {"A", "B"}),  # the province: everything in its subtree
    "68-SYT": ({"A"}, {"A"}, set()),  # leads A, did not issue it
    "24820": ({"A"}, set(), set()),  # supports A: sees it, does not report
    "68-SKHCN": ({"B"}, set(), {"B"}),  # issued B for a commune outside its subtree
    "25270": ({"B"}, {"B"}, set()),  # leads B
    "24781": (set(), set(), set()),  # an unrelated ward
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_role_sees_reports_and_edits_what_its_unit_may(
    role: str,
    code: str,
    tasks: dict[str, Task],
    make_user: Callable[[str, str], User],
    province: dict[str, OrgUnit],
) -> None:
    seen, report, edit = EXPECTED[code]
    if role == Role.VIEWER:
        report, edit = set(), set()
    elif role == Role.OFFICER:
        edit = set()
    user = make_user(role, code)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    name = {t.pk: k for k, t in tasks.items()}

    assert {name[t.pk] for t in tasks_visible(user=user)} == seen
    assert {d.number for d in directives_visible(user=user)} == {tasks[k].directive.number for k in seen}
    for key, task in tasks.items():
        page = client.get(f"/chi-dao/nhiem-vu/{task.pk}/")
        api = client.get(f"/api/v1/tasks/{task.pk}")
        assert (page.status_code, api.status_code) == ((200, 200) if key in seen else (404, 404))
    listed = client.get("/api/v1/tasks").json()["items"]
    assert {name[x["task_id"]] for x in listed} == seen
    assert client.get(f"/chi-dao/van-ban/{tasks['A'].directive_id}/").status_code == (
        200 if "A" in seen else 404
    )

    actor = Actor.of(user)
    for key, task in tasks.items():
        occ = task.occurrences.get()
        if key in report:
            progress_report(actor=actor, occurrence=occ, text="Đang làm", percent=10)
            extension_request(actor=actor, occurrence=occ, until=date(2100, 1, 31), reason="Thiếu kinh phí")
        else:
            with pytest.raises(PermissionDenied):
                progress_report(actor=actor, occurrence=occ, text="Đang làm", percent=10)
            if key in seen:  # the page says 403, the API too
                response = client.post(f"/chi-dao/ky/{occ.pk}/bao-cao/", {"text": "x", "percent": 5})
                assert response.status_code == 403
                api = client.post(f"/api/v1/tasks/occurrences/{occ.pk}/reports", {"text": "x", "percent": 5})
                assert api.status_code == 403 and api.json()["error"]["code"] in {"auth.role", "auth.scope"}
        spec = TaskSpec(content=task.content + " (sửa)", lead=task.lead_unit, number="1", due_on=FAR)
        if key in edit:
            assert task_update(actor=actor, task=task, spec=spec) is True
        else:
            with pytest.raises(PermissionDenied):
                task_update(actor=actor, task=task, spec=spec)
            if key in seen:
                assert client.get(f"/chi-dao/nhiem-vu/{task.pk}/sua/").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_only_the_issuing_level_decides_extensions(
    role: str, tasks: dict[str, Task], make_user: Callable[[str, str], User], actor: Actor
) -> None:
    occ = tasks["A"].occurrences.get()
    ext = extension_request(
        actor=actor, occurrence=occ, until=date(2100, 6, 30), reason="Chờ phê duyệt dự án"
    )
    lead = make_user(role, "68-SYT")
    with pytest.raises(PermissionDenied):  # the lead unit never decides its own request
        extension_decide(actor=Actor.of(lead), extension=ext, approve=True)
    issuer = make_user(role, "68")
    if role in (Role.VIEWER, Role.OFFICER):
        with pytest.raises(PermissionDenied):
            extension_decide(actor=Actor.of(issuer), extension=ext, approve=True)
    else:
        extension_decide(actor=Actor.of(issuer), extension=ext, approve=True)
        occ.refresh_from_db()
        assert occ.deadline == date(2100, 6, 30)


def test_only_managers_of_the_issuer_register_directives(
    make_user: Callable[[str, str], User], province: dict[str, OrgUnit]
) -> None:
    officer = make_user(Role.OFFICER, "68")
    with pytest.raises(PermissionDenied):
        directive_create(
            actor=Actor.of(officer), number="1/KH-UBND", issued_on=date(2024, 1, 2), issuer=province["68"]
        )
    manager = make_user(Role.MANAGER, "68-SYT")
    with pytest.raises(PermissionDenied):  # not its level
        directive_create(
            actor=Actor.of(manager), number="1/KH-UBND", issued_on=date(2024, 1, 2), issuer=province["68"]
        )
    created = directive_create(
        actor=Actor.of(manager), number="5/KH-SYT", issued_on=date(2024, 1, 2), issuer=province["68-SYT"]
    )
    assert created.issuer.code == "68-SYT"
