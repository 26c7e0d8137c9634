"""Importing units: the national list, the three file layouts, idempotence and refusals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import InputRejected, UserError
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitLineage
from dieuhanh.orgunits.readers import read_units_file, units_from_national_list
from dieuhanh.orgunits.services import orgunit_import

pytestmark = pytest.mark.django_db


def _import_file(path: Path, actor: Actor) -> object:
    units, lineage = read_units_file(path)
    return orgunit_import(actor=actor, units=units, lineage=lineage, source=path.name, file=path.name)


def test_national_list_of_lam_dong(actor: Actor) -> None:
    result = orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    assert result.created == 125
    province = OrgUnit.objects.get(code="68")
    assert province.name == "Tỉnh Lâm Đồng" and province.parent is None
    kinds = Counter(OrgUnit.objects.filter(parent=province).values_list("kind", flat=True))
    # The national list of 1 July 2025: 103 communes, 20 wards and the special zone of Phú Quý.
    assert kinds == {"commune": 103, "ward": 20, "special_zone": 1}
    assert OrgUnit.objects.get(code="24781").name == "Phường Xuân Hương - Đà Lạt"
    assert OrgUnit.objects.get(code="24781").valid_from == date(2025, 7, 1)


def test_national_list_import_is_idempotent(actor: Actor) -> None:
    orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    audits, closure = AuditEntry.objects.count(), OrgUnitClosure.objects.count()
    again = orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 125)
    assert AuditEntry.objects.count() == audits
    assert OrgUnitClosure.objects.count() == closure == 125 + 124


def test_unknown_province_is_refused() -> None:
    with pytest.raises(UserError) as err:
        units_from_national_list("99")
    assert err.value.code == "unit.unknown_province"
    assert "99" in err.value.message_vi and "99" in err.value.message_en


def test_units_file_csv_then_rename_is_an_update(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv(
        "units.csv",
        "Mã,Tên,Cấp,Mã cấp trên,Hiệu lực từ\n"
        "68,Tỉnh Lâm Đồng,Tỉnh,,\n"
        "68-SKHCN,Sở Khoa học và Công nghệ,Sở,68,01/07/2025\n"
        "24820,Xã Lạc Dương,Xã,68,2025-07-01\n",
    )
    first = _import_file(path, actor)
    assert (first.created, first.updated) == (3, 0)  # type: ignore[attr-defined]
    assert OrgUnit.objects.get(code="68-SKHCN").kind == "department"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Xã Lạc Dương", "Xã Lạc Dương mới"), encoding="utf-8"
    )
    second = _import_file(path, actor)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)  # type: ignore[attr-defined]
    entry = AuditEntry.objects.filter(action="orgunit.update").get()
    assert entry.before["name"] == "Xã Lạc Dương" and entry.after["name"] == "Xã Lạc Dương mới"


def test_units_file_xlsx_with_english_headers(tmp_path: Path, actor: Actor) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent", "valid_from", "valid_to"])
    sheet.append(["67", "Tỉnh Đắk Nông", "province", None, None, date(2025, 7, 1)])
    sheet.append(["664", "Huyện Đắk Song", "district", "67", None, date(2025, 7, 1)])
    path = tmp_path / "old.xlsx"
    book.save(path)
    _import_file(path, actor)
    district = OrgUnit.objects.get(code="664")
    assert district.kind == "district" and district.parent.code == "67"  # type: ignore[union-attr]
    assert district.valid_to == date(2025, 7, 1) and not district.is_valid_on(date(2025, 7, 1))
    assert district.is_valid_on(date(2025, 6, 30))


def test_statistics_office_layout(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv(
        "gso.csv",
        "Tỉnh / Thành Phố,Mã TP,Phường Xã,Mã PX,Cấp\n"
        "Tỉnh Lâm Đồng,68,Phường Xuân Hương - Đà Lạt,24781,Phường\n"
        "Tỉnh Lâm Đồng,68,Xã Lạc Dương,24820,Xã\n"
        "Tỉnh Lâm Đồng,68,Đặc khu Phú Quý,23425,Đặc khu\n",
    )
    result = _import_file(path, actor)
    assert result.created == 4  # type: ignore[attr-defined]
    assert dict(OrgUnit.objects.values_list("code", "kind")) == {
        "68": "province", "24781": "ward", "24820": "commune", "23425": "special_zone",
    }  # fmt: skip


def test_lineage_file(
    write_csv: Callable[[str, str], Path], actor: Actor, province: dict[str, OrgUnit]
) -> None:
    units = write_csv(
        "old.csv",
        "Mã,Tên,Cấp,Mã cấp trên,Hiệu lực từ,Hiệu lực đến\n"
        "24823,Thị trấn Lạc Dương,Xã,68,,01/07/2025\n"
        "24826,Xã Lát,Xã,68,,01/07/2025\n",
    )
    _import_file(units, actor)
    lineage = write_csv(
        "lineage.csv",
        "Mã cũ,Mã mới,Tỷ lệ,Ngày hiệu lực,Ghi chú\n"
        "24823,24820,100%,01/07/2025,NQ 1671/NQ-UBTVQH15\n"
        '24826,24820,"0,6",01/07/2025,\n'
        "24826,25270,40%,01/07/2025,\n",
    )
    result = _import_file(lineage, actor)
    assert result.lineage_created == 3  # type: ignore[attr-defined]
    shares = dict(
        OrgUnitLineage.objects.filter(predecessor__code="24826").values_list("successor__code", "share")
    )
    assert shares == {"24820": Decimal("0.6"), "25270": Decimal("0.4")}
    again = _import_file(lineage, actor)
    assert again.lineage_unchanged == 3  # type: ignore[attr-defined]


def _problems(path: Path, actor: Actor) -> list[tuple[int | None, str, str]]:
    before = OrgUnit.objects.count()
    with pytest.raises(InputRejected) as err:
        _import_file(path, actor)
    assert OrgUnit.objects.count() == before, "a refused file must import nothing"
    for p in err.value.problems:
        assert p.file == path.name and p.message_vi and p.message_en and p.message_vi != p.message_en
    return [(p.row, p.field, p.code) for p in err.value.problems]


def test_unknown_parent_refused_whole(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv("bad.csv", "Mã,Tên,Cấp,Mã cấp trên\n68,Tỉnh Lâm Đồng,Tỉnh,\n24820,Xã Lạc Dương,Xã,69\n")
    assert _problems(path, actor) == [(3, "parent", "unit.unknown_parent")]


def test_duplicate_code_refused(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv(
        "dup.csv", "Mã,Tên,Cấp,Mã cấp trên\n68,Tỉnh Lâm Đồng,Tỉnh,\n24820,Xã A,Xã,68\n24820,Xã B,Xã,68\n"
    )
    assert _problems(path, actor) == [(4, "code", "unit.duplicate_code")]


def test_bad_date_refused(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv(
        "date.csv",
        "Mã,Tên,Cấp,Mã cấp trên,Hiệu lực từ\n68,Tỉnh Lâm Đồng,Tỉnh,,\n24820,Xã A,Xã,68,31/02/2025\n",
    )
    assert _problems(path, actor) == [(3, "valid_from", "value.bad_date")]


def test_validity_order_refused(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv(
        "order.csv",
        "Mã,Tên,Cấp,Mã cấp trên,Hiệu lực từ,Hiệu lực đến\n68,Tỉnh Lâm Đồng,Tỉnh,,,\n"
        "24820,Xã A,Xã,68,01/07/2025,01/01/2025\n",
    )
    assert _problems(path, actor) == [(3, "valid_to", "unit.bad_validity")]


def test_cycle_in_file_refused(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv("cycle.csv", "Mã,Tên,Cấp,Mã cấp trên\nA1,Sở A,Sở,B1\nB1,Sở B,Sở,A1\n")
    assert _problems(path, actor) == [(2, "parent", "unit.cycle"), (3, "parent", "unit.cycle")]


def test_cycle_through_stored_units_refused(
    write_csv: Callable[[str, str], Path], actor: Actor, province: dict[str, OrgUnit]
) -> None:
    # The province put under one of its own communes.
    path = write_csv("cycle2.csv", "Mã,Tên,Cấp,Mã cấp trên\n68,Tỉnh Lâm Đồng,Sở,24820\n")
    assert _problems(path, actor) == [(2, "parent", "unit.cycle")]
    assert OrgUnit.objects.get(code="68").parent is None


def test_every_problem_reported_at_once(write_csv: Callable[[str, str], Path], actor: Actor) -> None:
    path = write_csv(
        "many.csv",
        "Mã,Tên,Cấp,Mã cấp trên,Hiệu lực từ\n68,Tỉnh Lâm Đồng,Tỉnh,,\n,Xã không mã,Xã,68,\n"
        "24820,Xã A,Làng,68,\n24821,Xã B,Xã,68,hôm qua\n",
    )
    assert _problems(path, actor) == [
        (3, "code", "value.required"),
        (4, "kind", "unit.bad_kind"),
        (5, "valid_from", "value.bad_date"),
    ]


def test_bad_lineage_refused(
    write_csv: Callable[[str, str], Path], actor: Actor, province: dict[str, OrgUnit]
) -> None:
    path = write_csv(
        "lin.csv",
        "Mã cũ,Mã mới,Tỷ lệ\n99999,24820,1\n24820,24820,1\n25270,24820,70%\n25270,24781,50%\n",
    )
    assert _problems(path, actor) == [
        (2, "predecessor", "lineage.unknown_unit"),
        (3, "successor", "lineage.self"),
        (4, "share", "lineage.shares_exceed"),
    ]
    assert not OrgUnitLineage.objects.exists()


def test_missing_file_and_bad_layout(tmp_path: Path, write_csv: Callable[[str, str], Path]) -> None:
    with pytest.raises(UserError) as err:
        read_units_file(tmp_path / "absent.csv")
    assert err.value.code == "file.unreadable"
    with pytest.raises(UserError) as err:
        read_units_file(write_csv("x.csv", "foo,bar\n1,2\n"))
    assert err.value.code == "file.bad_layout" and "code" in err.value.message_en
