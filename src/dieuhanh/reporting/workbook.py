"""The form as a spreadsheet, to fill offline and upload back (the Excel round-trip).

Layout (sheet "Biểu mẫu"): the form code, unit code and period key in B3:B5, the header on row 7
and one row per element from row 8 (code in A, value in D). A hidden sheet "_meta" holds the
same identity and a fingerprint of the layout. An upload is refused as a whole when it is for
another form, unit or period, or when its layout was changed; bad values come back cell by cell.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException

from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.models import FormElement, ReportForm

SHEET = "Biểu mẫu"
META = "_meta"
HEADER_ROW = 7
FIRST_ROW = 8
VALUE_COLUMN = "D"
HEADERS = (
    "Mã chỉ tiêu / Code",
    "Chỉ tiêu / Element",
    "Đơn vị tính / Unit",
    "Giá trị / Value",
    "Ghi chú / Note",
)
FROM_RECORDS = "Lấy từ hệ thống, không nhập / from the records, not entered"
_GREY = PatternFill("solid", fgColor="E5E7EB")
_BOLD = Font(bold=True)


def layout_fingerprint(form: ReportForm, elements: list[FormElement]) -> str:
    text = "|".join([form.code, *HEADERS, *(f"{e.code}:{e.value_type}" for e in elements)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def form_workbook(
    form: ReportForm,
    elements: list[FormElement],
    unit: OrgUnit,
    period: Period,
    values: Mapping[str, float | None],
    from_records: set[str],
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = f"{form.name_vi} — {period.label('vi')}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        "Nhập số liệu vào cột D; không thêm, xoá hay đổi thứ tự dòng, cột. "
        "/ Enter values in column D; do not add, delete or reorder rows or columns."
    )
    for row, (label, key, name) in enumerate(
        [
            ("Mã biểu mẫu / Form", form.code, form.name_vi),
            ("Mã đơn vị / Unit", unit.code, unit.name),
            ("Kỳ báo cáo / Period", period.key, period.label("vi")),
        ],
        start=3,
    ):
        ws.cell(row, 1, label).font = _BOLD
        ws.cell(row, 2, key)
        ws.cell(row, 3, name)
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = _BOLD
        cell.fill = _GREY
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, e in enumerate(elements):
        r = FIRST_ROW + i
        ws.cell(r, 1, e.code)
        ws.cell(r, 2, e.name_vi + (f" ({e.name_en})" if e.name_en else ""))
        ws.cell(r, 3, "Có/Không" if e.value_type == "boolean" else e.uom)
        value = values.get(e.code)
        shown: Any = None if value is None else (int(value) if float(value).is_integer() else value)
        if e.value_type == "boolean" and value is not None and e.code not in from_records:
            shown = "Có" if value else "Không"
        cell = ws.cell(r, 4, shown)
        if e.code in from_records:
            cell.fill = _GREY
            ws.cell(r, 5, FROM_RECORDS)
        else:
            cell.protection = Protection(locked=False)
    for letter, width in zip("ABCDE", (22, 60, 14, 16, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.protection.sheet = True  # no password: it guards against slips, not against a determined user
    meta = wb.create_sheet(META)
    meta.append(["form", form.code])
    meta.append(["unit", unit.code])
    meta.append(["period", period.key])
    meta.append(["layout", layout_fingerprint(form, elements)])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _refuse(code: str, vi: str, en: str, file: str, field: str = "") -> UserError:
    return UserError(code, vi, en, problems=[Problem(code, vi, en, file=file, field=field)])


def read_form_workbook(
    data: bytes, *, file: str, form: ReportForm, elements: list[FormElement], unit: OrgUnit, period: Period
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of an uploaded form by element code, and the cell of each (for messages)."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _refuse(
            "report.xlsx_unreadable",
            f"Không đọc được tệp Excel ({exc}).",
            f"Cannot read the Excel file ({exc}).",
            file,
        ) from exc
    if SHEET not in wb.sheetnames:
        raise _refuse(
            "report.xlsx_layout",
            f"Không có trang “{SHEET}”: tệp không phải biểu mẫu tải từ dieuhanh.",
            f"No sheet “{SHEET}”: this is not a form downloaded from dieuhanh.",
            file,
        )
    ws = wb[SHEET]
    found = {"form": ws["B3"].value, "unit": ws["B4"].value, "period": ws["B5"].value}
    wanted = {"form": form.code, "unit": unit.code, "period": period.key}
    names = {
        "form": ("biểu mẫu", "form", "B3"),
        "unit": ("đơn vị", "unit", "B4"),
        "period": ("kỳ", "period", "B5"),
    }
    for key, want in wanted.items():
        got = str(found[key] or "").strip()
        if got != want:
            vi, en, cell = names[key]
            raise _refuse(
                f"report.xlsx_{key}",
                f"Tệp là của {vi} {got or '(trống)'}, không phải {want}.",
                f"The file is for {en} {got or '(empty)'}, not {want}.",
                file,
                cell,
            )
    headers = tuple(str(ws.cell(HEADER_ROW, c).value or "").strip() for c in range(1, len(HEADERS) + 1))
    codes = [str(ws.cell(FIRST_ROW + i, 1).value or "").strip() for i in range(len(elements))]
    extra = ws.cell(FIRST_ROW + len(elements), 1).value
    meta_layout = ""
    if META in wb.sheetnames:
        for row in wb[META].iter_rows(values_only=True):
            if row and row[0] == "layout":
                meta_layout = str(row[1])
    if (
        headers != HEADERS
        or codes != [e.code for e in elements]
        or extra not in (None, "")
        or meta_layout != layout_fingerprint(form, elements)
    ):
        raise _refuse(
            "report.xlsx_layout",
            "Bố cục biểu mẫu đã bị thay đổi (dòng, cột hoặc phiên bản biểu mẫu); hãy tải biểu mẫu mới.",
            "The form's layout was changed (rows, columns or form version); download a fresh form.",
            file,
        )
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    for i, e in enumerate(elements):
        cell = f"{VALUE_COLUMN}{FIRST_ROW + i}"
        values[e.code] = ws[cell].value
        where[e.code] = f"ô/cell {cell}"
    return values, where
