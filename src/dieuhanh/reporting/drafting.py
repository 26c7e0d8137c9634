"""The drafted report: a DOCX laid out as a Vietnamese administrative document (Decree 30/2020/NĐ-CP,
Appendix I) with the figures, their change on the previous period and their targets, plus the same
data as XLSX. We draft; people edit, number and sign.

Layout (Decree 30/2020, Appendix I, as applied to a report, "báo cáo"):

* a two-column header: the issuing body (its superior above it, upper case; the body in bold) and
  "Số:      /BC-…" on the left; the national emblem line "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and
  "Độc lập - Tự do - Hạnh phúc" (bold), then place and date (italic) on the right;
* the title "BÁO CÁO" and its summary line, centred and bold;
* the body in Times New Roman 14, justified; tables in 12;
* "Nơi nhận:" (bold italic) with its list at the bottom left, the signer's title and a signature
  placeholder at the bottom right;
* A4, margins top/bottom 20 mm, left 30 mm, right 15 mm.

Figures for a unit that submits the form are its own submission; for a unit above, the sum (or the
mean, for shares) of the accepted submissions under it, stating how many were accepted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from dieuhanh.core.errors import UserError
from dieuhanh.core.periods import Period
from dieuhanh.orgunits.models import Kind, OrgUnit
from dieuhanh.reporting.models import FormElement, ReportForm, Submission, SubmissionStatus
from dieuhanh.reporting.selectors import (
    Completeness,
    completeness,
    form_elements,
    form_period,
    is_expected,
    prefill,
    submission_find,
    submission_values,
)
from dieuhanh.reporting.values import display_value

FONT = "Times New Roman"


@dataclass
class Figure:
    element: FormElement
    value: float | None
    previous: float | None
    counted: bool = False  # a yes/no element summed over units: the number of units answering yes

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def meets_target(self) -> bool | None:
        if self.element.target is None or self.value is None:
            return None
        return self.value >= self.element.target


@dataclass
class Draft:
    form: ReportForm
    unit: OrgUnit
    period: Period
    figures: list[Figure]
    own: bool  # the unit submits the form itself
    status: str  # own: the submission's state; above: "n/N accepted"
    completeness: Completeness | None
    child_values: list[tuple[OrgUnit, str, dict[str, float | None]]] = field(default_factory=list)
    drafted_on: date = field(default_factory=timezone.localdate)


def _aggregate(element: FormElement, values: list[float]) -> float | None:
    if not values:
        return None
    return (
        fmean(values)
        if element.aggregate == "mean" and element.value_type != "boolean"
        else float(sum(values))
    )


def unit_figures(
    form: ReportForm, unit: OrgUnit, period: Period, *, only: set[int] | None = None
) -> tuple[dict[str, float | None], bool, str]:
    """(values by element, the unit submits itself, state) for a unit and a period.

    Above the submitting units, the accepted submissions under `unit` are summed (or averaged);
    `only` restricts them to some units (the previous period is compared on the same units).
    Yes/no elements are counted: how many units answered yes.
    """
    elements = form_elements(form)
    if is_expected(form, unit, period):
        sub = submission_find(form, unit, period)
        values: dict[str, float | None] = submission_values(sub) if sub else {}
        if sub is None:
            values = prefill(form, unit, period)
        return values, True, sub.status if sub else "missing"
    accepted = Submission.objects.filter(
        form=form, period=period.key, status=SubmissionStatus.ACCEPTED, unit__ancestor_links__ancestor=unit
    )
    if only is not None:
        accepted = accepted.filter(unit_id__in=only)
    by_element: dict[str, list[float]] = {e.code: [] for e in elements}
    for code, value in accepted.values_list("values__element__code", "values__value"):
        if code in by_element and value is not None:
            by_element[code].append(value)
    return {e.code: _aggregate(e, by_element[e.code]) for e in elements}, False, ""


def draft_build(form: ReportForm, unit: OrgUnit, period_key: str) -> Draft:
    period = form_period(form, period_key)
    values, own, state = unit_figures(form, unit, period)
    try:
        previous_period: Period | None = form_period(form, period.previous().key)
    except UserError:
        previous_period = None
    same_units = None
    if not own:  # compare like with like: the units accepted in this period, in both periods
        same_units = set(
            Submission.objects.filter(
                form=form,
                period=period.key,
                status=SubmissionStatus.ACCEPTED,
                unit__ancestor_links__ancestor=unit,
            ).values_list("unit_id", flat=True)
        )
    previous = unit_figures(form, unit, previous_period, only=same_units)[0] if previous_period else {}
    figures = [
        Figure(e, values.get(e.code), previous.get(e.code), counted=not own and e.value_type == "boolean")
        for e in form_elements(form)
    ]
    comp = None if own else completeness(form, period, within=unit)
    draft = Draft(form, unit, period, figures, own, state, comp)
    if comp is not None:
        subs = {r.unit.pk: r for r in comp.rows}
        accepted = {
            s.unit_id: submission_values(s)
            for s in Submission.objects.filter(
                form=form, period=period.key, unit_id__in=list(subs), status=SubmissionStatus.ACCEPTED
            )
        }
        draft.child_values = [(r.unit, r.state, accepted.get(r.unit.pk, {})) for r in comp.rows]
        draft.status = f"{comp.accepted}/{comp.expected}"
    return draft


# --------------------------------------------------------------------------------------------- text


def issuing_body(unit: OrgUnit) -> tuple[str, str]:
    """(superior line, body line), upper case, as in the header of a document from `unit`."""
    parent = unit.parent
    if unit.kind in (Kind.PROVINCE, Kind.COMMUNE, Kind.WARD, Kind.SPECIAL_ZONE, Kind.DISTRICT):
        return "", f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}"
    superior = (
        f"UBND {parent.name.upper()}"
        if parent is not None and parent.kind == Kind.PROVINCE
        else (parent.name.upper() if parent is not None else "")
    )
    return superior, unit.name.upper()


def sign_abbreviation(unit: OrgUnit) -> str:
    if unit.kind == Kind.DEPARTMENT and "-" in unit.code:
        return unit.code.split("-", 1)[1].upper()
    return "UBND"


def place_name(unit: OrgUnit) -> str:
    """The place in "…, ngày … tháng … năm …": the province for it and its agencies, else the unit."""
    node: OrgUnit | None = unit
    if unit.kind in (Kind.COMMUNE, Kind.WARD, Kind.SPECIAL_ZONE):
        for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
            if unit.name.startswith(prefix):
                return unit.name.removeprefix(prefix)
        return unit.name
    while node is not None and node.kind != Kind.PROVINCE:
        node = node.parent
    name = node.name if node is not None else unit.name
    for prefix in ("Tỉnh ", "Thành phố "):
        name = name.removeprefix(prefix)
    return name


def signer_title(unit: OrgUnit) -> tuple[str, str]:
    if unit.kind == Kind.DEPARTMENT:
        return "", "GIÁM ĐỐC"
    return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def report_title(draft: Draft) -> str:
    base = draft.form.title_vi or draft.form.name_vi
    return f"{base} {_lower_first(draft.period.label('vi'))}"


def figure_sentence(f: Figure) -> str:
    e = f.element
    if f.counted:
        if f.value is None:
            return f"{e.name_vi}: chưa có số liệu."
        text = f"{e.name_vi}: {display_value(f.value, 'integer')} đơn vị"
        if f.change is not None and abs(f.change) > 1e-9:
            text += f", {'tăng' if f.change > 0 else 'giảm'} {display_value(abs(f.change), 'integer')} so với kỳ trước"
        return text + "."
    uom = "" if e.value_type in ("boolean", "percent") else f" {e.uom}".rstrip()
    unit_sign = "%" if e.value_type == "percent" else ""
    if f.value is None:
        return f"{e.name_vi}: chưa có số liệu."
    text = f"{e.name_vi}: {display_value(f.value, e.value_type)}{unit_sign}{uom}"
    notes = []
    change = f.change
    if change is not None and e.value_type != "boolean":
        points = " điểm phần trăm" if e.value_type == "percent" else ""
        if abs(change) < 1e-9:
            notes.append("không đổi so với kỳ trước")
        else:
            word = "tăng" if change > 0 else "giảm"
            relative = ""
            if f.previous:
                sign = "+" if change > 0 else "−"
                relative = f" ({sign}{display_value(abs(100 * change / f.previous), 'number')}%)"
            notes.append(
                f"{word} {display_value(abs(change), e.value_type)}{points}{uom}{relative} so với kỳ trước"
            )
    if f.meets_target is not None and e.target is not None:
        target = f"{display_value(e.target, e.value_type)}{unit_sign}"
        notes.append(f"{'đạt' if f.meets_target else 'chưa đạt'} mục tiêu {target}")
    return text + (f", {'; '.join(notes)}" if notes else "") + "."


# --------------------------------------------------------------------------------------------- DOCX


def _run(
    paragraph: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 14,
    underline: bool = False,
) -> Any:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return run


def _para(
    container: Any,
    text: str = "",
    *,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    bold: bool = False,
    italic: bool = False,
    size: float = 14,
    indent: bool = False,
    after: float = 6,
    before: float = 0,
) -> Any:
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(before)
    if indent:
        p.paragraph_format.first_line_indent = Mm(12.7)
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _cell_text(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 12,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, bold=bold, italic=italic, size=size)


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _widths(table: Any, *widths: Any) -> None:
    """Fixed column widths (Word and LibreOffice honour the cells' and the grid's widths)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
        for cell in col.cells:
            cell.width = width


