"""Figures per unit summed up the tree, the demo province (8 of 13 connections, 12 platforms, IOCs),
and registered timelines with their slipping phases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import dieuhanh.orgunits
from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.readers import read_units_file, units_from_national_list
from dieuhanh.orgunits.services import orgunit_import
from dieuhanh.registry.demo import registry_demo
from dieuhanh.registry.models import InformationSystem, MilestoneState, ProgrammeTimeline
from dieuhanh.registry.selectors import registry_data_values, registry_figures, timeline_view
from dieuhanh.registry.services import (
    IOC_PROGRAMME,
    MilestoneSpec,
    dossier_record_approval,
    milestone_report,
    system_update,
    timeline_register,
)
from tests.registry.conftest import INTERNAL, PROCEDURES

pytestmark = pytest.mark.django_db
MakeSystem = Callable[..., InformationSystem]
DEPARTMENTS = Path(dieuhanh.orgunits.__file__).parent / "data" / "departments_68.csv"


def _approve(system: InformationSystem, level: int, actor: Actor) -> None:
    dossier_record_approval(actor=actor, system=system, level=level, decision_number=f"{system.code}/QĐ",
                            decision_date=date(2024, 3, 1))  # fmt: skip


def test_approved_share_per_unit_and_province(
    make_system: MakeSystem, actor: Actor, units: dict[str, OrgUnit], make_user: Callable[[str, str], User]
) -> None:
    _approve(make_system("68-A", "68", PROCEDURES), 3, actor)
    _approve(make_system("68-B", "68", INTERNAL), 2, actor)
    make_system("68-C", "68", INTERNAL)
    _approve(make_system("SYT-A", "68-SYT", PROCEDURES), 3, actor)
    make_system("SYT-B", "68-SYT", INTERNAL)
    make_system("SYT-PLAN", "68-SYT", INTERNAL, status="planned")
    make_system("SYT-OLD", "68-SYT", INTERNAL, status="retired")
    make_system("XA-A", "24820", INTERNAL)
    changed = make_system("XA-B", "24820", INTERNAL)
    _approve(changed, 2, actor)
    system_update(actor=actor, system=changed, changes={"handles_procedures": True})

    admin = make_user(Role.ADMIN, "68")
    figures = registry_figures(user=admin, units=[units[c] for c in ("68", "68-SYT", "24820", "25270")])
    province, health, commune, empty = figures["68"], figures["68-SYT"], figures["24820"], figures["25270"]
    # Province: 7 in operation (3 + 2 + 2), 4 of them approved → 57.1 % (sums first, then the ratio).
    assert (province.systems_operating, province.approved, province.approved_share) == (7, 4, Decimal("57.1"))
    assert province.by_level() == {1: 0, 2: 2, 3: 2, 4: 0, 5: 0}
    # Not retired: 8; the planned one counts as lacking an approved level.
    assert (province.systems, province.systems_planned, province.unapproved, province.facts_changed) == (
        8,
        1,
        4,
        1,
    )
    assert (health.systems_operating, health.approved, health.approved_share) == (2, 1, Decimal("50.0"))
    assert (commune.systems_operating, commune.approved, commune.approved_share) == (2, 1, Decimal("50.0"))
    assert empty.approved_share is None and empty.systems == 0

    # A commune officer's figures come only from its own subtree.
    officer = make_user(Role.OFFICER, "24820")
    assert registry_figures(user=officer, units=[units["24820"]])["24820"].approved == 1
    assert registry_figures(user=officer, units=[units["68"]])["68"].systems_operating == 2


@pytest.fixture
def demo(db: None, actor: Actor) -> None:
    orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    specs, _ = read_units_file(DEPARTMENTS)
    orgunit_import(actor=actor, units=specs, source=DEPARTMENTS.name)
    result = registry_demo(actor)
    assert result.as_dict()["created"] > 0


def test_demo_figures_of_lam_dong(demo: None, actor: Actor) -> None:
    admin = User.objects.create_user("qt", unit=OrgUnit.objects.get(code="68"), role=Role.ADMIN)
    figures = registry_figures(user=admin, units=[OrgUnit.objects.get(code="68")])["68"]
    assert (figures.connections_connected, figures.connections) == (8, 13)
    assert (figures.connections_testing, figures.connections_planned) == (1, 4)
    assert (figures.platforms, figures.platforms_operating) == (12, 12)
    # The province, the Department of Education, the 7 localities of seed 000, Lâm Hà and Đơn Dương.
    assert (figures.iocs_operating, figures.iocs_building) == (11, 1)
    assert (figures.systems_operating, figures.approved, figures.approved_share) == (11, 8, Decimal("72.7"))
    assert (figures.unapproved, figures.facts_changed) == (3, 1)
    assert figures.by_level() == {1: 0, 2: 3, 3: 5, 4: 0, 5: 0}
    # The keeper of the registry (the Department of Science and Technology) sees the same.
    keeper = User.objects.create_user("skhcn", unit=OrgUnit.objects.get(code="68-SKHCN"), role=Role.VIEWER)
    assert registry_figures(user=keeper, units=[OrgUnit.objects.get(code="68")])["68"].approved == 8

    again = registry_demo(actor).as_dict()
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] > 0


def test_demo_timelines_flag_slipping_phases(demo: None) -> None:
    di_linh = ProgrammeTimeline.objects.get(unit__code="25000", programme=IOC_PROGRAMME)
    view = timeline_view(di_linh, today=date(2026, 11, 22))
    assert [m.state for m in view.milestones] == [
        MilestoneState.DONE_ON_TIME, MilestoneState.DONE_LATE, MilestoneState.OVERDUE, MilestoneState.SLIPPING,
        MilestoneState.NOT_DUE,
    ]  # fmt: skip
    assert [m.milestone.position for m in view.slipping] == [3, 4]
    assert [m.days_late for m in view.milestones] == [0, 10, 22, 0, 0]
    lam_ha = ProgrammeTimeline.objects.get(unit__code="24871", programme=IOC_PROGRAMME)
    assert timeline_view(lam_ha, today=date(2026, 11, 22)).slipping == []


def test_data_values_for_the_indicator_engine(demo: None) -> None:
    values = {(v["data_element"], v["unit_code"]): v["value"] for v in registry_data_values(period="2026")}
    assert values[("registry.connections_connected", "68")] == 8
    assert values[("registry.connections", "68")] == 13
    assert values[("registry.platforms_operating", "68-SYT")] == 2
    assert values[("registry.iocs_operating", "24781")] == 1


def test_registering_a_timeline_and_reporting_on_it(units: dict[str, OrgUnit], actor: Actor) -> None:
    phases = [MilestoneSpec("Khảo sát", date(2026, 1, 31)), MilestoneSpec("Triển khai", date(2026, 6, 30))]
    timeline, outcome = timeline_register(actor=actor, unit=units["24820"], programme="ioc-build", title="IOC xã",
                                          milestones=phases, registered_on=date(2025, 12, 1))  # fmt: skip
    assert outcome == "created"
    assert timeline_register(actor=actor, unit=units["24820"], programme="ioc-build", title="IOC xã",
                             milestones=phases)[1] == "unchanged"  # fmt: skip
    first = timeline.milestones.get(position=1)
    assert milestone_report(actor=actor, milestone=first, done_on=date(2026, 1, 20))
    second = timeline.milestones.get(position=2)
    milestone_report(actor=actor, milestone=second, forecast_on=date(2026, 8, 31))
    view = timeline_view(timeline, today=date(2026, 5, 1))
    assert [(m.state, m.slipping) for m in view.milestones] == [
        (MilestoneState.DONE_ON_TIME, False), (MilestoneState.SLIPPING, True)]  # fmt: skip
