"""Importing the inventory: bad rows are refused one by one (row, field, reason in both languages),
the others import; re-importing changes nothing; exports round-trip; the CLI contract."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import InformationSystem, LevelDossier
from dieuhanh.registry.readers import read_systems_file
from dieuhanh.registry.services import system_import

pytestmark = pytest.mark.django_db

HEADERS = ["Mã hệ thống", "Tên hệ thống", "Đơn vị chủ quản", "Đơn vị vận hành", "Loại hệ thống", "Trạng thái",
           "Cấp độ", "Ngày trình", "Số quyết định phê duyệt", "Ngày phê duyệt"]  # fmt: skip


def _xlsx(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _rows() -> list[list[Any]]:
    future = timezone.localdate() + timedelta(days=30)
    return [
        ["", "Cổng Dịch vụ công tỉnh", "68", "68-SKHCN", "Một cửa điện tử", "Đang vận hành", 3, date(2023, 10, 1),
         "2101/QĐ-UBND", date(2023, 10, 25)],                                                   # row 2: ok, approved
        ["", "Quản lý văn bản", "68", "", "Quản lý văn bản", "Đang vận hành", 2, None, None, None],  # 3: ok, proposed
        ["", "Hệ thống X", "99999", "", "", "", 2, None, None, None],                            # 4: unknown owner
        ["", "Hệ thống Y", "68", "", "", "", 7, None, None, None],                               # 5: level 7
        ["", "Hệ thống Z", "68", "", "", "", 3, date(2023, 11, 1), "5/QĐ-UBND", date(2023, 10, 1)],  # 6: before
        ["", "Hệ thống W", "68", "", "", "", 3, None, "6/QĐ-UBND", future],                      # 7: in the future
        ["", "Hệ thống V", "68", "", "", "", 3, None, None, date(2023, 10, 1)],                  # 8: no decision number
        ["", "cổng dịch vụ  công tỉnh", "68", "", "", "", 3, None, "2101/QĐ-UBND", date(2023, 10, 25)],  # 9: duplicate
        ["24820-IOC", "IOC xã", "24820", "24820", "IOC", "Đang vận hành", "2", "", "12/QĐ-UBND", "28/11/2023"],  # 10
    ]  # fmt: skip


EXPECTED_PROBLEMS = [
    (4, "owner", "registry.unknown_owner", "Đơn vị chủ quản 99999 không có trong hệ thống.",
     "Owner unit 99999 is unknown."),
    (5, "level", "registry.bad_level", "Cấp độ '7' không hợp lệ: phải là số từ 1 đến 5.",
     "Level '7' is invalid: it must be a number from 1 to 5."),
    (6, "decision_date", "registry.date_before_submission", "Ngày phê duyệt 01/10/2023 trước ngày trình 01/11/2023.",
     "The approval date 2023-10-01 is before the submission on 2023-11-01."),
    (7, "decision_date", "registry.date_in_future", None, None),
    (8, "decision_number", "registry.no_decision_number", "Cấp độ đã phê duyệt nhưng thiếu số quyết định phê duyệt.",
     "An approved level without the approval decision's number."),
    (9, "name", "registry.duplicate_system", "Hệ thống “cổng dịch vụ  công tỉnh” của đơn vị 68 trùng với dòng 2.",
     "System “cổng dịch vụ  công tỉnh” of unit 68 repeats row 2."),
]  # fmt: skip


def _import(path: Path) -> Any:
    name, rows, problems = read_systems_file(path)
    return system_import(actor=Actor.system("test"), rows=rows, file=name, problems=problems)


def test_bad_rows_are_refused_one_by_one(tmp_path: Path, province: dict[str, OrgUnit]) -> None:
    result = _import(_xlsx(tmp_path / "he_thong.xlsx", _rows()))
    assert (result.accepted, result.rejected, result.unchanged) == (3, 6, 0)
    got = [
        (p.row, p.field, p.code, p.message_vi, p.message_en)
        for p in sorted(result.problems, key=lambda p: p.row)
    ]
    for (row, field, code, vi, en), actual in zip(EXPECTED_PROBLEMS, got, strict=True):
        assert actual[:3] == (row, field, code)
        if vi is not None:
            assert actual[3:] == (vi, en)
    assert all(p.file == "he_thong.xlsx" for p in result.problems)

    dvc = InformationSystem.objects.get(name="Cổng Dịch vụ công tỉnh")
    assert dvc.code == "68-HT01" and dvc.kind == "one_stop_shop" and dvc.operating_unit.code == "68-SKHCN"
    assert dvc.approval is not None
    assert (dvc.approval.proposed_level, dvc.approval.decision_number, dvc.approval.decision_date) == (
        3, "2101/QĐ-UBND", date(2023, 10, 25))  # fmt: skip
    # Submitted before 1 July 2026: Decree 85; the criteria are not in the file, so the basis is the authority.
    assert (dvc.approval.regime, dvc.approval.legal_basis) == (
        "nd85",
        "khoản 2 Điều 12 Nghị định số 85/2016/NĐ-CP",
    )
    qlvb = InformationSystem.objects.get(name="Quản lý văn bản")
    assert qlvb.approval is None
    assert list(qlvb.dossiers.values_list("status", "proposed_level")) == [("draft", 2)]
    ioc = InformationSystem.objects.get(code="24820-IOC")
    assert ioc.approval.decision_date == date(2023, 11, 28)  # "28/11/2023", day first
    assert not InformationSystem.objects.filter(name__startswith="Hệ thống ").exists()
    assert AuditEntry.objects.filter(action="registry.system.create").count() == 3
    assert AuditEntry.objects.filter(action="registry.dossier.record").count() == 2

    again = _import(tmp_path / "he_thong.xlsx")
    assert (again.accepted, again.rejected, again.unchanged) == (0, 6, 3)
    assert InformationSystem.objects.count() == 3 and LevelDossier.objects.count() == 3


def test_a_new_decision_in_the_file_is_recorded(tmp_path: Path, province: dict[str, OrgUnit]) -> None:
    _import(
        _xlsx(
            tmp_path / "a.xlsx", [["68-X", "Hệ thống X", "68", "", "", "", 2, None, "1/QĐ", date(2023, 1, 5)]]
        )
    )
    result = _import(_xlsx(tmp_path / "b.xlsx", [["68-X", "Hệ thống X", "68", "", "", "", 3, None, "2/QĐ",
                                                  date(2024, 2, 1)]]))  # fmt: skip
    assert (result.accepted, result.unchanged) == (1, 0)
    system = InformationSystem.objects.get(code="68-X")
    assert system.approval.decision_number == "2/QĐ" and system.dossiers.count() == 2


def test_import_needs_the_two_required_columns(tmp_path: Path, db: None) -> None:
    with pytest.raises(UserError) as err:
        read_systems_file(_xlsx(tmp_path / "x.xlsx", [["a"]], headers=["Tên hệ thống"]))
    assert err.value.code == "file.bad_layout" and "Đơn vị chủ quản" in err.value.message_vi


def test_import_scoped_to_the_officers_subtree(tmp_path: Path, make_user: Any) -> None:
    officer = make_user("officer", "24820")
    rows = [
        ["", "Camera", "24820", "", "", "", None, None, None, None],
        ["", "Khác", "25270", "", "", "", None, None, None, None],
        ["", "Đã duyệt", "24820", "", "", "", 2, None, "3/QĐ", date(2024, 1, 2)],
    ]
    path = _xlsx(tmp_path / "xa.xlsx", rows)
    name, rows, problems = read_systems_file(path)
    result = system_import(actor=Actor.of(officer), rows=rows, file=name, problems=problems)
    assert result.accepted == 1
    # Another commune is out of scope; recording an approval needs the approving role.
    assert [(p.row, p.code) for p in result.problems] == [(3, "auth.scope"), (4, "auth.role")]


def test_cli_import_json_and_list(tmp_path: Path, province: dict[str, OrgUnit]) -> None:
    path = _xlsx(tmp_path / "he_thong.xlsx", _rows())
    out = io.StringIO()
    call_command("systems", "import", str(path), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert {k: payload[k] for k in ("file", "accepted", "rejected", "unchanged")} == {
        "file": "he_thong.xlsx", "accepted": 3, "rejected": 6, "unchanged": 0}  # fmt: skip
    assert payload["problems"][0] == {"code": "registry.unknown_owner", "file": "he_thong.xlsx", "row": 4,
                                      "field": "owner", "message_vi": "Đơn vị chủ quản 99999 không có trong hệ thống.",
                                      "message_en": "Owner unit 99999 is unknown."}  # fmt: skip
    out = io.StringIO()
    call_command("systems", "list", "--unit", "68", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert [(s["code"], s["owner_unit"], s["level"], s["approval_status"], s["decision_number"], s["decision_date"])
            for s in listed] == [("24820-IOC", "24820", 2, "approved", "12/QĐ-UBND", "2023-11-28"),
                                 ("68-HT01", "68", 3, "approved", "2101/QĐ-UBND", "2023-10-25"),
                                 ("68-HT02", "68", None, "draft", None, None)]  # fmt: skip
    assert listed[1]["name"] == "Cổng Dịch vụ công tỉnh"
    out = io.StringIO()
    call_command("systems", "list", "--unit", "24820", "--json", stdout=out)
    assert [s["code"] for s in json.loads(out.getvalue())] == ["24820-IOC"]
    out = io.StringIO()
    call_command("systems", "list", "--unapproved", "--json", stdout=out)
    assert [s["code"] for s in json.loads(out.getvalue())] == ["68-HT02"]


def test_exports_round_trip(tmp_path: Path, province: dict[str, OrgUnit]) -> None:
    _import(_xlsx(tmp_path / "he_thong.xlsx", _rows()))
    call_command("systems", "export", str(tmp_path / "all.xlsx"), stdout=io.StringIO())
    sheet = load_workbook(tmp_path / "all.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Mã hệ thống", "Tên hệ thống", "Đơn vị chủ quản", "Tên đơn vị chủ quản")
    assert len(rows) == 4
    again = _import(tmp_path / "all.xlsx")  # the export is a valid import layout
    assert (again.accepted, again.rejected) == (0, 0)
    call_command("systems", "export", str(tmp_path / "missing.xlsx"), "--unapproved", stdout=io.StringIO())
    missing = load_workbook(tmp_path / "missing.xlsx").active
    assert missing is not None
    lines = list(missing.iter_rows(values_only=True))
    assert lines[0][6] == "Cấp độ đề xuất theo tiêu chí"
    assert [r[1] for r in lines[1:]] == ["Quản lý văn bản"]
    assert lines[1][6] == 2 and lines[1][7] == "khoản 1 Điều 12 Nghị định số 331/2026/NĐ-CP"


CLI = Path(sys.executable).with_name("dieuhanh")


def test_console_script_exit_codes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DIEUHANH_DATA_DIR": str(tmp_path / "data"), "DIEUHANH_SECRET_KEY": "registry-cli-test-key-0123456789",
                "DIEUHANH_HTTPS": "0"})  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CLI), *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    assert run("migrate", "--verbosity", "0").returncode == 0
    assert run("units", "import", "--province", "68").returncode == 0
    good = run("systems", "import", str(_xlsx(tmp_path / "he_thong.xlsx", _rows())), "--json")
    assert good.returncode == 0, good.stderr
    # Without the departments file, row 2's operating unit 68-SKHCN is unknown too: seven refused rows.
    assert json.loads(good.stdout)["rejected"] == 7
    missing = run("systems", "import", str(tmp_path / "absent.xlsx"), "--json")
    assert missing.returncode == 2 and json.loads(missing.stdout)["error"]["code"] == "file.unreadable"
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a spreadsheet", encoding="utf-8")
    assert run("systems", "import", str(broken)).returncode == 2
    listed = run("systems", "list", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 2
