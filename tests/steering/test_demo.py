"""The demo step: the seed articles' tasks on Lâm Đồng's units, some done, some late; safe to rerun."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import dieuhanh.orgunits
from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import parse_period
from dieuhanh.orgunits.readers import read_units_file, units_from_national_list
from dieuhanh.orgunits.services import orgunit_import
from dieuhanh.steering.demo import steering_demo
from dieuhanh.steering.models import Occurrence, Task
from dieuhanh.steering.selectors import task_figures, task_overdue

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def lam_dong(actor: Actor) -> None:
    orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    departments = Path(dieuhanh.orgunits.__file__).parent / "data" / "departments_68.csv"
    orgunit_import(actor=actor, units=read_units_file(departments)[0], source="departments")


def test_demo_builds_the_seed_tasks_once(lam_dong: None, actor: Actor) -> None:
    first = steering_demo(actor, today=TODAY)
    assert (first.created, first.unchanged) == (21, 0)
    assert first.reports > 0
    again = steering_demo(actor, today=TODAY)
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 21, "reports": 0}

    plans = task_figures(period=parse_period("2024Q1"), today=TODAY)
    departments = {
        r.unit: (r.done_on_time, r.done_late, r.overdue) for r in plans.rows if r.unit != "68-VPUB"
    }
    assert departments == {
        "68-SNV": (1, 0, 0), "68-STC": (1, 0, 0), "68-SYT": (1, 0, 0), "68-SGDDT": (0, 1, 0),
        "68-SNNMT": (1, 0, 0), "68-SXD": (0, 0, 1), "68-SCT": (0, 1, 0), "68-SVHTTDL": (1, 0, 0),
        "68-SKHCN": (2, 0, 0),  # the monthly security reports of R09-2024M02 and M03, on time
    }  # fmt: skip
    security = Task.objects.get(directive__number="DEMO-01/TB-BCĐ", number="1").occurrences.get()
    assert (security.done_on, security.status_on(TODAY)) == (date(2023, 12, 15), "done_late")
    extended = Task.objects.get(directive__number="DEMO-03/UBND-CĐS", number="1").occurrences.get()
    assert (extended.deadline, extended.status_on(TODAY)) == (date(2024, 5, 31), "done_on_time")
    refused = Task.objects.get(directive__number="DEMO-03/UBND-CĐS", number="4").occurrences.get()
    assert (refused.deadline, refused.status_on(TODAY)) == (date(2024, 7, 31), "overdue")

    overdue = {(x.lead_unit, x.directive, x.number) for x in task_overdue(today=TODAY)}
    assert {("68-SXD", "DEMO-02/KH-BCĐ", "1.6"), ("68-VPUB", "DEMO-03/UBND-CĐS", "4")} <= overdue
    monthly = Occurrence.objects.filter(task__directive__number="DEMO-02/KH-BCĐ", task__number="3")
    assert monthly.get(period_key="R09-2026M11").status_on(TODAY) == "in_progress"  # due 25/11: soon
    assert monthly.get(period_key="R09-2026M12").status_on(TODAY) == "not_started"
