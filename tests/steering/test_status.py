"""Status rules: dates and reports decide; extensions move the deadline; recurring tasks have one
status per period. Every date is written by hand; no clock is read."""

from __future__ import annotations

from datetime import date

import pytest

from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.core.periods import parse_period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, ExtensionState, Occurrence
from dieuhanh.steering.schedule import due_in_period, status_of
from dieuhanh.steering.services import (
    TaskSpec,
    extension_decide,
    extension_request,
    progress_report,
    task_create,
    task_occurrences_sync,
    task_update,
)
from tests.steering.conftest import at

pytestmark = pytest.mark.django_db

D = date


@pytest.mark.parametrize(
    ("done_on", "reported", "today", "expected"),
    [
        (None, False, D(2023, 11, 29), "not_started"),
        (None, True, D(2023, 11, 29), "in_progress"),
        (None, True, D(2023, 11, 30), "in_progress"),  # the deadline day itself is still on time
        (None, False, D(2023, 12, 1), "overdue"),
        (None, True, D(2023, 12, 1), "overdue"),
        (D(2023, 11, 30), True, D(2024, 5, 1), "done_on_time"),
        (D(2023, 12, 1), True, D(2024, 5, 1), "done_late"),
        (D(2023, 11, 2), True, D(2023, 11, 3), "done_on_time"),
    ],
)
def test_status_rules(done_on: date | None, reported: bool, today: date, expected: str) -> None:
    assert status_of(deadline=D(2023, 11, 30), done_on=done_on, reported=reported, today=today) == expected


def test_due_dates_of_periods() -> None:
    assert due_in_period("r09_month", parse_period("R09-2024M02"), None) == D(2024, 2, 25)
    assert due_in_period("r09_quarter", parse_period("R09-2024Q1"), None) == D(2024, 3, 25)
    assert due_in_period("month", parse_period("2024M02"), None) == D(2024, 2, 29)
    assert due_in_period("month", parse_period("2024M02"), 31) == D(2024, 2, 29)
    assert due_in_period("quarter", parse_period("2024Q2"), 20) == D(2024, 6, 20)
    assert due_in_period("year", parse_period("2024"), None) == D(2024, 12, 31)


def _one_off(directive: Directive, province: dict[str, OrgUnit], actor: Actor, due: date) -> Occurrence:
    task = task_create(
        actor=actor,
        directive=directive,
        today=D(2024, 1, 26),
        spec=TaskSpec(
            content="Ban hành kế hoạch chuyển đổi số năm 2024 của đơn vị",
            lead=province["68-SYT"],
            supporting=(province["68-SKHCN"],),
            number="1",
            due_on=due,
            expected_product="Kế hoạch",
        ),
    )
    return task.occurrences.get()


