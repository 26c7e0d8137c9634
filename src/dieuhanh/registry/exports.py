"""XLSX exports: the inventory, and the systems lacking an approved level (the annual list a
province sends to the ministry). Headers are the import's, so an export can be edited and re-imported."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from dieuhanh.registry.models import InformationSystem
from dieuhanh.registry.selectors import approval_status, system_flags, system_suggestions

INVENTORY_HEADERS = [
    "Mã hệ thống", "Tên hệ thống", "Đơn vị chủ quản", "Tên đơn vị chủ quản", "Đơn vị vận hành", "Loại hệ thống",
    "Trạng thái", "Cấp độ", "Số quyết định phê duyệt", "Ngày phê duyệt", "Căn cứ pháp lý", "Trạng thái phê duyệt",
    "Cảnh báo",
]  # fmt: skip
UNAPPROVED_HEADERS = [
    "Mã hệ thống", "Tên hệ thống", "Đơn vị chủ quản", "Tên đơn vị chủ quản", "Loại hệ thống", "Trạng thái",
    "Cấp độ đề xuất theo tiêu chí", "Căn cứ đề xuất", "Trạng thái hồ sơ",
]  # fmt: skip
# Vietnamese words the importer reads back (readers._KIND_WORDS, _STATUS_WORDS).
KIND_VI = {"one_stop_shop": "Một cửa điện tử", "document_management": "Quản lý văn bản",
           "portal": "Cổng thông tin điện tử", "ioc": "Trung tâm điều hành thông minh", "lgsp": "Nền tảng tích hợp",
           "sector_database": "CSDL chuyên ngành", "internal": "Hệ thống nội bộ", "other": "Khác"}  # fmt: skip
STATUS_VI = {"planned": "Kế hoạch", "operating": "Đang vận hành", "retired": "Ngừng hoạt động"}
_APPROVAL_VI = {"approved": "Đã phê duyệt", "draft": "Đang lập hồ sơ", "submitted": "Đã trình",
                "appraised": "Đã thẩm định", "returned": "Bị trả lại", "none": "Chưa có hồ sơ"}  # fmt: skip


def _book(title: str, headers: list[str], rows: Iterable[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, min(60, len(header) + 6))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_inventory(systems: Iterable[InformationSystem]) -> bytes:
    def row(s: InformationSystem) -> list[object]:
        a = s.approval
        flags = system_flags(s)
        warn = []
        if flags.unapproved:
            warn.append(f"Chưa phê duyệt cấp độ ({_APPROVAL_VI.get(approval_status(s), '')})")
        if flags.facts_changed:
            warn.append("Thông tin thay đổi sau phê duyệt: " + ", ".join(flags.changed_fields))
        return [s.code, s.name, s.owner_unit.code, s.owner_unit.name,
                s.operating_unit.code if s.operating_unit else "", KIND_VI[s.kind], STATUS_VI[s.status],
                a.proposed_level if a else None, a.decision_number if a else "", a.decision_date if a else None,
                a.legal_basis if a else "", "Đã phê duyệt" if a else "Chưa phê duyệt", "; ".join(warn)]  # fmt: skip

    return _book("Danh muc HTTT", INVENTORY_HEADERS, (row(s) for s in systems))


def export_unapproved(systems: Iterable[InformationSystem]) -> bytes:
    def row(s: InformationSystem) -> list[object]:
        suggestion = system_suggestions(s)[0]
        return [s.code, s.name, s.owner_unit.code, s.owner_unit.name, KIND_VI[s.kind], STATUS_VI[s.status],
                suggestion.level, suggestion.basis_vi, _APPROVAL_VI.get(approval_status(s), "")]  # fmt: skip

    return _book("Chua phe duyet cap do", UNAPPROVED_HEADERS, (row(s) for s in systems))
