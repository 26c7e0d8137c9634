"""The Excel round-trip (errors cell by cell, other unit/period/layout refused) and the drafted DOCX."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.core.periods import parse_period, period_of
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.definitions import load_forms
from dieuhanh.reporting.drafting import draft_build, draft_docx
from dieuhanh.reporting.models import ReportForm
from dieuhanh.reporting.selectors import form_elements, submission_values
from dieuhanh.reporting.services import (
    submission_accept,
    submission_open,
    submission_save,
    submission_submit,
    submission_upload,
)
from dieuhanh.reporting.workbook import form_workbook
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
IN_OCT = date(2025, 10, 20)
IN_SEPT = date(2025, 9, 20)


@pytest.fixture
def officer(make_user: Callable[[str, str], User]) -> User:
    return make_user("officer", "24820")


def workbook_for(form: ReportForm, unit: OrgUnit, period: str) -> bytes:
    return form_workbook(form, form_elements(form), unit, parse_period(period), {}, set())


def fill(data: bytes, values: dict[str, object], edit: Callable[..., None] | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Biểu mẫu"]
    rows = {ws.cell(r, 1).value: r for r in range(8, ws.max_row + 1)}
    for code, value in values.items():
        ws.cell(rows[code], 4, value)
    if edit is not None:
        edit(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_round_trip_saves_the_values(form: ReportForm, province: dict[str, OrgUnit], officer: User) -> None:
    sub = submission_open(actor=Actor.of(officer), form=form, unit=province["24820"], period_key="2025M10",
                          today=IN_OCT)  # fmt: skip
    data = fill(workbook_for(form, province["24820"], "2025M10"),
                {"HSCV_TOTAL": 150, "HSCV_ONLINE": "140", "TO_CNSCD": "Có", "TO_CNSCD_THANH_VIEN": 8})  # fmt: skip
    results = submission_upload(
        actor=Actor.of(officer), submission=sub, data=data, file="xa.xlsx", today=IN_OCT
    )
    assert not [r for r in results if r.failed]
    values = submission_values(sub)
    assert (values["HSCV_TOTAL"], values["HSCV_ONLINE"], values["TO_CNSCD"], values["TO_CNSCD_THANH_VIEN"]) == (
        150, 140, 1, 8)  # fmt: skip


def test_round_trip_reports_bad_cells(form: ReportForm, province: dict[str, OrgUnit], officer: User) -> None:
    sub = submission_open(actor=Actor.of(officer), form=form, unit=province["24820"], period_key="2025M10",
                          today=IN_OCT)  # fmt: skip
    data = fill(workbook_for(form, province["24820"], "2025M10"),
                {"HSCV_TOTAL": "một trăm", "HSCV_ONLINE": 12.5, "TO_CNSCD_THANH_VIEN": 900})  # fmt: skip
    with pytest.raises(UserError) as exc:
        submission_upload(actor=Actor.of(officer), submission=sub, data=data, file="xa.xlsx", today=IN_OCT)
    # Rows 8.. hold the elements in form order: HSCV_TOTAL is D9, HSCV_ONLINE D10, members D12.
    assert [(p.file, p.field, p.code) for p in exc.value.problems] == [
        ("xa.xlsx", "ô/cell D9", "value.number"), ("xa.xlsx", "ô/cell D10", "value.integer"),
        ("xa.xlsx", "ô/cell D12", "value.range")]  # fmt: skip
    assert "HSCV_TOTAL" not in submission_values(sub)


@pytest.mark.parametrize(
    ("unit", "period", "code"),
    [("25270", "2025M10", "report.xlsx_unit"), ("24820", "2025M09", "report.xlsx_period")],
)
def test_upload_for_another_unit_or_period_is_refused(
    form: ReportForm, province: dict[str, OrgUnit], officer: User, unit: str, period: str, code: str
) -> None:
    sub = submission_open(actor=Actor.of(officer), form=form, unit=province["24820"], period_key="2025M10",
                          today=IN_OCT)  # fmt: skip
    data = fill(workbook_for(form, province[unit], period), {"HSCV_TOTAL": 1})
    with pytest.raises(UserError) as exc:
        submission_upload(actor=Actor.of(officer), submission=sub, data=data, file="x.xlsx", today=IN_OCT)
    assert exc.value.code == code


def test_changed_layout_is_refused(form: ReportForm, province: dict[str, OrgUnit], officer: User) -> None:
    sub = submission_open(actor=Actor.of(officer), form=form, unit=province["24820"], period_key="2025M10",
                          today=IN_OCT)  # fmt: skip
    data = fill(workbook_for(form, province["24820"], "2025M10"), {"HSCV_TOTAL": 1},
                edit=lambda ws: ws.insert_rows(9))  # fmt: skip
    with pytest.raises(UserError) as exc:
        submission_upload(actor=Actor.of(officer), submission=sub, data=data, file="x.xlsx", today=IN_OCT)
    assert exc.value.code == "report.xlsx_layout"
    with pytest.raises(UserError) as exc:
        submission_upload(actor=Actor.of(officer), submission=sub, data=b"not a spreadsheet", file="x.xlsx",
                          today=IN_OCT)  # fmt: skip
    assert exc.value.code == "report.xlsx_unreadable"


def test_download_and_upload_through_the_page(
    form: ReportForm, province: dict[str, OrgUnit], officer: User
) -> None:
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    month = period_of("month", timezone.localdate()).key  # the running month is open for entry
    url = f"/bao-cao/test.thang/{month}/24820/"
    response = client.get(url + "bieu-mau.xlsx")
    assert response.status_code == 200
    data = fill(
        response.content, {"HSCV_TOTAL": 10, "HSCV_ONLINE": 20, "TO_CNSCD": "không", "TO_CNSCD_THANH_VIEN": 0}
    )
    response = client.post(url + "bieu-mau.xlsx", {"file": io.BytesIO(data)}, follow=True)
    page = response.content.decode()
    assert "Hồ sơ xử lý trên mạng không được lớn hơn tổng số." in page  # the rule's warning, in Vietnamese
    assert "từ hệ thống" in page  # DVC_TIEP_NHAN, from the records (no dossiers: 0)
    # Another commune's page is not in this officer's scope.
    assert client.get(f"/bao-cao/test.thang/{month}/25270/").status_code == 404
    # A locked period shows the values but no entry fields.
    locked = client.get("/bao-cao/test.thang/2025M10/24820/").content.decode()
    assert 'name="v_HSCV_TOTAL"' not in locked and 'name="v_HSCV_TOTAL"' in client.get(url).content.decode()
    assert "Tháng 10/2025" in locked  # periods as people read them, not as keys
    home = client.get("/bao-cao/").content.decode()
    current = period_of("month", timezone.localdate()).previous()  # the latest period that has ended
    assert f'title="{current.key}">{current.label("vi")}</a>' in home and "<td>Hằng tháng</td>" in home
    assert "<dd>Hằng tháng (từ Tháng 7/2025)</dd>" in client.get("/bao-cao/test.thang/").content.decode()


def accepted_month(form: ReportForm, province: dict[str, OrgUnit], make_user: Callable[[str, str], User],
                   unit: str, period: str, today: date, values: dict[str, str]) -> None:  # fmt: skip
    officer, manager = make_user("officer", unit), make_user("manager", unit)
    sub = submission_open(
        actor=Actor.of(officer), form=form, unit=province[unit], period_key=period, today=today
    )
    submission_save(actor=Actor.of(officer), submission=sub, raw=values, today=today)
    submission_submit(actor=Actor.of(manager), submission=sub, today=today,
                      now=datetime(today.year, today.month, today.day, 3, tzinfo=UTC))  # fmt: skip
    submission_accept(actor=Actor.of(User.objects.get(username="manager-68")), submission=sub)
    officer.delete()
    manager.delete()


def test_drafted_docx_has_the_header_title_and_figures(
    form: ReportForm, province: dict[str, OrgUnit], make_user: Callable[[str, str], User], tmp_path: Path
) -> None:
    make_user("manager", "68")
    sept = {"HSCV_TOTAL": "100", "HSCV_ONLINE": "60", "TO_CNSCD": "1", "TO_CNSCD_THANH_VIEN": "5"}
    accepted_month(form, province, make_user, "24820", "2025M09", IN_SEPT, sept)
    accepted_month(form, province, make_user, "24820", "2025M10", IN_OCT,
                   {"HSCV_TOTAL": "120", "HSCV_ONLINE": "90", "TO_CNSCD": "1", "TO_CNSCD_THANH_VIEN": "6"})  # fmt: skip
    accepted_month(form, province, make_user, "25270", "2025M10", IN_OCT,
                   {"HSCV_TOTAL": "80", "HSCV_ONLINE": "30", "TO_CNSCD": "0", "TO_CNSCD_THANH_VIEN": "0"})  # fmt: skip
    # The province's summary of October: the two accepted communes, the ward missing.
    doc = Document(io.BytesIO(draft_docx(draft_build(form, province["68"], "2025M10"))))
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert header[0].splitlines()[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG"]
    assert "Số:" in header[0] and "/BC-UBND" in header[0]
    assert header[1].splitlines()[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert header[1].splitlines()[-1].startswith("Lâm Đồng, ngày")
    text = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in text
    assert "Tình hình thực hiện chuyển đổi số tháng 10/2025" in text
    body = "\n".join(text)
    assert "Số đơn vị phải báo cáo: 3; đã gửi: 2" in body
    assert "Các đơn vị chưa gửi báo cáo: Phường Xuân Hương - Đà Lạt." in body
    # 120 + 80 work records; 24820 alone had 100 in September (the same units are compared: 25270's
    # September is not accepted, so the previous figure is 24820's 100).
    assert (
        "- Số hồ sơ công việc: 200 hồ sơ, tăng 100 hồ sơ (+100%) so với kỳ trước; đạt mục tiêu 100." in body
    )
    assert "- Hồ sơ công việc xử lý trên mạng: 120 hồ sơ, tăng 60 hồ sơ (+100%) so với kỳ trước." in body
    assert "- Đã có tổ công nghệ số cộng đồng: 1 đơn vị." in body
    figures = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert figures[0][:4] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này"]
    assert figures[2][1:] == ["Số hồ sơ công việc", "hồ sơ", "200", "100", "+100", "100", "Đạt"]
    footer = doc.tables[-1].rows[0].cells
    assert footer[0].text.startswith("Nơi nhận:")
    assert "CHỦ TỊCH" in footer[1].text
    # A commune's own report: its own figures and its own header.
    own = Document(io.BytesIO(draft_docx(draft_build(form, province["25270"], "2025M10"))))
    assert own.tables[0].rows[0].cells[0].text.splitlines()[:2] == ["ỦY BAN NHÂN DÂN", "XÃ ĐẠ TẺH"]
    assert own.tables[0].rows[0].cells[1].text.splitlines()[-1].startswith("Đạ Tẻh, ngày")
    assert "- Số hồ sơ công việc: 80 hồ sơ, chưa đạt mục tiêu 100." in "\n".join(
        p.text for p in own.paragraphs
    )


def test_report_commands(form: ReportForm, province: dict[str, OrgUnit], tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    call_command("report", "list", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert {"code": "test.thang", "name": "Báo cáo tháng thử nghiệm", "regime": "month"}.items() <= rows[
        0
    ].items()
    call_command("report", "draft", "test.thang", "--unit", "68", "--period", "2025M10", "--out",
                 str(tmp_path / "out" / "bc.docx"))  # fmt: skip
    assert (tmp_path / "out" / "bc.docx").stat().st_size > 0
    wb = load_workbook(tmp_path / "out" / "bc.xlsx")
    assert wb.sheetnames == ["Số liệu", "Đơn vị"]
    assert [c.value for c in wb["Đơn vị"]["A"]][1:] == ["24781", "24820", "25270"]
    with pytest.raises(UserError):
        call_command("report", "draft", "test.thang", "--unit", "68", "--period", "2025Q3", "--out",
                     str(tmp_path / "x.docx"))  # fmt: skip


def test_shipped_forms_load_and_bad_files_name_file_and_line(tmp_path: Path) -> None:
    forms, problems = load_forms()
    assert problems == []
    assert {f.code for f in forms} >= {"bc.cds_xa_thang", "bc.cds_so_quy"}
    bad = tmp_path / "pack" / "forms"
    bad.mkdir(parents=True)
    (bad / "bad.yaml").write_text(
        "forms:\n"
        "  - code: bad.one\n    name: {vi: Hỏng}\n    regime: month\n    first_period: 2025Q3\n"
        "    submitters: {kinds: [commune]}\n    deadline: {working_days: 5}\n    elements: [{code: A_B, name: x}]\n"
        "  - code: bad.two\n    name: {vi: Hỏng}\n    regime: month\n    first_period: 2025M07\n"
        "    submitters: {kinds: [commune]}\n    deadline: {working_days: 5}\n    elements: [{code: A_B, name: x}]\n"
        "    rules: [{code: r, left: A_B, op: '<=', right: '__import__(1)', message: x}]\n",
        encoding="utf-8",
    )
    forms, problems = load_forms([tmp_path / "pack"])
    assert forms == []
    assert [(p.row, p.code) for p in problems] == [(5, "form.first_period"), (16, "form.expression")]
    assert problems[0].file.endswith("bad.yaml")


def test_resync_updates_in_place_and_deactivates_what_a_file_dropped(
    form: ReportForm, tmp_path: Path, actor: Actor
) -> None:
    from dieuhanh.reporting.services import report_forms_sync

    again = report_forms_sync(actor=actor, roots=[tmp_path / "pack"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    path = tmp_path / "pack" / "forms" / "test.yaml"
    text = path.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if "code: TY_LE" not in line)
    path.write_text(text.replace("Số thành viên tổ", "Số thành viên của tổ"), encoding="utf-8")
    changed = report_forms_sync(actor=actor, roots=[tmp_path / "pack"])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    element = form.elements.get(code="TO_CNSCD_THANH_VIEN")
    assert element.name_vi == "Số thành viên của tổ" and element.active
    assert not form.elements.get(code="TY_LE").active
    assert [e.code for e in form_elements(form)] == ["DVC_TIEP_NHAN", "HSCV_TOTAL", "HSCV_ONLINE", "TO_CNSCD",
                                                     "TO_CNSCD_THANH_VIEN"]  # fmt: skip
