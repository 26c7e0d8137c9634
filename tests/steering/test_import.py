"""Importing a directive's task table from XLSX: good rows stored, bad rows refused with their reason."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.management.commands.tasks import Command
from dieuhanh.steering.models import Directive, Task
from dieuhanh.steering.readers import DeadlineError, parse_deadline, read_task_table
from dieuhanh.steering.services import directive_for_import, task_import

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"]


def write_xlsx(path: Path, rows: list[list[object]], title: list[str] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in title or []:
        sheet.append([line])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


TITLE = [
    "PHỤ LỤC: NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2024",
    "(Kèm theo Kế hoạch số 45/KH-UBND ngày 26/01/2024 của UBND tỉnh Lâm Đồng)",
]
ROWS: list[list[object]] = [
    ["I", "Nhiệm vụ chung", "", "", ""],  # a heading row: skipped, not refused
    [1, "Ban hành kế hoạch chuyển đổi số năm 2024", "68-SYT", "68-SKHCN", "Trước ngày 16/02/2024"],
    [
        2,
        "Phê duyệt cấp độ an toàn 100% hệ thống thông tin",
        "Sở Khoa học và Công nghệ",
        "Sở Y tế; Xã Lạc Dương",
        datetime(2024, 11, 30),
    ],
    [3, "Báo cáo kết quả chuyển đổi số", "24820", "", "Hằng tháng (kỳ báo cáo NĐ 09)"],
    [4, "Triển khai Tổ công nghệ số cộng đồng", "Xã Không Có", "68-SYT, Sở Không Có", "30/06/2024"],
    [5, "Kiện toàn Ban Chỉ đạo", "68-SKHCN", "", "10/05/2023"],
    [6, "", "68-SKHCN", "", "10/05/2024"],
    [7, "Tổng kết", "68-SKHCN", "", "khi nào xong"],
]


def test_parse_deadline_forms() -> None:
    assert parse_deadline("Trước ngày 30/11/2023").due_on == date(2023, 11, 30)
    assert parse_deadline("2024-02-16T00:00:00").due_on == date(2024, 2, 16)
    assert parse_deadline("Quý IV/2023").due_on == date(2023, 12, 31)
    assert parse_deadline("Tháng 2/2024").due_on == date(2024, 2, 29)
    assert parse_deadline("6 tháng đầu năm 2024").due_on == date(2024, 6, 30)
    assert parse_deadline("Năm 2024").due_on == date(2024, 12, 31)
    monthly = parse_deadline("Hằng tháng, trước ngày 20")
    assert (monthly.recurrence, monthly.due_day, monthly.due_on) == ("month", 20, None)
    assert parse_deadline("Hàng quý").recurrence == "quarter"
    assert parse_deadline("Hằng tháng (kỳ báo cáo NĐ 09)").recurrence == "r09_month"
    assert parse_deadline("Báo cáo 6 tháng theo Nghị định 09").recurrence == "r09_half"
    for bad in ("", "Thường xuyên", "31/02/2024"):
        with pytest.raises(DeadlineError):
            parse_deadline(bad)


def test_import_stores_good_rows_and_refuses_bad_ones(
    tmp_path: Path, province: dict[str, OrgUnit], actor: Actor
) -> None:
    table = read_task_table(write_xlsx(tmp_path / "nhiem_vu.xlsx", ROWS, TITLE))
    assert table.directive_ref() == ("45/KH-UBND", date(2024, 1, 26))
    directive = directive_for_import(actor=actor, table=table, issuer=None)
    assert (directive.number, directive.issued_on, directive.issuer.code) == (
        "45/KH-UBND",
        date(2024, 1, 26),
        "68",
    )

    result = task_import(actor=actor, directive=directive, table=table, today=date(2024, 2, 1))
    assert (result.created, result.updated, result.unchanged, result.rejected, result.sections) == (
        3,
        0,
        0,
        4,
        1,
    )
    found = [(p.row, p.field, p.code) for p in result.problems]
    # Rows are the sheet's: two title lines, the header on row 3, the heading row on 4.
    assert found == [
        (8, "lead", "task.unknown_unit"),
        (8, "supporting", "task.unknown_unit"),
        (9, "deadline", "task.deadline_before_directive"),
        (10, "content", "task.empty_content"),
        (11, "deadline", "task.bad_deadline"),
    ]
    unknown = result.problems[0]
    assert unknown.message_vi == "Không có đơn vị 'Xã Không Có' (ghi mã hoặc đúng tên đơn vị)."
    assert unknown.message_en == "Unknown unit 'Xã Không Có' (give its code or its exact name)."
    assert unknown.file == "nhiem_vu.xlsx"
    early = result.problems[2]
    assert early.message_vi == "Thời hạn 10/05/2023 trước ngày ban hành văn bản 26/01/2024."
    assert early.message_en == "The deadline 2023-05-10 is before the directive's date 2024-01-26."

    tasks = {t.number: t for t in Task.objects.filter(directive=directive)}
    assert sorted(tasks) == ["1", "2", "3"]
    assert (tasks["1"].lead_unit.code, tasks["1"].due_on) == ("68-SYT", date(2024, 2, 16))
    assert [u.code for u in tasks["1"].supporting_units.all()] == ["68-SKHCN"]
    assert (tasks["2"].lead_unit.code, tasks["2"].due_on) == ("68-SKHCN", date(2024, 11, 30))  # by exact name
    assert sorted(u.code for u in tasks["2"].supporting_units.all()) == ["24820", "68-SYT"]
    assert (tasks["3"].recurrence, tasks["3"].starts_on) == ("r09_month", date(2024, 1, 26))
    assert list(tasks["3"].occurrences.values_list("period_key", flat=True)) == ["R09-2024M02"]

    again = task_import(actor=actor, directive=directive, table=table, today=date(2024, 2, 1))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 4)
    assert Task.objects.count() == 3


def test_a_comma_inside_a_unit_name_is_not_a_separator(
    tmp_path: Path, province: dict[str, OrgUnit], actor: Actor, directive: Directive
) -> None:
    from dieuhanh.orgunits.models import Kind
    from dieuhanh.orgunits.services import UnitSpec, orgunit_import

    orgunit_import(
        actor=actor,
        source="test",
        units=[
            UnitSpec("68-SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", Kind.DEPARTMENT, "68", date(2025, 7, 1))
        ],
    )
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [[1, "Số hóa di sản", "68-SKHCN", "Sở Văn hóa, Thể thao và Du lịch, Sở Y tế", "31/12/2024"]],
    )
    result = task_import(
        actor=actor, directive=directive, table=read_task_table(path), today=date(2024, 2, 1)
    )
    assert (result.created, result.rejected) == (1, 0)
    assert sorted(Task.objects.get().supporting_units.values_list("code", flat=True)) == [
        "68-SVHTTDL",
        "68-SYT",
    ]


def test_cli_import_json_and_exit_codes(
    tmp_path: Path, province: dict[str, OrgUnit], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_xlsx(tmp_path / "bang.xlsx", [*ROWS[1:3], ROWS[4]])
    out = StringIO()
    call_command(
        "tasks",
        "import",
        str(path),
        "--directive",
        "12/KL-BCĐ",
        "--date",
        "18/09/2023",
        "--issuer",
        "68",
        "--json",
        stdout=out,
    )
    payload = json.loads(out.getvalue())
    assert {k: payload[k] for k in ("directive", "created", "updated", "unchanged", "rejected")} == {
        "directive": "12/KL-BCĐ",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert payload["problems"][0] | {"message_vi": "", "message_en": ""} == {
        "code": "task.unknown_unit",
        "file": "bang.xlsx",
        "row": 4,
        "field": "lead",
        "message_vi": "",
        "message_en": "",
    }
    assert Directive.objects.get(number="12/KL-BCĐ").issued_on == date(2023, 9, 18)

    # An unreadable file, a broken workbook, a table naming no directive: exit 2, both languages on stderr,
    # and with --json one JSON object on stdout.
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    for argv, words, code in (
        ([str(tmp_path / "absent.xlsx")], "absent.xlsx", "file.unreadable"),
        ([str(broken)], "Không đọc được tệp Excel broken.xlsx", "file.unreadable"),
        ([str(write_xlsx(tmp_path / "plain.xlsx", ROWS[1:2]))], "--directive NUMBER", "directive.unknown"),
    ):
        with pytest.raises(SystemExit) as exit_:
            Command().run_from_argv(["dieuhanh", "tasks", "import", *argv, "--json"])
        assert exit_.value.code == 2
        out, err = capsys.readouterr()
        assert words in err and json.loads(out)["error"]["code"] == code


def test_missing_columns_are_named(tmp_path: Path, province: dict[str, OrgUnit]) -> None:
    path = tmp_path / "thieu.csv"
    path.write_text("STT,Nội dung nhiệm vụ\n1,Việc gì đó\n", encoding="utf-8")
    with pytest.raises(Exception) as exc:
        read_task_table(path)
    assert getattr(exc.value, "code", "") == "file.bad_layout"
    assert "Đơn vị chủ trì, Thời hạn" in str(exc.value)