def _grid(table: Any) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER


def draft_docx(draft: Draft) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)

    unit = draft.unit
    superior, body = issuing_body(unit)
    header = doc.add_table(rows=1, cols=2)
    _no_borders(header)
    _widths(header, Mm(68), Mm(97))
    left, right = header.rows[0].cells
    if superior:
        _cell_text(left, superior, size=12)
        p = left.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, body, bold=True, size=12)
    else:
        _cell_text(left, body, bold=True, size=12)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "————————", size=10)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, f"Số:       /BC-{sign_abbreviation(unit)}", size=13)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "——————————————", size=10)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d = draft.drafted_on
    _run(p, f"{place_name(unit)}, ngày      tháng {d.month:02d} năm {d.year}", italic=True, size=14)

    _para(doc, "", after=0)
    _para(doc, "BÁO CÁO", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=0)
    _para(doc, report_title(draft), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)
    if draft.form.legal_basis:
        _para(doc, f"Căn cứ {draft.form.legal_basis};", indent=True)
    _para(doc, f"{unit.name} báo cáo {_lower_first(report_title(draft))} như sau:", indent=True)

    _para(doc, "I. TÌNH HÌNH THU THẬP SỐ LIỆU", bold=True)
    period = draft.period
    if draft.own:
        state = {
            "accepted": "đã được cấp trên duyệt",
            "submitted": "đã gửi, chờ cấp trên duyệt",
            "returned": "bị trả lại để chỉnh sửa",
            "draft": "đang soạn",
            "missing": "chưa nhập",
        }.get(draft.status, draft.status)
        last_day = period.end - timedelta(days=1)
        _para(
            doc,
            f"Kỳ báo cáo: {period.label('vi')} ({period.start:%d/%m/%Y} – {last_day:%d/%m/%Y}). "
            f"Số liệu của đơn vị {state}.",
            indent=True,
        )
    elif draft.completeness is not None:
        c = draft.completeness
        _para(
            doc,
            f"Kỳ báo cáo: {period.label('vi')}; hạn gửi {c.deadline:%d/%m/%Y}. Số đơn vị phải báo cáo: "
            f"{c.expected}; đã gửi: {c.submitted} (đúng hạn: {c.on_time}, trễ hạn: {c.late}); chưa gửi: "
            f"{c.missing}; đã duyệt: {c.accepted}. Số liệu tổng hợp dưới đây là của {c.accepted} báo cáo "
            "đã được duyệt.",
            indent=True,
        )
        missing = [r.unit.name for r in c.rows if not r.delivered]
        if missing:
            shown = ", ".join(missing[:15]) + (
                f" và {len(missing) - 15} đơn vị khác" if len(missing) > 15 else ""
            )
            _para(doc, f"Các đơn vị chưa gửi báo cáo: {shown}.", indent=True)

    _para(doc, "II. KẾT QUẢ THỰC HIỆN", bold=True)
    section_name = None
    for f in draft.figures:
        if f.element.section and f.element.section != section_name:
            section_name = f.element.section
            _para(doc, section_name, italic=True, bold=True, indent=True)
        _para(doc, f"- {figure_sentence(f)}", indent=True)
    _para(
        doc,
        "Biểu 1. Số liệu kỳ báo cáo, so sánh với kỳ trước và mục tiêu",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        italic=True,
        size=13,
    )
    _figures_table(doc, draft)

    _para(doc, "III. ĐÁNH GIÁ, ĐỀ XUẤT, KIẾN NGHỊ", bold=True, before=12)
    _para(doc, "[Đơn vị bổ sung đánh giá, khó khăn, vướng mắc và kiến nghị.]", italic=True, indent=True)

    if draft.child_values:
        _para(
            doc,
            "Phụ lục. Tình hình gửi báo cáo và số liệu của các đơn vị",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            bold=True,
            size=13,
        )
        _children_table(doc, draft)

    _para(doc, "", after=0)
    footer = doc.add_table(rows=1, cols=2)
    _no_borders(footer)
    _widths(footer, Mm(80), Mm(85))
    left, right = footer.rows[0].cells
    p = left.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    recipients = draft.form.recipients if draft.own else draft.form.summary_recipients
    for r in recipients or ["Như trên;", "Lưu: VT."]:
        q = left.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _run(q, f"- {r}", size=11)
    over, title = signer_title(unit)
    if over:
        _cell_text(right, over, bold=True, size=14)
        q = right.add_paragraph()
        q.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(q, title, bold=True, size=14)
    else:
        _cell_text(right, title, bold=True, size=14)
    q = right.add_paragraph()
    q.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(q, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, size=12)
    for _ in range(3):
        right.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fmt(value: float | None, e: FormElement, counted: bool = False) -> str:
    return "—" if value is None else display_value(value, "integer" if counted else e.value_type)


