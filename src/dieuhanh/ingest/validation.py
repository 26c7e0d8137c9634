"""Turning rows of text (files, API payloads, MQTT messages) into typed lake rows, or reasons.

Every way in goes through `validate`: declared types, required fields, enumerations (with the
Vietnamese labels source systems export), units known and valid on the record's date and inside
the sender's scope, time order, values in range, and the personal-data guard.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.periods import PeriodError, parse_period
from dieuhanh.core.tabular import fold
from dieuhanh.ingest.privacy import mask, personal_header, personal_value
from dieuhanh.lake import TABLES, TableSpec

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks of source systems drift
# Timestamps that record something that happened, so cannot be in the future (due dates can).
HAPPENED = {"received_at", "finished_at", "sent_at", "observed_at", "updated_at"}
# Values that cannot be negative, and upper bounds, by observation parameter.
NON_NEGATIVE = {"pm25", "pm10", "o3", "no2", "so2", "co", "humidity", "rain", "noise", "wind_speed"}
UPPER = {"humidity": 100.0}

# Column header aliases: Vietnamese exports (one-stop-shop, document management, stations).
HEADER_ALIASES: dict[str, str] = {
    "mã hồ sơ": "record_id", "số hồ sơ": "record_id", "mã văn bản": "record_id", "số ký hiệu": "record_id",
    "mã đơn vị": "unit_code", "đơn vị": "unit_code", "mã cơ quan": "unit_code", "đơn vị tiếp nhận": "unit_code",
    "mã thủ tục": "procedure_code", "mã tthc": "procedure_code", "mã thủ tục hành chính": "procedure_code",
    "kênh nộp": "channel", "hình thức nộp": "channel", "kênh": "channel",
    "ngày tiếp nhận": "received_at", "thời điểm tiếp nhận": "received_at",
    "ngày hẹn trả": "due_at", "hạn xử lý": "due_at", "ngày hẹn trả kết quả": "due_at",
    "ngày hoàn thành": "finished_at", "ngày trả kết quả": "finished_at", "ngày có kết quả": "finished_at",
    "trạng thái": "status", "tình trạng": "status",
    "có phí": "fee_required", "có phí, lệ phí": "fee_required", "phải nộp phí": "fee_required",
    "thanh toán trực tuyến": "paid_online", "đã thanh toán trực tuyến": "paid_online",
    "số hóa": "digitized", "đã số hóa": "digitized", "số hoá": "digitized",
    "kết quả điện tử": "e_result", "trả kết quả điện tử": "e_result",
    "đánh giá": "rating", "mức độ hài lòng": "rating",
    "ngày cập nhật": "updated_at", "cập nhật lúc": "updated_at",
    "tên thủ tục": "name", "mức độ": "online_level", "mức độ dvc": "online_level", "mức độ trực tuyến": "online_level",
    "chiều": "direction", "loại văn bản": "direction", "văn bản đi/đến": "direction",
    "ngày gửi": "sent_at", "ngày ban hành": "sent_at", "ngày đi": "sent_at",
    "điện tử": "electronic", "gửi điện tử": "electronic",
    "ký số": "digitally_signed", "có chữ ký số": "digitally_signed",
    "liên thông": "interconnected", "qua trục liên thông": "interconnected",
    "mã trạm": "station_code", "trạm": "station_code", "thông số": "parameter", "chỉ tiêu": "parameter",
    "thời điểm quan trắc": "observed_at", "thời gian": "observed_at", "giá trị": "value", "đơn vị đo": "uom",
    "mã chỉ tiêu": "data_element", "mã dữ liệu": "data_element", "kỳ báo cáo": "period", "kỳ": "period",
}  # fmt: skip

VALUE_ALIASES: dict[str, dict[str, str]] = {
    "channel": {"truc tuyen": "online", "online": "online", "dvc truc tuyen": "online", "truc tiep": "direct",
                "direct": "direct", "buu chinh": "postal", "buu chinh cong ich": "postal", "postal": "postal"},
    "status": {"dang xu ly": "processing", "processing": "processing", "da giai quyet": "finished",
               "hoan thanh": "finished", "da xu ly xong": "finished", "da tra ket qua": "finished",
               "finished": "finished", "tra lai": "returned", "tu choi": "returned", "returned": "returned",
               "rut ho so": "withdrawn", "cong dan rut": "withdrawn", "withdrawn": "withdrawn"},
    "rating": {"hai long": "satisfied", "satisfied": "satisfied", "binh thuong": "neutral", "neutral": "neutral",
               "khong hai long": "unsatisfied", "unsatisfied": "unsatisfied"},
    "online_level": {"toan trinh": "full", "full": "full", "mot phan": "partial", "partial": "partial",
                     "khong": "none", "none": "none", "cung cap thong tin": "none"},
    "direction": {"di": "outgoing", "van ban di": "outgoing", "outgoing": "outgoing", "den": "incoming",
                  "van ban den": "incoming", "incoming": "incoming"},
}  # fmt: skip

_TRUE = {"true", "1", "co", "yes", "x", "dung", "t", "y"}
_FALSE = {"false", "0", "khong", "no", "sai", "f", "n"}
_PARAM_ALIASES = {"pm2.5": "pm25", "pm2_5": "pm25", "pm 2.5": "pm25", "bui pm2.5": "pm25", "bui pm10": "pm10"}
_VN_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def table_spec(table: str) -> TableSpec:
    spec = TABLES.get(table)
    if spec is None:
        raise UserError(
            "ingest.unknown_table",
            f"Không có bảng dữ liệu {table!r}. Các bảng: {', '.join(TABLES)}.",
            f"No fact table {table!r}. Tables: {', '.join(TABLES)}.",
        )
    return spec


@dataclass(frozen=True)
class UnitInfo:
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass
class Outcome:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    raw_of: dict[int, dict[str, str]] = field(default_factory=dict)  # rejected rows as sent (masked)
    personal: bool = False  # personal data found: the whole batch must be refused
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 with an offset, or Vietnam local time when none is given (also dd/mm/yyyy hh:mm)."""
    t = text.strip()
    m = _VN_DATETIME.fullmatch(t)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        value = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    else:
        value = datetime.fromisoformat(t.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL)
    return value.astimezone(UTC)


