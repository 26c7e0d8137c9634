"""The daily e-mail digest (Django's test outbox) and the per-unit, per-period figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import parse_period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, Task
from dieuhanh.steering.notify import task_digest_send
from dieuhanh.steering.selectors import task_figures, task_figures_data_values
from dieuhanh.steering.services import (
    TaskSpec,
    extension_decide,
    extension_request,
    progress_report,
    task_create,
    task_occurrences_sync,
)
from dieuhanh.steering.tasks import steering_daily_task
from tests.steering.conftest import at

pytestmark = pytest.mark.django_db
D = date


def _task(
    directive: Directive,
    actor: Actor,
    number: str,
    lead: OrgUnit,
    due: date | None,
    supporting: tuple[OrgUnit, ...] = (),
    recurrence: str = "once",
) -> Task:
    return task_create(
        actor=actor,
        directive=directive,
        today=D(2024, 1, 26),
        spec=TaskSpec(
            content=f"Nhiệm vụ {number}",
            lead=lead,
            supporting=supporting,
            number=number,
            due_on=due,
            recurrence=recurrence,
        ),
    )


def _done(task: Task, actor: Actor, day: date, key: str = "") -> None:
    progress_report(
        actor=actor, occurrence=task.occurrences.get(period_key=key), text="Xong", percent=100, at=at(day)
    )


@pytest.fixture
def users(make_user: Callable[[str, str], User]) -> dict[str, User]:
    made = {
        "syt": make_user(Role.MANAGER, "68-SYT"),
        "skhcn": make_user(Role.OFFICER, "68-SKHCN"),
        "skhcn_noemail": make_user(Role.VIEWER, "68-SKHCN"),
        "tinh": make_user(Role.ADMIN, "68"),
    }
    for key, email in (
        ("syt", "syt@lamdong.gov.vn"),
        ("skhcn", "skhcn@lamdong.gov.vn"),
        ("tinh", "vpub@lamdong.gov.vn"),
    ):
        made[key].email = email
        made[key].save()
    return made


def test_daily_digest_per_unit(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor, users: dict[str, User]
) -> None:
    p = province
    _task(directive, actor, "1", p["68-SYT"], D(2024, 2, 16), supporting=(p["68-SKHCN"],))  # overdue on 20/02
    _task(directive, actor, "2", p["68-SKHCN"], D(2024, 2, 25))  # due in 5 days
    _task(directive, actor, "3", p["24820"], D(2024, 2, 19))  # overdue, but the commune has no e-mail
    _task(directive, actor, "4", p["68-SKHCN"], D(2024, 3, 30))  # not due soon
    _done(_task(directive, actor, "5", p["68-SYT"], D(2024, 2, 18)), actor, D(2024, 2, 17))  # done

    result = task_digest_send(today=D(2024, 2, 20))
    assert result.as_dict() == {
        "day": "2024-02-20",
        "occurrences_opened": 0,
        "sent": 3,
        "recipients": 3,
        "already_sent": 0,
        "units_without_recipients": ["24820"],
    }
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == ["skhcn@lamdong.gov.vn", "syt@lamdong.gov.vn", "vpub@lamdong.gov.vn"]

    syt = by_to["syt@lamdong.gov.vn"]
    assert syt.subject == ("[dieuhanh] Sở Y tế: 1 nhiệm vụ quá hạn, 0 sắp đến hạn / 1 overdue, 0 due soon")
    assert "Chủ trì — quá hạn / Led by your unit — overdue (1)" in syt.body
    assert "[45/KH-UBND, 1] Nhiệm vụ 1" in syt.body
    assert "Hạn / deadline: 16/02/2024 · quá hạn 4 ngày / 4 days overdue · 0%" in syt.body
    assert "/chi-dao/nhiem-vu/" in syt.body and "Nhiệm vụ 5" not in syt.body

    skhcn = by_to["skhcn@lamdong.gov.vn"]
    assert skhcn.subject.endswith("1 nhiệm vụ quá hạn, 1 sắp đến hạn / 1 overdue, 1 due soon")
    assert "Chủ trì — đến hạn trong 7 ngày / Led — due within 7 days (1)" in skhcn.body
    assert "Hạn / deadline: 25/02/2024 · còn 5 ngày / 5 days left" in skhcn.body
    assert "Phối hợp — quá hạn / Supported by your unit — overdue (1)" in skhcn.body
    assert "Nhiệm vụ 4" not in skhcn.body

    tinh = by_to["vpub@lamdong.gov.vn"]
    assert "Do đơn vị giao — quá hạn / Assigned by your unit — overdue (2)" in tinh.body
    assert (
        tinh.subject == "[dieuhanh] Tỉnh Lâm Đồng: 2 nhiệm vụ quá hạn, 0 sắp đến hạn / 2 overdue, 0 due soon"
    )
    assert AuditEntry.objects.filter(action="task.digest_send").count() == 3

    # Once a day: calling the job again sends nothing; --force sends again.
    again = task_digest_send(today=D(2024, 2, 20))
    assert (again.sent, again.already_sent, len(mail.outbox)) == (0, 3, 3)
    out = StringIO()
    call_command("tasks", "digest", "--day", "20/02/2024", "--force", "--json", stdout=out)
    assert json.loads(out.getvalue())["sent"] == 3
    assert len(mail.outbox) == 6


def test_digest_job_opens_recurring_periods(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor, users: dict[str, User]
) -> None:
    task = _task(directive, actor, "1", province["68-SKHCN"], None, recurrence="r09_month")
    out = StringIO()
    call_command("tasks", "digest", "--day", "20/03/2024", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    # R09-2024M03 and M04 opened; M02 (due 25/02) is overdue, M03 (25/03) is due in 5 days.
    assert (payload["occurrences_opened"], payload["sent"]) == (2, 2)
    assert sorted(task.occurrences.values_list("period_key", flat=True)) == [
        "R09-2024M02",
        "R09-2024M03",
        "R09-2024M04",
    ]
    body = next(m.body for m in mail.outbox if m.to == ["skhcn@lamdong.gov.vn"])
    assert "Kỳ / period: R09-2024M02" in body and "Kỳ / period: R09-2024M03" in body
    assert "R09-2024M04" not in body
    # The same job as a django-tasks task, as a worker-based scheduler runs it: already sent today.
    assert steering_daily_task.call("2024-03-20")["already_sent"] == 2


@pytest.fixture
def quarter(directive: Directive, province: dict[str, OrgUnit], actor: Actor) -> None:
    """Tasks due in Q1 2024 and Q2 2024, some done on time, some late, some not."""
    p = province
    _done(_task(directive, actor, "1", p["68-SYT"], D(2024, 2, 16)), actor, D(2024, 2, 17))  # late
    _done(_task(directive, actor, "2", p["68-SYT"], D(2024, 2, 18)), actor, D(2024, 2, 17))  # on time
    _task(directive, actor, "3", p["68-SYT"], D(2024, 3, 31))  # overdue on 10/04
    _done(_task(directive, actor, "4", p["68-SKHCN"], D(2024, 2, 25)), actor, D(2024, 2, 20))  # on time
    _task(directive, actor, "5", p["68-SKHCN"], D(2024, 4, 15))  # Q2
    moved = _task(directive, actor, "6", p["68-SKHCN"], D(2024, 3, 30))  # extended into Q2
    ext = extension_request(
        actor=actor, occurrence=moved.occurrences.get(), until=D(2024, 4, 20), reason="Chờ vốn"
    )
    extension_decide(actor=actor, extension=ext, approve=True)
    monthly = _task(directive, actor, "7", p["24820"], None, recurrence="r09_month")
    task_occurrences_sync(actor=actor, today=D(2024, 4, 10))  # opens R09-2024M03 and M04
    _done(monthly, actor, D(2024, 2, 24), key="R09-2024M02")  # on time; M03 (25/03) overdue; M04 (25/04) Q2


def test_figures_per_unit_and_period(quarter: None) -> None:
    q1 = task_figures(period=parse_period("2024Q1"), today=D(2024, 4, 10))
    rows = {r.unit: (r.assigned, r.done_on_time, r.done_late, r.overdue, r.pending) for r in q1.rows}
    assert rows == {"68-SYT": (3, 1, 1, 1, 0), "68-SKHCN": (1, 1, 0, 0, 0), "24820": (2, 1, 0, 1, 0)}
    total = q1.total
    assert (total.assigned, total.done_on_time, total.done_late, total.overdue) == (6, 3, 1, 2)
    assert str(total.on_time_share) == "50.0"  # 3 on time of 6 due: a share of sums, not of shares

    q2 = task_figures(period=parse_period("2024Q2"), today=D(2024, 4, 10))
    assert {r.unit: (r.assigned, r.pending) for r in q2.rows} == {"68-SKHCN": (2, 2), "24820": (1, 1)}
    assert q2.total.on_time_share is None

    # Decree 09 window R09-2024Q1 runs 15/12/2023–14/03/2024: task 3 (31/03) falls outside.
    r09 = task_figures(period=parse_period("R09-2024Q1"), today=D(2024, 4, 10))
    assert {r.unit: r.assigned for r in r09.rows} == {"68-SYT": 2, "68-SKHCN": 1, "24820": 1}


def test_figures_are_scoped_and_feed_indicators(quarter: None, make_user: Callable[[str, str], User]) -> None:
    commune = make_user(Role.VIEWER, "24820")
    mine = task_figures(period=parse_period("2024Q1"), today=D(2024, 4, 10), user=commune)
    assert [(r.unit, r.assigned) for r in mine.rows] == [("24820", 2)]
    values = task_figures_data_values(period=parse_period("2024Q1"), today=D(2024, 4, 10))
    assert {
        (v["data_element"], v["unit_code"]): v["value"] for v in values if v["unit_code"] == "68-SYT"
    } == {
        ("steering.tasks_assigned", "68-SYT"): 3,
        ("steering.tasks_done_on_time", "68-SYT"): 1,
        ("steering.tasks_done_late", "68-SYT"): 1,
        ("steering.tasks_overdue", "68-SYT"): 1,
    }
    assert {v["period"] for v in values} == {"2024Q1"} and len(values) == 12
