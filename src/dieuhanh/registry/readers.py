"""Reading the inventory of information systems from XLSX or CSV with Vietnamese headers.

The layout (docs/registry.md): "Tên hệ thống" and "Đơn vị chủ quản" (unit code) are required;
"Mã hệ thống", "Đơn vị vận hành", "Loại hệ thống", "Trạng thái", "Cấp độ",
"Số quyết định phê duyệt", "Ngày phê duyệt", "Ngày trình", "Căn cứ pháp lý",
"Trạng thái phê duyệt", "Hạ tầng", "Giải quyết TTHC", "Số người có dữ liệu cá nhân" and "Mô tả"
are optional. English headers work too. A row that cannot be read is reported with its row,
field and reason and left out; the other rows go on to `system_import`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from dieuhanh.core.errors import Problem, ProblemList, UserError
from dieuhanh.core.tabular import Row, TableFile, fold
from dieuhanh.registry.models import Hosting, SystemKind, SystemStatus

ALIASES = {
    "mã hệ thống": "code", "mã": "code", "code": "code", "system code": "code",
    "tên hệ thống": "name", "tên hệ thống thông tin": "name", "tên": "name", "name": "name", "system": "name",
    "đơn vị chủ quản": "owner", "mã đơn vị chủ quản": "owner", "chủ quản": "owner", "owner": "owner",
    "owner unit": "owner",
    "đơn vị vận hành": "operator", "mã đơn vị vận hành": "operator", "operating unit": "operator",
    "operator": "operator",
    "loại hệ thống": "kind", "loại": "kind", "kind": "kind",
    "trạng thái": "status", "tình trạng": "status", "status": "status",
    "cấp độ": "level", "cấp độ an toàn thông tin": "level", "cấp độ đề xuất": "level", "level": "level",
    "số quyết định phê duyệt": "decision_number", "số quyết định": "decision_number",
    "số qđ phê duyệt": "decision_number", "decision number": "decision_number",
    "ngày phê duyệt": "decision_date", "ngày quyết định": "decision_date", "decision date": "decision_date",
    "approval date": "decision_date",
    "ngày trình": "submitted_on", "ngày trình hồ sơ": "submitted_on", "submitted on": "submitted_on",
    "submission date": "submitted_on",
    "căn cứ pháp lý": "legal_basis", "căn cứ": "legal_basis", "legal basis": "legal_basis",
    "trạng thái phê duyệt": "approval_status", "tình trạng phê duyệt": "approval_status",
    "approval status": "approval_status",
    "hạ tầng": "hosting", "nơi đặt hệ thống": "hosting", "hosting": "hosting",
    "giải quyết tthc": "handles_procedures", "giải quyết thủ tục hành chính": "handles_procedures",
    "handles procedures": "handles_procedures",
    "số người có dữ liệu cá nhân": "data_subjects", "số chủ thể dữ liệu": "data_subjects",
    "data subjects": "data_subjects",
    "mô tả": "description", "description": "description",
}  # fmt: skip

_KIND_WORDS = {
    "mot cua": SystemKind.ONE_STOP_SHOP, "mot cua dien tu": SystemKind.ONE_STOP_SHOP,
    "giai quyet tthc": SystemKind.ONE_STOP_SHOP, "one-stop-shop": SystemKind.ONE_STOP_SHOP,
    "quan ly van ban": SystemKind.DOCUMENTS, "van ban": SystemKind.DOCUMENTS, "qlvb": SystemKind.DOCUMENTS,
    "quan ly van ban va dieu hanh": SystemKind.DOCUMENTS,
    "cong thong tin": SystemKind.PORTAL, "cong thong tin dien tu": SystemKind.PORTAL, "cong": SystemKind.PORTAL,
    "ioc": SystemKind.IOC, "trung tam dieu hanh": SystemKind.IOC, "trung tam dieu hanh thong minh": SystemKind.IOC,
    "lgsp": SystemKind.LGSP, "nen tang tich hop": SystemKind.LGSP,
    "nen tang tich hop, chia se du lieu": SystemKind.LGSP,
    "co so du lieu": SystemKind.SECTOR_DATABASE, "csdl": SystemKind.SECTOR_DATABASE,
    "co so du lieu chuyen nganh": SystemKind.SECTOR_DATABASE, "csdl chuyen nganh": SystemKind.SECTOR_DATABASE,
    "noi bo": SystemKind.INTERNAL, "he thong noi bo": SystemKind.INTERNAL, "khac": SystemKind.OTHER,
}  # fmt: skip
_STATUS_WORDS = {
    "dang van hanh": SystemStatus.OPERATING, "van hanh": SystemStatus.OPERATING, "hoat dong": SystemStatus.OPERATING,
    "dang hoat dong": SystemStatus.OPERATING, "in operation": SystemStatus.OPERATING,
    "ke hoach": SystemStatus.PLANNED, "du kien": SystemStatus.PLANNED, "dang xay dung": SystemStatus.PLANNED,
    "dang trien khai": SystemStatus.PLANNED,
    "ngung": SystemStatus.RETIRED, "da ngung": SystemStatus.RETIRED, "ngung hoat dong": SystemStatus.RETIRED,
    "ngung van hanh": SystemStatus.RETIRED,
}  # fmt: skip
_HOSTING_WORDS = {
    "trung tam du lieu": Hosting.DATA_CENTRE, "trung tam du lieu tinh": Hosting.DATA_CENTRE,
    "dien toan dam may": Hosting.CLOUD, "thue dich vu": Hosting.CLOUD, "cloud": Hosting.CLOUD,
    "tai don vi": Hosting.ON_PREMISES, "may chu tai don vi": Hosting.ON_PREMISES,
    "trung uong": Hosting.NATIONAL, "ha tang trung uong": Hosting.NATIONAL, "khac": Hosting.OTHER,
}  # fmt: skip
_APPROVED_WORDS = {"da phe duyet", "phe duyet", "approved", "co"}
_NOT_APPROVED_WORDS = {"chua phe duyet", "chua", "not approved", "khong", "dang trinh", "dang tham dinh"}
_TRUE = {"co", "yes", "true", "1", "x"}
_FALSE = {"khong", "no", "false", "0"}


@dataclass(frozen=True)
class SystemRow:
    row: int
    name: str
    owner_code: str
    code: str = ""
    operator_code: str = ""
    kind: str | None = None
    status: str | None = None
    hosting: str | None = None
    description: str | None = None
    handles_procedures: bool | None = None
    data_subjects: int | None = None
    level: int | None = None
    decision_number: str = ""
    decision_date: date | None = None
    submitted_on: date | None = None
    legal_basis: str = ""
    approval_claimed: bool = False  # the row says the level is approved (a date, a number or the status)


def parse_date(text: str) -> date:
    """ISO (2023-11-28, or a spreadsheet datetime) or Vietnamese day-first (28/11/2023) dates."""
    text = text.strip()
    if "T" in text or " " in text:
        return datetime.fromisoformat(text.replace(" ", "T")).date()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    return date.fromisoformat(text)


def _word(
    row: Row, name: str, words: Mapping[str, str], choices: list[str], problems: ProblemList
) -> str | None:
    raw = row.get(name)
    if not raw:
        return None
    key = fold(raw)
    if raw in choices:
        return raw
    if key in words:
        return str(words[key])
    problems.add("registry.bad_value", f"Giá trị không nhận ra: {raw!r}.", f"Unrecognised value {raw!r}.",
                 row=row.number, field=name)  # fmt: skip
    return None


def _date(row: Row, name: str, problems: ProblemList) -> date | None:
    raw = row.get(name)
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        problems.add("value.bad_date", f"Ngày không hợp lệ: {raw!r} (dùng dd/mm/yyyy).",
                     f"Invalid date {raw!r} (use dd/mm/yyyy or yyyy-mm-dd).", row=row.number, field=name)  # fmt: skip
        return None


def _level(row: Row, problems: ProblemList) -> int | None:
    raw = row.get("level").strip()
    if not raw:
        return None
    digits = re.fullmatch(r"(?:cap do|level)?\s*(-?\d+)(?:\.0)?", fold(raw))
    if digits is None or not 1 <= int(digits[1]) <= 5:
        problems.add("registry.bad_level", f"Cấp độ {raw!r} không hợp lệ: phải là số từ 1 đến 5.",
                     f"Level {raw!r} is invalid: it must be a number from 1 to 5.", row=row.number,
                     field="level")  # fmt: skip
        return None
    return int(digits[1])


def _row(row: Row, problems: ProblemList) -> SystemRow | None:
    before = len(problems.problems)
    name, owner = row.get("name"), row.get("owner")
    for field, value in (("name", name), ("owner", owner)):
        if not value:
            problems.add("value.required", "Thiếu giá trị bắt buộc.", "A required value is missing.",
                         row=row.number, field=field)  # fmt: skip
    handles: bool | None = None
    if row.get("handles_procedures"):
        key = fold(row.get("handles_procedures"))
        handles = True if key in _TRUE else False if key in _FALSE else None
        if handles is None:
            problems.add("registry.bad_value", "Dùng “có” hoặc “không”.", "Use yes or no.", row=row.number,
                         field="handles_procedures")  # fmt: skip
    subjects: int | None = None
    if row.get("data_subjects"):
        raw = row.get("data_subjects").replace(".", "").replace(",", "").replace(" ", "")
        if raw.isdigit():
            subjects = int(raw)
        else:
            problems.add("value.bad_number", f"Số không hợp lệ: {row.get('data_subjects')!r}.",
                         f"Invalid number {row.get('data_subjects')!r}.", row=row.number,
                         field="data_subjects")  # fmt: skip
    approval = fold(row.get("approval_status"))
    if approval and approval not in _APPROVED_WORDS | _NOT_APPROVED_WORDS:
        problems.add("registry.bad_value", f"Trạng thái phê duyệt không nhận ra: {row.get('approval_status')!r}.",
                     f"Unrecognised approval status {row.get('approval_status')!r}.", row=row.number,
                     field="approval_status")  # fmt: skip
    parsed = SystemRow(
        row=row.number, name=name, owner_code=owner, code=row.get("code"), operator_code=row.get("operator"),
        kind=_word(row, "kind", _KIND_WORDS, SystemKind.values, problems),
        status=_word(row, "status", _STATUS_WORDS, SystemStatus.values, problems),
        hosting=_word(row, "hosting", _HOSTING_WORDS, Hosting.values, problems),
        description=row.get("description") or None, handles_procedures=handles, data_subjects=subjects,
        level=_level(row, problems), decision_number=row.get("decision_number"),
        decision_date=_date(row, "decision_date", problems), submitted_on=_date(row, "submitted_on", problems),
        legal_basis=row.get("legal_basis"),
        approval_claimed=bool(row.get("decision_number") or row.get("decision_date") or approval in _APPROVED_WORDS),
    )  # fmt: skip
    return parsed if len(problems.problems) == before else None


def read_systems_file(path: Path) -> tuple[str, list[SystemRow], list[Problem]]:
    """(file name, readable rows, problems of the unreadable ones). Raises `UserError` when the
    file itself is unusable (unreadable, not CSV/XLSX, no "Tên hệ thống" or "Đơn vị chủ quản")."""
    table = TableFile(path, ALIASES)
    missing = table.missing(["name", "owner"])
    if missing:
        raise UserError(
            "file.bad_layout",
            f"Tệp {table.name} thiếu cột bắt buộc: {', '.join(missing)}. Cần ít nhất “Tên hệ thống” và "
            "“Đơn vị chủ quản” (mã đơn vị).",
            f"{table.name} lacks the required column(s) {', '.join(missing)}: at least “Tên hệ thống” "
            "(name) and “Đơn vị chủ quản” (owner unit code).",
        )
    problems = ProblemList(table.name)
    rows = [r for r in (_row(row, problems) for row in table) if r is not None]
    return table.name, rows, problems.problems
