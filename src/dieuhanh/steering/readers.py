"""Reading a directive's task table (the table that closes a Vietnamese directive) from XLSX or CSV.

Columns, found by their Vietnamese or English headers (any case or accents): STT, Nội dung nhiệm
vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời hạn; optionally Sản phẩm (expected product), Chỉ tiêu
(indicator code) and Giá trị mục tiêu (target value). Title rows above the header (the
directive's name, "Phụ lục" …) are skipped: the header is the first row naming the content column.

"Thời hạn" accepts a date (30/11/2023, "Trước ngày 16/02/2024", an Excel date), a month, quarter,
half or year ("Tháng 12/2023", "Quý IV/2023", "6 tháng đầu năm 2024", "Năm 2024": its last day),
or a recurrence ("Hằng tháng", "Hằng quý, trước ngày 20", "Hằng tháng (kỳ báo cáo NĐ 09)").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.tabular import Row, TableFile, fold, normalize_header
from dieuhanh.steering.schedule import Recurrence

ALIASES = {
    "stt": "number", "số thứ tự": "number", "tt": "number", "no": "number", "no.": "number",
    "nội dung nhiệm vụ": "content", "nội dung": "content", "nhiệm vụ": "content", "tên nhiệm vụ": "content",
    "nội dung công việc": "content", "task": "content", "content": "content",
    "đơn vị chủ trì": "lead", "chủ trì": "lead", "cơ quan chủ trì": "lead", "đơn vị thực hiện": "lead",
    "lead unit": "lead", "lead": "lead",
    "đơn vị phối hợp": "supporting", "phối hợp": "supporting", "cơ quan phối hợp": "supporting",
    "supporting units": "supporting", "supporting": "supporting",
    "thời hạn": "deadline", "thời hạn hoàn thành": "deadline", "hạn hoàn thành": "deadline",
    "thời gian hoàn thành": "deadline", "deadline": "deadline",
    "sản phẩm": "expected_product", "sản phẩm dự kiến": "expected_product", "kết quả dự kiến": "expected_product",
    "expected product": "expected_product",
    "chỉ tiêu": "target_indicator", "mã chỉ tiêu": "target_indicator", "indicator": "target_indicator",
    "giá trị mục tiêu": "target_value", "mục tiêu": "target_value", "target": "target_value",
    "target value": "target_value",
}  # fmt: skip
_FOLDED = {normalize_header(k): v for k, v in ALIASES.items()}
REQUIRED = ["content", "lead", "deadline"]
_HEADER_SCAN = 30  # rows looked at for the header
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_SECTION = re.compile(r"(?:[IVXLC]+|[A-Z])\.?")  # "I", "II.", "A": a heading row of the table


@dataclass(frozen=True)
class Deadline:
    recurrence: str = Recurrence.ONCE
    due_on: date | None = None
    due_day: int | None = None


class DeadlineError(ValueError):
    pass


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str) -> Deadline:
    """Read a "Thời hạn" cell (see the module docstring); raises `DeadlineError` when it cannot."""
    raw = text.strip()
    if not raw:
        raise DeadlineError("empty")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.]+)?", raw):  # ISO, or an Excel date cell
        return Deadline(due_on=datetime.fromisoformat(raw).date() if "T" in raw else date.fromisoformat(raw))
    key = fold(raw)
    try:
        m = re.search(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", key)
        if m:
            return Deadline(due_on=date(int(m[3]), int(m[2]), int(m[1])))
        m = re.search(r"6 thang (dau|cuoi) nam (\d{4})", key)
        if m:
            return Deadline(due_on=_last_day(int(m[2]), 6 if m[1] == "dau" else 12))
        m = re.search(r"thang (\d{1,2})\s*[/.-]\s*(\d{4})", key)
        if m:
            return Deadline(due_on=_last_day(int(m[2]), int(m[1])))
        m = re.search(r"quy (iv|iii|ii|i|[1-4])\s*[/.-]?\s*(?:nam\s*)?(\d{4})", key)
        if m:
            q = _ROMAN.get(m[1]) or int(m[1])
            return Deadline(due_on=_last_day(int(m[2]), q * 3))
    except ValueError as exc:
        raise DeadlineError("bad date") from exc
    day_m = re.search(r"ngay (\d{1,2})(?!\s*[/.-]\s*\d)", key)
    due_day = int(day_m[1]) if day_m else None
    r09 = bool(re.search(r"\bnd ?09\b|nghi dinh (so )?09|\br09\b|ky bao cao|decree 09", key))
    for words, base in (
        (("hang thang", "moi thang", "monthly", "dinh ky thang"), "month"),
        (("hang quy", "moi quy", "quarterly", "dinh ky quy"), "quarter"),
        (("6 thang", "sau thang", "nua nam", "half-yearly", "half yearly"), "half"),
        (("hang nam", "moi nam", "yearly", "annual", "dinh ky nam"), "year"),
    ):
        if any(w in key for w in words):
            return Deadline(recurrence=f"r09_{base}" if r09 else base, due_day=due_day)
    m = re.fullmatch(r"(?:truoc |het |trong )?nam (\d{4})", key)
    if m:
        return Deadline(due_on=date(int(m[1]), 12, 31))
    raise DeadlineError("unknown form")


@dataclass
class TaskRow:
    """One row of the table, cells as text; `problems` holds what was wrong in the cells themselves."""

    row: int
    number: str
    content: str
    lead: str
    supporting: str
    deadline_text: str
    deadline: Deadline | None
    expected_product: str = ""
    target_indicator: str = ""
    target_value: Decimal | None = None
    section: bool = False
    problems: list[Problem] = field(default_factory=list)


class _TaskTable(TableFile):
    """A `TableFile` whose header may come after title rows; row numbers stay the sheet's."""

    def __init__(self, path: Path) -> None:
        self.skipped = 0
        self.title: list[str] = []
        super().__init__(path, ALIASES)

    def _find_header(self, rows: Iterator[list[str]]) -> Iterator[list[str]]:
        head: list[list[str]] = []
        for raw in rows:
            head.append(raw)
            if any(_FOLDED.get(normalize_header(str(c)), "") == "content" for c in raw):
                self.skipped = len(head) - 1
                self.title = [" ".join(str(c).strip() for c in r if str(c).strip()) for r in head[:-1]]
                yield from head[-1:]
                yield from rows
                return
            if len(head) >= _HEADER_SCAN:
                break
        yield from head  # no header found: the layout check names the missing columns
        yield from rows

    def _read_xlsx(self) -> Iterator[list[str]]:
        return self._find_header(super()._read_xlsx())

    def _read_csv(self) -> Iterator[list[str]]:
        return self._find_header(super()._read_csv())

    def __iter__(self) -> Iterator[Row]:
        for row in super().__iter__():
            yield Row(row.number + self.skipped, row.values)