def parse_float(text: str) -> float:
    t = text.strip().replace(" ", "")
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".")  # 1.234,5 (Vietnamese thousands and decimals)
    elif "," in t:
        t = t.replace(",", ".")
    value = float(t)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class Validator:
    """Validates rows of one table for one sender. Build once per batch (it loads the units)."""

    def __init__(
        self,
        table: str,
        *,
        units: Mapping[str, UnitInfo],
        allowed_units: set[str] | None,
        file: str = "",
        now: datetime | None = None,
    ) -> None:
        self.spec = table_spec(table)
        self.units = units
        self.allowed = allowed_units
        self.file = file
        self.now = now or datetime.now(UTC)
        self._aliases = {fold(k): v for k, v in HEADER_ALIASES.items()}

    def canonical_columns(self, headers: Iterable[str]) -> tuple[dict[str, str], list[Problem], list[str]]:
        """Map headers to declared columns; refuse personal-data headers; list ignored ones."""
        mapping: dict[str, str] = {}
        problems: list[Problem] = []
        ignored: list[str] = []
        declared = set(self.spec.declared_names)
        for header in headers:
            key = fold(header)
            name = self._aliases.get(key, key.replace(" ", "_"))
            if name in declared:
                mapping[header] = name
            elif personal_header(header):
                problems.append(self._problem("privacy.column", None, header,
                    f"Cột {header!r} chứa dữ liệu cá nhân của công dân: xóa cột này khỏi tệp rồi gửi lại.",
                    f"Column {header!r} holds citizens' personal data: remove it and send again."))  # fmt: skip
            else:
                ignored.append(header)
        missing = [c.name for c in self.spec.columns if c.required and c.name not in mapping.values()]
        if missing:
            raise UserError(
                "ingest.missing_columns",
                f"{self.file or self.spec.name}: thiếu cột bắt buộc {', '.join(missing)}.",
                f"{self.file or self.spec.name}: required column(s) missing: {', '.join(missing)}.",
            )
        return mapping, problems, ignored

    def _problem(self, code: str, row: int | None, fld: str, vi: str, en: str) -> Problem:
        return Problem(code, vi, en, file=self.file, row=row, field=fld)

    def validate(self, records: Iterable[tuple[int, Mapping[str, Any]]]) -> Outcome:
        """Records are (row number, {column or header: value}). Headers are mapped per record."""
        out = Outcome()
        header_map: dict[tuple[str, ...], dict[str, str]] = {}
        for number, record in records:
            keys = tuple(record)
            if keys not in header_map:
                mapping, problems, ignored = self.canonical_columns(keys)
                header_map[keys] = mapping
                if problems:
                    out.problems.extend(problems)
                    out.personal = True
                out.ignored_columns.extend(i for i in ignored if i not in out.ignored_columns)
            mapping = header_map[keys]
            values = {mapping[k]: "" if v is None else str(v) for k, v in record.items() if k in mapping}
            row, problems = self._row(number, values)
            if problems:
                out.problems.extend(problems)
                out.raw_of[number] = {
                    k: mask(v) if any(p.field == k and p.code.startswith("privacy") for p in problems) else v
                    for k, v in values.items()
                }
                if any(p.code.startswith("privacy") for p in problems):
                    out.personal = True
            else:
                out.rows.append(row)
        return out

    def _row(self, n: int, values: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
        spec = self.spec
        problems: list[Problem] = []
        row: dict[str, Any] = {}
        add = problems.append
        for col in spec.columns:
            raw = values.get(col.name, "").strip()
            if not raw:
                if col.required:
                    add(self._problem("value.required", n, col.name, "Thiếu giá trị bắt buộc.",
                                      "A required value is missing."))  # fmt: skip
                row[col.name] = None
                continue
            if col.kind in ("string",) and col.name not in ("unit_code", "period", "parameter", "uom"):
                found = personal_value(raw)
                if found:
                    add(self._problem("privacy.value", n, col.name,
                        f"Giá trị trông như {found[0]} của công dân: dieuhanh không lưu dữ liệu cá nhân.",
                        f"The value looks like {found[1]} of a citizen: dieuhanh keeps no personal data."))  # fmt: skip
                    continue
            try:
                row[col.name] = self._convert(col.kind, col.name, raw, col.values)
            except ValueError as exc:
                vi, en = exc.args if len(exc.args) == 2 else _type_message(col.kind, raw)
                add(self._problem(f"value.bad_{col.kind}", n, col.name, vi, en))
        if problems:
            return row, problems
        self._check_row(n, row, problems)
        return row, problems

    def _convert(self, kind: str, name: str, raw: str, allowed: tuple[str, ...]) -> Any:
        if kind == "string":
            if name == "parameter":
                key = fold(raw)
                return _PARAM_ALIASES.get(key, key.replace(".", "").replace(" ", "_"))
            if name == "period":
                try:
                    return parse_period(raw).key
                except PeriodError as exc:
                    raise ValueError(exc.message_vi, exc.message_en) from exc
            return raw
        if kind == "enum":
            value = VALUE_ALIASES.get(name, {}).get(fold(raw), raw if raw in allowed else "")
            if value not in allowed:
                raise ValueError(
                    f"Giá trị {raw!r} không hợp lệ; nhận: {', '.join(allowed)}.",
                    f"Invalid value {raw!r}; expected one of: {', '.join(allowed)}.",
                )
            return value
        if kind == "bool":
            key = fold(raw)
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False
            raise ValueError(*_type_message(kind, raw))
        if kind == "timestamp":
            return parse_timestamp(raw)
        if kind == "float":
            return parse_float(raw)
        raise ValueError(*_type_message(kind, raw))  # pragma: no cover - no other declared kind

    def _check_row(self, n: int, row: dict[str, Any], problems: list[Problem]) -> None:
        spec, add = self.spec, problems.append
        for name in HAPPENED & set(spec.declared_names):
            value = row.get(name)
            if value is not None and value > self.now + FUTURE_TOLERANCE:
                add(self._problem("value.future", n, name,
                                  f"Thời điểm {value.astimezone(LOCAL):%d/%m/%Y %H:%M} nằm trong tương lai.",
                                  f"{value.isoformat()} is in the future."))  # fmt: skip
        received = row.get("received_at")
        for later in ("due_at", "finished_at"):
            if received is not None and row.get(later) is not None and row[later] < received:
                add(self._problem("value.time_order", n, later,
                                  f"{later} phải sau hoặc bằng ngày tiếp nhận (received_at).",
                                  f"{later} must not be before received_at."))  # fmt: skip
        if spec.name == "dossiers":
            if row.get("status") == "finished" and row.get("finished_at") is None:
                add(self._problem("value.required", n, "finished_at",
                                  "Hồ sơ đã giải quyết phải có ngày hoàn thành.",
                                  "A finished dossier needs finished_at."))  # fmt: skip
            if row.get("updated_at") is None:
                row["updated_at"] = row.get("finished_at") or received
        if spec.name == "observations" and row.get("value") is not None:
            param, value = row["parameter"], row["value"]
            if param in NON_NEGATIVE and value < 0:
                add(self._problem("value.range", n, "value", f"Giá trị âm ({value}) không hợp lệ cho {param}.",
                                  f"A negative value ({value}) is impossible for {param}."))  # fmt: skip
            if param in UPPER and value > UPPER[param]:
                add(self._problem("value.range", n, "value", f"Giá trị {value} vượt quá {UPPER[param]}.",
                                  f"{value} is above {UPPER[param]}."))  # fmt: skip
        self._check_unit(n, row, problems)

    def _record_day(self, row: dict[str, Any]) -> date:
        src = self.spec.partition_source
        if src == "period":
            return parse_period(row["period"]).start
        if src and row.get(src) is not None:
            return row[src].astimezone(LOCAL).date()  # type: ignore[no-any-return]
        return self.now.astimezone(LOCAL).date()

    def _check_unit(self, n: int, row: dict[str, Any], problems: list[Problem]) -> None:
        code = row.get("unit_code")
        if not code:
            return
        info = self.units.get(code)
        if info is None:
            problems.append(self._problem("unit.unknown", n, "unit_code", f"Mã đơn vị {code} không có trong hệ thống.",
                                          f"Unit code {code} is unknown."))  # fmt: skip
            return
        day = self._record_day(row)
        if not info.valid_on(day):
            problems.append(self._problem("unit.not_valid", n, "unit_code",
                f"Đơn vị {code} không còn (hoặc chưa) hiệu lực vào ngày {day:%d/%m/%Y}.",
                f"Unit {code} was not in existence on {day.isoformat()}."))  # fmt: skip
            return
        if self.allowed is not None and code not in self.allowed:
            problems.append(self._problem("unit.out_of_scope", n, "unit_code",
                f"Nguồn dữ liệu này không được gửi dữ liệu cho đơn vị {code}.",
                f"This sender may not send records for unit {code}."))  # fmt: skip


def _type_message(kind: str, raw: str) -> tuple[str, str]:
    return {
        "bool": (f"{raw!r} không phải có/không (true/false, 1/0).",
                 f"{raw!r} is not a boolean (true/false, 1/0, có/không)."),
        "timestamp": (f"Thời điểm không hợp lệ: {raw!r} (ISO 8601 hoặc dd/mm/yyyy hh:mm).",
                      f"Invalid time {raw!r} (ISO 8601 or dd/mm/yyyy hh:mm)."),
        "float": (f"{raw!r} không phải là số.", f"{raw!r} is not a number."),
    }.get(kind, (f"Giá trị không hợp lệ: {raw!r}.", f"Invalid value {raw!r}."))  # fmt: skip