def _change_text(change: float | None, e: FormElement, counted: bool = False) -> str:
    if change is None or (e.value_type == "boolean" and not counted):
        return "—"
    if abs(change) < 1e-9:
        return "0"
    return ("+" if change > 0 else "−") + display_value(abs(change), e.value_type)


def _figures_table(doc: Any, draft: Draft) -> None:
    heads = ("TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước", "Tăng, giảm", "Mục tiêu", "Đánh giá")
    table = doc.add_table(rows=1 + len(draft.figures), cols=len(heads))
    _grid(table)
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        _cell_text(cell, text, bold=True)
    for i, f in enumerate(draft.figures, start=1):
        e = f.element
        change = f.change
        cells = table.rows[i].cells
        uom = (
            "%"
            if e.value_type == "percent"
            else ("đơn vị" if f.counted else "" if e.value_type == "boolean" else e.uom)
        )
        texts = (
            str(i),
            e.name_vi,
            uom,
            _fmt(f.value, e, f.counted),
            _fmt(f.previous, e, f.counted),
            _change_text(change, e, f.counted),
            _fmt(e.target, e),
            "" if f.meets_target is None else ("Đạt" if f.meets_target else "Chưa đạt"),
        )
        for j, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            _cell_text(cell, text, align=WD_ALIGN_PARAGRAPH.LEFT if j == 1 else WD_ALIGN_PARAGRAPH.CENTER)
    _widths(table, *(Mm(w) for w in (10, 55, 18, 18, 18, 16, 15, 15)))


