"""The rules of validation, applied to one chunk of text rows at a time with Arrow compute.

`Validator` (in `validation`) maps headers and hands each chunk of `TextRows` to `Rules.chunk`,
which reads every declared column (`convert`: labels once per distinct value, times and numbers
by Arrow's casts, the references `parse_timestamp` and `parse_float` below for what the casts
refuse), applies the personal-data guard (`privacy.personal_values`), then the rules across
columns as array comparisons: times not in the future, time order, a finished dossier's date,
observation ranges, the unit known, valid on the record's local date and inside the sender's
scope. A `Problem` is built only for a bad row; within a row, problems come in the order of the
row-by-row validator this replaced (columns in declared order, then the rules above).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from dieuhanh.core.errors import Problem
from dieuhanh.core.periods import PeriodError, parse_period
from dieuhanh.core.tabular import fold
from dieuhanh.ingest.aliases import FALSE_WORDS, PARAMETER_ALIASES, TRUE_WORDS, VALUE_ALIASES
from dieuhanh.ingest.convert import SAFE_FROM, SAFE_TO, TS, by_value, floats, timestamps
from dieuhanh.ingest.privacy import mask, personal_values
from dieuhanh.lake import local_day

if TYPE_CHECKING:
    from dieuhanh.ingest.validation import Validator

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks of source systems drift
# Timestamps that record something that happened, so cannot be in the future (due dates can).
HAPPENED = {"received_at", "finished_at", "sent_at", "observed_at", "updated_at"}
# Values that cannot be negative, and upper bounds, by observation parameter.
NON_NEGATIVE = {"pm25", "pm10", "o3", "no2", "so2", "co", "humidity", "rain", "noise", "wind_speed"}
UPPER = {"humidity": 100.0}

# Free-text columns the personal-data guard does not read (codes and units of measure).
NOT_GUARDED = ("unit_code", "period", "parameter", "uom")
_TRUE, _FALSE, _PARAM_ALIASES = TRUE_WORDS, FALSE_WORDS, PARAMETER_ALIASES
_VN_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass
class Outcome:
    tables: list[Any] = field(default_factory=list)  # the valid rows, typed (declared_schema), by chunk
    problems: list[Problem] = field(default_factory=list)
    raw_of: dict[int, dict[str, str]] = field(default_factory=dict)  # rejected rows as sent (masked)
    personal: bool = False  # personal data found: the whole batch must be refused
    ignored_columns: list[str] = field(default_factory=list)
    schema: Any = None

    @property
    def accepted_rows(self) -> int:
        return sum(t.num_rows for t in self.tables)

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})

    def table(self) -> Any:
        """The valid rows as one Arrow table of the declared columns."""
        if not self.tables:
            return self.schema.empty_table() if self.schema is not None else pa.table({})
        return pa.concat_tables(self.tables)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The valid rows as dicts (small batches and tests)."""
        return self.table().to_pylist()  # type: ignore[no-any-return]


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


# --- the rules, a chunk at a time ---------------------------------------------------------------
def _parameter(raw: str) -> str:
    key = fold(raw)
    return _PARAM_ALIASES.get(key, key.replace(".", "").replace(" ", "_"))


def _period(raw: str) -> str:
    try:
        return parse_period(raw).key
    except PeriodError as exc:
        raise ValueError(exc.message_vi, exc.message_en) from exc


def _enum(name: str, allowed: tuple[str, ...]) -> Any:
    def convert(raw: str) -> str:
        value = VALUE_ALIASES.get(name, {}).get(fold(raw), raw if raw in allowed else "")
        if value not in allowed:
            raise ValueError(
                f"Giá trị {raw!r} không hợp lệ; nhận: {', '.join(allowed)}.",
                f"Invalid value {raw!r}; expected one of: {', '.join(allowed)}.",
            )
        return value

    return convert


def _bool(raw: str) -> bool:
    key = fold(raw)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(*_type_message("bool", raw))


def _mask(n: int, positions: Iterable[int]) -> Any:
    flags = bytearray(n)
    for position in positions:
        flags[position] = 1
    return pa.Array.from_buffers(pa.uint8(), n, [None, pa.py_buffer(flags)]).cast(pa.bool_())


def _array(column: Any) -> Any:
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


