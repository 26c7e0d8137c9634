"""The hierarchy: one-query ancestor and subtree look-ups, validity, and figures across a merger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import Kind, OrgUnit
from dieuhanh.orgunits.selectors import (
    orgunit_ancestors,
    orgunit_children,
    orgunit_reaggregate,
    orgunit_successor_map,
)
from dieuhanh.orgunits.services import LineageSpec, UnitSpec, orgunit_import

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)


@pytest.fixture
def merged(province: dict[str, OrgUnit], actor: Actor) -> None:
    """Before 1 July 2025: district 672 with communes A and B, merged into today's 24820 (Xã Lạc Dương);
    commune C split 60/40 between 24820 and 25270; commune D merged in 2020 into E, E merged in 2025."""
    old = dict(valid_to=REFORM)
    specs = [
        UnitSpec("672", "Huyện Lạc Dương", Kind.DISTRICT, "68", **old),
        UnitSpec("24823", "Thị trấn Lạc Dương", Kind.COMMUNE, "672", **old),
        UnitSpec("24826", "Xã Lát", Kind.COMMUNE, "672", **old),
        UnitSpec("24829", "Xã Đạ Chais", Kind.COMMUNE, "672", **old),
        UnitSpec("24832", "Xã Đưng K'Nớ", Kind.COMMUNE, "672", valid_to=date(2020, 1, 1)),
        UnitSpec("24835", "Xã Đạ Nhim", Kind.COMMUNE, "672", **old),
    ]
    lineage = [
        LineageSpec("24823", "24820", Decimal(1), REFORM),
        LineageSpec("24826", "24820", Decimal(1), REFORM),
        LineageSpec("24829", "24820", Decimal("0.6"), REFORM),
        LineageSpec("24829", "25270", Decimal("0.4"), REFORM),
        LineageSpec("24832", "24835", Decimal(1), date(2020, 1, 1)),
        LineageSpec("24835", "24820", Decimal(1), REFORM),
    ]
    orgunit_import(actor=actor, units=specs, lineage=lineage, source="test")


def test_ancestors_in_one_query(province: dict[str, OrgUnit], django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    commune = province["24820"]
    with django_assert_num_queries(1):
        chain = orgunit_ancestors(unit=commune)
    assert [u.code for u in chain] == ["68", "24820"]


def test_subtree_in_one_query(province: dict[str, OrgUnit], merged: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    district = OrgUnit.objects.get(code="672")
    with django_assert_num_queries(1):
        codes = sorted(OrgUnit.objects.subtree_of(district).values_list("code", flat=True))
    assert codes == ["24823", "24826", "24829", "24832", "24835", "672"]
    assert OrgUnit.objects.subtree_of(province["68"]).count() == 6 + 6


def test_validity(province: dict[str, OrgUnit], merged: None) -> None:
    district = OrgUnit.objects.get(code="672")
    assert set(orgunit_children(unit=district, on=date(2025, 6, 30)).values_list("code", flat=True)) == {
        "24823", "24826", "24829", "24835",
    }  # fmt: skip
    assert not orgunit_children(unit=district, on=REFORM).exists()
    assert set(orgunit_children(unit=district, on=date(2019, 12, 31)).values_list("code", flat=True)) == {
        "24823", "24826", "24829", "24832", "24835",
    }  # fmt: skip
    on_reform = set(OrgUnit.objects.valid_on(REFORM).values_list("code", flat=True))
    assert on_reform == {"68", "68-SKHCN", "68-SYT", "24781", "24820", "25270"}


def test_successors_follow_chains_and_shares(province: dict[str, OrgUnit], merged: None) -> None:
    succ = orgunit_successor_map(on=date(2026, 1, 1))
    assert [(s.code, s.share) for s in succ["24823"]] == [("24820", 1)]
    assert [(s.code, s.share) for s in succ["24829"]] == [
        ("24820", Decimal("0.6")),
        ("25270", Decimal("0.4")),
    ]
    # Merged in 2020 into 24835, which merged in 2025 into 24820.
    assert [(s.code, s.share) for s in succ["24832"]] == [("24820", 1)]
    assert [(s.code, s.share) for s in succ["24820"]] == [("24820", 1)]
    # On a day before the reform, the old communes carry their own figures.
    before = orgunit_successor_map(on=date(2025, 1, 1))
    assert [s.code for s in before["24823"]] == ["24823"]


def test_figures_of_merged_communes_reaggregate_onto_today(
    province: dict[str, OrgUnit], merged: None
) -> None:
    # Dossiers received in 2024 under the old communes and in 2025 under the new one.
    figures = {
        "24823": Decimal(120),  # Thị trấn Lạc Dương → all to 24820
        "24826": Decimal(30),  # Xã Lát → all to 24820
        "24829": Decimal(50),  # Xã Đạ Chais → 30 to 24820, 20 to 25270
        "24832": Decimal(5),  # merged twice → 24820
        "24820": Decimal(7),  # already under today's commune
        "25270": Decimal(10),
    }
    totals, unplaced = orgunit_reaggregate(figures=figures, on=date(2026, 1, 1))
    assert unplaced == {}
    assert totals["24820"] == 120 + 30 + 30 + 5 + 7
    assert totals["25270"] == 20 + 10
    assert totals["68"] == 120 + 30 + 50 + 5 + 7 + 10  # nothing lost or counted twice at the top
    assert "672" not in totals  # a former district receives nothing today


def test_unit_ended_without_lineage_is_reported_unplaced(province: dict[str, OrgUnit], actor: Actor) -> None:
    orgunit_import(
        actor=actor, units=[UnitSpec("99001", "Xã cũ", Kind.COMMUNE, "68", valid_to=REFORM)], source="t"
    )
    totals, unplaced = orgunit_reaggregate(figures={"99001": Decimal(4), "24820": Decimal(1)}, on=REFORM)
    assert unplaced == {"99001": Decimal(4)}
    assert totals["68"] == 1