def _problem(name: str, row: int, code: str, vi: str, en: str, fld: str) -> Problem:
    return Problem(code, vi, en, file=name, row=row, field=fld)


@dataclass
class TaskFile:
    name: str
    rows: list[TaskRow]
    title: list[str]  # the lines above the header

    def directive_ref(self) -> tuple[str, date | None] | None:
        """The directive named in the title ("Kèm theo Kế hoạch số 45/KH-UBND ngày 26/01/2024"):
        its number and date, when the title names one."""
        text = unicodedata.normalize("NFC", " ".join(self.title))
        m = re.search(r"\bs[ốo]\s*:?\s*([0-9]+[^\s,;()]*/[^\s,;()]+)", text, re.IGNORECASE)
        if not m:
            return None
        rest = text[m.end() :]
        d = re.search(r"ng[àa]y\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", rest, re.IGNORECASE)
        try:
            day = date(int(d[3]), int(d[2]), int(d[1])) if d else None
        except ValueError:
            day = None
        return m[1].rstrip("."), day


def read_task_table(path: Path) -> TaskFile:
    """The task rows of a file. An unreadable file or one lacking the required columns raises
    `UserError` (exit 2); problems of single rows are kept on the rows."""
    table = _TaskTable(Path(path))
    missing = table.missing(REQUIRED)
    if missing:
        labels = {"content": "Nội dung nhiệm vụ", "lead": "Đơn vị chủ trì", "deadline": "Thời hạn"}
        names = ", ".join(labels[m] for m in missing)
        raise UserError(
            "file.bad_layout",
            f"Tệp {table.name} thiếu cột: {names}. Bảng nhiệm vụ cần các cột STT, Nội dung nhiệm vụ, "
            "Đơn vị chủ trì, Đơn vị phối hợp, Thời hạn.",
            f"{table.name} lacks the column(s): {names}. A task table needs STT, Nội dung nhiệm vụ (content), "
            "Đơn vị chủ trì (lead unit), Đơn vị phối hợp (supporting units), Thời hạn (deadline).",
        )
    rows: list[TaskRow] = []
    for r in table:
        number, content = r.get("number"), r.get("content")
        lead, deadline_text = r.get("lead"), r.get("deadline")
        item = TaskRow(row=r.number, number=number, content=content, lead=lead, supporting=r.get("supporting"),
                       deadline_text=deadline_text, deadline=None, expected_product=r.get("expected_product"),
                       target_indicator=r.get("target_indicator"))  # fmt: skip
        if _SECTION.fullmatch(number) and content and not lead and not deadline_text:
            item.section = True  # "I. Nhiệm vụ chung": a heading, not a task
            rows.append(item)
            continue
        if deadline_text:
            try:
                item.deadline = parse_deadline(deadline_text)
            except DeadlineError:
                item.problems.append(_problem(
                    table.name, r.number, "task.bad_deadline",
                    f"Không hiểu thời hạn {deadline_text!r}: ghi ngày (30/11/2023, Trước ngày 16/02/2024), "
                    "tháng/quý/năm (Quý IV/2023) hoặc chu kỳ (Hằng tháng, Hằng quý, Hằng tháng (kỳ báo cáo NĐ 09)).",
                    f"Cannot read the deadline {deadline_text!r}: give a date (30/11/2023), a month, quarter or "
                    "year (Quý IV/2023), or a recurrence (Hằng tháng = monthly, Hằng quý = quarterly).",
                    "deadline"))  # fmt: skip
        else:
            item.problems.append(_problem(table.name, r.number, "task.deadline_required", "Thiếu thời hạn.",
                                          "The deadline is missing.", "deadline"))  # fmt: skip
        raw_value = r.get("target_value").replace("%", "").replace(",", ".").strip()
        if raw_value:
            try:
                item.target_value = Decimal(raw_value)
            except InvalidOperation:
                item.problems.append(_problem(table.name, r.number, "value.bad_number",
                                              f"Giá trị mục tiêu không hợp lệ: {raw_value!r}.",
                                              f"Invalid target value {raw_value!r}.", "target_value"))  # fmt: skip
        rows.append(item)
    return TaskFile(table.name, rows, table.title)
