"""XLSX exports: a unit's tasks and the overdue list, in the layout provinces send around
(Vietnamese headers first; the English name of each column in the second row)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dieuhanh.steering.schedule import RECURRENCE_LABELS
from dieuhanh.steering.selectors import TaskLine

COLUMNS = [
    ("STT", "No.", 6),
    ("Văn bản", "Directive", 18),
    ("Nội dung nhiệm vụ", "Task", 60),
    ("Đơn vị chủ trì", "Lead unit", 28),
    ("Đơn vị phối hợp", "Supporting units", 28),
    ("Chu kỳ", "Recurrence", 14),
    ("Kỳ", "Period", 12),
    ("Thời hạn", "Deadline", 12),
    ("Hạn sau gia hạn", "Extended deadline", 14),
    ("Tiến độ (%)", "Progress (%)", 10),
    ("Trạng thái", "Status", 18),
    ("Ngày hoàn thành", "Done on", 14),
    ("Số ngày quá hạn", "Days overdue", 12),
]
_HEAD = PatternFill("solid", fgColor="DDE3EA")


def tasks_xlsx(lines: list[TaskLine], *, title: str, today: date) -> bytes:
    """The lines as an XLSX workbook (one sheet), with a title row and the date of the export."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nhiem vu"
    sheet.append([title])
    sheet.append([f"Ngày xuất / exported: {today:%d/%m/%Y}"])
    sheet.append([c[0] for c in COLUMNS])
    sheet.append([c[1] for c in COLUMNS])
    sheet["A1"].font = Font(bold=True, size=13)
    for row in (3, 4):
        for col in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=row, column=col)
            cell.font = Font(bold=row == 3, italic=row == 4)
            cell.fill = _HEAD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, x in enumerate(lines, start=1):
        sheet.append(
            [
                x.number or str(i),
                x.directive,
                x.content,
                x.lead_unit_name,
                "; ".join(x.supporting_names),
                RECURRENCE_LABELS[x.recurrence][0],
                x.period,
                x.due_on,
                x.deadline if x.extended else None,
                x.percent,
                x.status_vi,
                x.done_on,
                x.days_overdue or None,
            ]
        )
    for col, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