def test_one_off_task_from_not_started_to_done_on_time(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    occ = _one_off(directive, province, actor, D(2024, 2, 16))
    assert (occ.period_key, occ.due_on, occ.deadline) == ("", D(2024, 2, 16), D(2024, 2, 16))
    assert occ.status_on(D(2024, 2, 1)) == "not_started"
    progress_report(actor=actor, occurrence=occ, text="Đang dự thảo", percent=40, at=at(D(2024, 2, 5)))
    occ.refresh_from_db()
    assert (occ.percent, occ.done_on, occ.status_on(D(2024, 2, 6))) == (40, None, "in_progress")
    progress_report(
        actor=actor,
        occurrence=occ,
        text="Đã ban hành Kế hoạch 12/KH-SYT",
        percent=100,
        at=at(D(2024, 2, 16), 16),
    )
    occ.refresh_from_db()
    assert (occ.percent, occ.done_on) == (100, D(2024, 2, 16))
    assert occ.status_on(D(2024, 6, 1)) == "done_on_time"
    assert list(Occurrence.objects.with_status(D(2024, 6, 1)).values_list("status", flat=True)) == [
        "done_on_time"
    ]
    with pytest.raises(UserError) as err:
        progress_report(actor=actor, occurrence=occ, text="Sửa lại", percent=80, at=at(D(2024, 2, 20)))
    assert err.value.code == "task.already_done"


def test_report_after_the_deadline_is_done_late(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    occ = _one_off(directive, province, actor, D(2024, 2, 16))
    assert occ.status_on(D(2024, 2, 17)) == "overdue"
    assert list(Occurrence.objects.overdue(D(2024, 2, 17))) == [occ]
    # Reported at 00:30 on 17/02 Vietnam time (16/02 17:30 UTC): that is the 17th, one day late.
    progress_report(
        actor=actor,
        occurrence=occ,
        text="Đã ban hành",
        percent=100,
        at=at(D(2024, 2, 17), 0).replace(minute=30),
    )
    occ.refresh_from_db()
    assert occ.done_on == D(2024, 2, 17)
    assert occ.status_on(D(2024, 3, 1)) == "done_late"
    assert list(Occurrence.objects.with_status(D(2024, 3, 1)).values_list("status", flat=True)) == [
        "done_late"
    ]
    assert list(Occurrence.objects.overdue(D(2024, 3, 1))) == []


def test_approved_extension_moves_the_deadline_and_keeps_history(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    occ = _one_off(directive, province, actor, D(2024, 2, 16))
    first = extension_request(
        actor=actor,
        occurrence=occ,
        until=D(2024, 2, 29),
        reason="Chờ góp ý của các sở",
        at=at(D(2024, 2, 10)),
    )
    with pytest.raises(UserError) as err:
        extension_request(
            actor=actor, occurrence=occ, until=D(2024, 3, 10), reason="lần hai", at=at(D(2024, 2, 11))
        )
    assert err.value.code == "extension.pending"
    extension_decide(
        actor=actor, extension=first, approve=False, note="Không đủ lý do", at=at(D(2024, 2, 12))
    )
    occ.refresh_from_db()
    assert occ.deadline == D(2024, 2, 16)

    second = extension_request(
        actor=actor, occurrence=occ, until=D(2024, 3, 15), reason="Chờ Nghị quyết HĐND", at=at(D(2024, 2, 14))
    )
    with pytest.raises(UserError) as err:
        extension_request(
            actor=actor, occurrence=occ, until=D(2024, 3, 15), reason="x", at=at(D(2024, 2, 14))
        )
    assert err.value.code == "extension.pending"
    extension_decide(actor=actor, extension=second, approve=True, note="Đồng ý", at=at(D(2024, 2, 15)))
    occ.refresh_from_db()
    assert (occ.due_on, occ.deadline) == (D(2024, 2, 16), D(2024, 3, 15))
    assert occ.status_on(D(2024, 3, 1)) == "not_started"  # no longer overdue
    with pytest.raises(UserError) as err:
        extension_decide(actor=actor, extension=second, approve=False)
    assert err.value.code == "extension.decided"

    progress_report(actor=actor, occurrence=occ, text="Đã ban hành", percent=100, at=at(D(2024, 3, 10)))
    occ.refresh_from_db()
    assert occ.status_on(D(2024, 4, 1)) == "done_on_time"  # late against 16/02, on time against 15/03

    history = [(e.previous_deadline, e.requested_until, e.state) for e in occ.extensions.all()]
    assert history == [
        (D(2024, 2, 16), D(2024, 2, 29), ExtensionState.REFUSED),
        (D(2024, 2, 16), D(2024, 3, 15), ExtensionState.APPROVED),
    ]
    actions = list(
        AuditEntry.objects.filter(action__startswith="task.extension")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "task.extension_request",
        "task.extension_refuse",
        "task.extension_request",
        "task.extension_approve",
    ]


def test_extension_must_be_later_and_reasoned(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    occ = _one_off(directive, province, actor, D(2024, 2, 16))
    with pytest.raises(UserError) as err:
        extension_request(actor=actor, occurrence=occ, until=D(2024, 2, 16), reason="x")
    assert err.value.code == "extension.not_later"
    with pytest.raises(UserError) as err:
        extension_request(actor=actor, occurrence=occ, until=D(2024, 3, 1), reason="  ")
    assert err.value.code == "extension.reason_required"


def test_recurring_task_has_one_status_per_decree_09_window(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    task = task_create(
        actor=actor,
        directive=directive,
        today=D(2024, 1, 26),
        spec=TaskSpec(
            content="Báo cáo kết quả chuyển đổi số hằng tháng",
            lead=province["68-SKHCN"],
            number="2",
            recurrence="r09_month",
        ),
    )
    # Issued 26/01/2024: the first window is R09-2024M02 (15/01–14/02), due on the 25th.
    assert [(o.period_key, o.due_on) for o in task.occurrences.order_by("due_on")] == [
        ("R09-2024M02", D(2024, 2, 25))
    ]
    assert task_occurrences_sync(actor=actor, today=D(2024, 4, 20)) == 3
    assert task_occurrences_sync(actor=actor, today=D(2024, 4, 20)) == 0  # nothing new the same day
    occ = {o.period_key: o for o in task.occurrences.all()}
    assert {k: o.due_on for k, o in occ.items()} == {
        "R09-2024M02": D(2024, 2, 25),
        "R09-2024M03": D(2024, 3, 25),
        "R09-2024M04": D(2024, 4, 25),
        "R09-2024M05": D(2024, 5, 25),
    }
    progress_report(
        actor=actor, occurrence=occ["R09-2024M02"], text="Đã gửi", percent=100, at=at(D(2024, 2, 23))
    )
    progress_report(
        actor=actor, occurrence=occ["R09-2024M03"], text="Đã gửi", percent=100, at=at(D(2024, 3, 27))
    )
    progress_report(
        actor=actor, occurrence=occ["R09-2024M05"], text="Đang tổng hợp", percent=30, at=at(D(2024, 4, 18))
    )
    statuses = {o.period_key: o.status_on(D(2024, 4, 26)) for o in task.occurrences.all()}
    assert statuses == {
        "R09-2024M02": "done_on_time",
        "R09-2024M03": "done_late",
        "R09-2024M04": "overdue",
        "R09-2024M05": "in_progress",
    }
    by_sql = dict(Occurrence.objects.with_status(D(2024, 4, 26)).values_list("period_key", "status"))
    assert by_sql == statuses
    for status in ("done_on_time", "done_late", "overdue", "in_progress"):
        assert [o.period_key for o in Occurrence.objects.in_status(status, D(2024, 4, 26))] == [
            k for k, s in statuses.items() if s == status
        ]

    # Reported on: the recurrence can no longer change (its periods' history would be lost).
    with pytest.raises(UserError) as err:
        task_update(actor=actor, task=task, spec=TaskSpec(content=task.content, lead=task.lead_unit, number="2",
                                                          due_on=D(2024, 6, 30)))  # fmt: skip
    assert [p.code for p in err.value.problems] == ["task.recurrence_locked"]


def test_recurring_calendar_month_with_a_day_and_an_end(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    task = task_create(
        actor=actor,
        directive=directive,
        today=D(2024, 5, 2),
        spec=TaskSpec(
            content="Cập nhật số liệu IOC",
            lead=province["24820"],
            recurrence="month",
            due_day=20,
            ends_on=D(2024, 3, 31),
        ),
    )
    assert [(o.period_key, o.due_on) for o in task.occurrences.order_by("due_on")] == [
        ("2024M01", D(2024, 1, 20)),
        ("2024M02", D(2024, 2, 20)),
        ("2024M03", D(2024, 3, 20)),
    ]


def test_issuer_edits_the_deadline_of_a_one_off_task(
    directive: Directive, province: dict[str, OrgUnit], actor: Actor
) -> None:
    occ = _one_off(directive, province, actor, D(2024, 2, 16))
    task = occ.task
    spec = TaskSpec(
        content=task.content,
        lead=task.lead_unit,
        supporting=(province["68-SKHCN"],),
        number="1",
        due_on=D(2024, 2, 29),
        expected_product="Kế hoạch",
    )
    assert task_update(actor=actor, task=task, spec=spec, today=D(2024, 2, 1)) is True
    assert task_update(actor=actor, task=task, spec=spec, today=D(2024, 2, 1)) is False  # no-op: no audit row
    occ.refresh_from_db()
    assert (occ.due_on, occ.deadline) == (D(2024, 2, 29), D(2024, 2, 29))
    assert AuditEntry.objects.filter(action="task.update").count() == 1