STATE_VI = {
    "accepted": "Đã duyệt",
    "submitted": "Chờ duyệt",
    "returned": "Trả lại",
    "draft": "Đang soạn",
    "missing": "Chưa gửi",
}


def _children_table(doc: Any, draft: Draft) -> None:
    elements = [f.element for f in draft.figures][:4]
    heads = ("TT", "Đơn vị", "Tình trạng", "Ngày gửi", *(e.name_vi for e in elements))
    table = doc.add_table(rows=1 + len(draft.child_values), cols=len(heads))
    _grid(table)
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        _cell_text(cell, text, bold=True, size=10)
    rows = {r.unit.pk: r for r in (draft.completeness.rows if draft.completeness else [])}
    for i, (unit, state, values) in enumerate(draft.child_values, start=1):
        row = rows.get(unit.pk)
        sent = row.submitted_on.strftime("%d/%m/%Y") if row and row.submitted_on else ""
        late = " (trễ)" if row and row.delivered and row.on_time is False else ""
        texts = (
            str(i),
            unit.name,
            STATE_VI.get(state, state) + late,
            sent,
            *(_fmt(values.get(e.code), e) for e in elements),
        )
        for j, (cell, text) in enumerate(zip(table.rows[i].cells, texts, strict=True)):
            _cell_text(
                cell, text, size=10, align=WD_ALIGN_PARAGRAPH.LEFT if j == 1 else WD_ALIGN_PARAGRAPH.CENTER
            )
    value_width = (165 - 9 - 38 - 20 - 20) / max(1, len(elements))
    _widths(table, Mm(9), Mm(38), Mm(20), Mm(20), *(Mm(value_width) for _ in elements))


# --------------------------------------------------------------------------------------------- XLSX


def draft_xlsx(draft: Draft) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Số liệu"
    ws.append([f"{draft.unit.name} — {report_title(draft)}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(
        ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước", "Tăng, giảm", "Mục tiêu", "Đánh giá"]
    )
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for f in draft.figures:
        e = f.element
        ws.append(
            [
                e.code,
                e.name_vi,
                "%" if e.value_type == "percent" else e.uom,
                f.value,
                f.previous,
                f.change,
                e.target,
                None if f.meets_target is None else ("Đạt" if f.meets_target else "Chưa đạt"),
            ]
        )
    for col, width in zip("ABCDEFGH", (20, 56, 12, 12, 12, 12, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    if draft.child_values:
        units = wb.create_sheet("Đơn vị")
        elements = [f.element for f in draft.figures]
        units.append(
            ["Mã đơn vị", "Đơn vị", "Tình trạng", "Ngày gửi", "Đúng hạn", *(e.code for e in elements)]
        )
        for cell in units[1]:
            cell.font = Font(bold=True)
        rows = {r.unit.pk: r for r in (draft.completeness.rows if draft.completeness else [])}
        for unit, state, values in draft.child_values:
            row = rows.get(unit.pk)
            units.append(
                [
                    unit.code,
                    unit.name,
                    STATE_VI.get(state, state),
                    row.submitted_on if row and row.submitted_on else None,
                    None if not row or row.on_time is None else ("Có" if row.on_time else "Không"),
                    *(values.get(e.code) for e in elements),
                ]
            )
        units.column_dimensions["B"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