Found = tuple[int, int, str, str, str, str]  # position, rule order, code, field, vi, en


class Rules:
    """The rules of one `Validator`, applied to one chunk of `TextRows` at a time."""

    def __init__(self, validator: Validator) -> None:
        self.v = validator
        self.spec = validator.spec
        codes = list(validator.units)
        self.codes = pa.array(codes, pa.string())
        self.valid_from = pa.array([validator.units[c].valid_from for c in codes], pa.date32())
        self.valid_to = pa.array([validator.units[c].valid_to for c in codes], pa.date32())
        allowed = validator.allowed
        self.allowed = None if allowed is None else pa.array(sorted(allowed), pa.string())
        self.limit = pa.scalar(validator.now + FUTURE_TOLERANCE, TS)
        self.today = validator.now.astimezone(LOCAL).date()

    def chunk(self, chunk: Any, sources: dict[str, list[int]], out: Outcome, *, stripped: bool) -> None:
        n = chunk.num_rows
        sent = {name: self._sent(chunk, idx) for name, idx in sources.items()}
        for extra in self.v.checks:
            extra.fill(sent, n)
        found: list[Found] = []
        typed: dict[str, Any] = {}
        for order, col in enumerate(self.spec.columns):
            value = self._value(sent[col.name], n, stripped)
            refused: dict[int, tuple[str, str, str]] = {}
            if col.required and value.null_count:
                for pos in pc.indices_nonzero(pc.is_null(value)).to_pylist():
                    refused[pos] = (
                        "value.required",
                        "Thiếu giá trị bắt buộc.",
                        "A required value is missing.",
                    )
            if col.kind == "string" and col.name not in NOT_GUARDED:
                personal = personal_values(value)
                for pos, (vi, en) in personal.items():
                    refused[pos] = ("privacy.value",
                        f"Giá trị trông như {vi} của công dân: dieuhanh không lưu dữ liệu cá nhân.",
                        f"The value looks like {en} of a citizen: dieuhanh keeps no personal data.")  # fmt: skip
                if personal:  # not converted
                    value = pc.if_else(_mask(n, personal), pa.scalar(None, pa.string()), value)
            typed[col.name], errors = self._convert(col.kind, col.name, col.values, value)
            refused.update(errors)
            found.extend((pos, order, code, col.name, vi, en) for pos, (code, vi, en) in refused.items())
        column_bad = {f[0] for f in found}
        ok = pc.invert(_mask(n, column_bad)) if column_bad else pa.repeat(True, n)
        found.extend(self._checks(typed, ok, n))
        self._collect(chunk, sent, typed, found, out)

    @staticmethod
    def _sent(chunk: Any, indices: list[int]) -> Any:
        if not indices:
            return None
        columns = [_array(chunk.column(i)) for i in indices]
        return columns[0] if len(columns) == 1 else pc.coalesce(*columns)

    @staticmethod
    def _value(sent: Any, n: int, stripped: bool) -> Any:
        """The text of a column, stripped, null where empty or absent."""
        if sent is None:
            return pa.nulls(n, pa.string())
        text = sent if stripped else pc.utf8_trim_whitespace(sent)
        empty = pc.equal(text, "")
        return pc.if_else(empty, pa.scalar(None, pa.string()), text) if pc.any(empty).as_py() else text

    def _convert(
        self, kind: str, name: str, allowed: tuple[str, ...], value: Any
    ) -> tuple[Any, dict[int, tuple[str, str, str]]]:
        code = f"value.bad_{kind}"
        if kind == "string" and name not in ("parameter", "period"):
            return value, {}
        if kind in ("string", "enum", "bool"):
            fn: Callable[[str], Any] = (
                (_parameter if name == "parameter" else _period)
                if kind == "string"
                else (_bool if kind == "bool" else _enum(name, allowed))
            )
            typed, errors = by_value(value, fn, pa.bool_() if kind == "bool" else pa.string())
            return typed, {pos: (code, args[0], args[1]) for pos, args in errors.items()}
        if kind == "timestamp":
            typed, refused = timestamps(value, parse_timestamp)
        elif kind == "float":
            typed, refused = floats(value, parse_float)
        else:  # pragma: no cover - no other declared kind
            typed, refused = (
                pa.nulls(len(value), pa.string()),
                pc.indices_nonzero(pc.is_valid(value)).to_pylist(),
            )
        raws = pc.take(value, pa.array(refused, pa.int64())).to_pylist()
        return typed, {pos: (code, *_type_message(kind, raw)) for pos, raw in zip(refused, raws, strict=True)}

    def _checks(self, typed: dict[str, Any], ok: Any, n: int) -> list[Found]:
        """The rules across columns, for rows whose every value was read (in the order of the
        row-by-row validator: future times, time order, finished without a date, ranges, unit)."""
        spec, out = self.spec, []
        base = len(spec.columns)

        def where(cond: Any) -> list[int]:
            return pc.indices_nonzero(pc.and_(ok, pc.fill_null(cond, False))).to_pylist()  # type: ignore[no-any-return]

        def values(name: str, positions: list[int]) -> list[Any]:
            return pc.take(typed[name], pa.array(positions, pa.int64())).to_pylist()  # type: ignore[no-any-return]

        for i, name in enumerate(n for n in spec.declared_names if n in HAPPENED):
            pos = where(pc.greater(typed[name], self.limit))
            for p, t in zip(pos, values(name, pos), strict=True):
                out.append((p, base + i, "value.future", name,
                            f"Thời điểm {t.astimezone(LOCAL):%d/%m/%Y %H:%M} nằm trong tương lai.",
                            f"{t.isoformat()} is in the future."))  # fmt: skip
        received = typed.get("received_at")
        for i, later in enumerate(("due_at", "finished_at")):
            if received is not None and later in typed:
                out.extend((p, base + 10 + i, "value.time_order", later,
                            f"{later} phải sau hoặc bằng ngày tiếp nhận (received_at).",
                            f"{later} must not be before received_at.")
                           for p in where(pc.less(typed[later], received)))  # fmt: skip
        if spec.name == "dossiers":
            unfinished = pc.and_(pc.equal(typed["status"], "finished"), pc.is_null(typed["finished_at"]))
            out.extend((p, base + 20, "value.required", "finished_at", "Hồ sơ đã giải quyết phải có ngày hoàn thành.",
                        "A finished dossier needs finished_at.") for p in where(unfinished))  # fmt: skip
            typed["updated_at"] = pc.coalesce(typed["updated_at"], typed["finished_at"], received)
        if spec.name == "observations":
            param, value = typed["parameter"], typed["value"]
            pos = where(pc.and_(pc.is_in(param, pa.array(sorted(NON_NEGATIVE))), pc.less(value, 0)))
            for p, v, prm in zip(pos, values("value", pos), values("parameter", pos), strict=True):
                out.append((p, base + 30, "value.range", "value", f"Giá trị âm ({v}) không hợp lệ cho {prm}.",
                            f"A negative value ({v}) is impossible for {prm}."))  # fmt: skip
            for prm, top in UPPER.items():
                pos = where(pc.and_(pc.equal(param, prm), pc.greater(value, top)))
                for p, v in zip(pos, values("value", pos), strict=True):
                    out.append((p, base + 31, "value.range", "value", f"Giá trị {v} vượt quá {top}.",
                                f"{v} is above {top}."))  # fmt: skip
        for i, extra in enumerate(self.v.checks):
            out.extend(extra.check(typed, where, base + 35 + i))
        out.extend(self._units(typed, where, n, base + 40))
        return out

    def _units(self, typed: dict[str, Any], where: Any, n: int, order: int) -> list[Found]:
        code = typed["unit_code"]
        index = pc.index_in(code, value_set=self.codes)
        known = pc.is_valid(index)
        unknown = where(pc.and_(pc.is_valid(code), pc.is_null(index)))
        out: list[Found] = [(p, order, "unit.unknown", "unit_code", f"Mã đơn vị {c} không có trong hệ thống.",
                             f"Unit code {c} is unknown.") for p, c in self._with(code, unknown)]  # fmt: skip
        day = self._days(typed, n)
        start, end = pc.take(self.valid_from, index), pc.take(self.valid_to, index)
        valid = pc.and_kleene(
            pc.or_kleene(pc.is_null(start), pc.less_equal(start, day)),
            pc.or_kleene(pc.is_null(end), pc.less(day, end)),
        )
        not_valid = where(pc.and_(known, pc.invert(valid)))
        days = pc.take(day, pa.array(not_valid, pa.int64())).to_pylist()
        for (p, c), d in zip(self._with(code, not_valid), days, strict=True):
            out.append((p, order, "unit.not_valid", "unit_code",
                        f"Đơn vị {c} không còn (hoặc chưa) hiệu lực vào ngày {d:%d/%m/%Y}.",
                        f"Unit {c} was not in existence on {d.isoformat()}."))  # fmt: skip
        if self.allowed is not None:
            outside = where(pc.and_(pc.and_(known, valid), pc.invert(pc.is_in(code, value_set=self.allowed))))
            out.extend((p, order, "unit.out_of_scope", "unit_code",
                        f"Nguồn dữ liệu này không được gửi dữ liệu cho đơn vị {c}.",
                        f"This sender may not send records for unit {c}.")
                       for p, c in self._with(code, outside))  # fmt: skip
        return out

    @staticmethod
    def _with(column: Any, positions: list[int]) -> list[tuple[int, Any]]:
        return list(zip(positions, pc.take(column, pa.array(positions, pa.int64())).to_pylist(), strict=True))

    def _days(self, typed: dict[str, Any], n: int) -> Any:
        """The record's local date: its period's first day, the date of its main time, else today."""
        src = self.spec.partition_source
        today = pa.scalar(self.today, pa.date32())
        if src == "period":
            return by_value(typed["period"], lambda key: parse_period(key).start, pa.date32())[0]
        if not src:
            return pa.repeat(today, n)
        ts = typed[src]
        days = pc.fill_null(local_day(ts), today)
        outside = pc.fill_null(pc.or_(pc.less(ts, SAFE_FROM), pc.greater_equal(ts, SAFE_TO)), False)
        if pc.any(outside).as_py():  # Vietnam's offset was not always +07:00
            old = [t.astimezone(LOCAL).date() for t in pc.filter(ts, outside).to_pylist()]
            days = pc.replace_with_mask(days, outside, pa.array(old, pa.date32()))
        return days

    def _collect(self, chunk: Any, sent: dict[str, Any], typed: dict[str, Any], found: list[Found],
                 out: Outcome) -> None:  # fmt: skip
        """Problems in row order, the bad rows as sent (personal data masked), the good rows typed."""
        columns = [typed[c.name] for c in self.spec.columns]
        good = pa.Table.from_arrays(columns, schema=out.schema)
        if not found:
            out.tables.append(good)
            return
        found.sort(key=lambda f: (f[0], f[1]))
        bad = sorted({f[0] for f in found})
        numbers = _array(chunk.column(chunk.num_columns - 1))
        number_of = dict(zip(bad, pc.take(numbers, pa.array(bad, pa.int64())).to_pylist(), strict=True))
        file = self.v.file
        for pos, _, code, fld, vi, en in found:
            out.problems.append(Problem(code, vi, en, file=file, row=number_of[pos], field=fld))
        masked: dict[int, set[str]] = {}
        for pos, _, code, fld, _, _ in found:
            if code.startswith("privacy"):
                masked.setdefault(pos, set()).add(fld)
                out.personal = True
        names = [name for name in self.spec.declared_names if sent[name] is not None]
        taken = {name: pc.take(sent[name], pa.array(bad, pa.int64())).to_pylist() for name in names}
        for i, pos in enumerate(bad):
            hidden = masked.get(pos, ())
            out.raw_of[number_of[pos]] = {
                name: mask(v) if name in hidden else v for name in names if (v := taken[name][i]) is not None
            }
        out.tables.append(good.filter(pc.invert(_mask(chunk.num_rows, bad))))


def _type_message(kind: str, raw: str) -> tuple[str, str]:
    return {
        "bool": (f"{raw!r} không phải có/không (true/false, 1/0).",
                 f"{raw!r} is not a boolean (true/false, 1/0, có/không)."),
        "timestamp": (f"Thời điểm không hợp lệ: {raw!r} (ISO 8601 hoặc dd/mm/yyyy hh:mm).",
                      f"Invalid time {raw!r} (ISO 8601 or dd/mm/yyyy hh:mm)."),
        "float": (f"{raw!r} không phải là số.", f"{raw!r} is not a number."),
    }.get(kind, (f"Giá trị không hợp lệ: {raw!r}.", f"Invalid value {raw!r}."))  # fmt: skip
