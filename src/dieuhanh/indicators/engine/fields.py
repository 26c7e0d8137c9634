"""Parsing the fields of one definition (names, targets, measures, placements, rules…), each
refusal a :class:`DefinitionError` carrying the line it is about. Used by :mod:`.loader`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dieuhanh.core.periods import REGIMES
from dieuhanh.lake import TABLES

from . import sqlcheck
from .errors import DefinitionError
from .model import (
    CONFIDENCE_TAGS,
    Component,
    CompositeSpec,
    DataSpec,
    LegalBasis,
    Measure,
    Placement,
    RecordSpec,
    Rule,
    Target,
    Text,
)
from .yamlio import LineDict

LEVELS = ("province", "department", "district", "commune")
MONTH_REGIMES = ("month", "quarter", "half", "year", "r09_month", "r09_quarter", "r09_half", "r09_year")
REGIME_GROUPS = {
    "all": REGIMES,
    "calendar": ("day", "week", "month", "quarter", "half", "year"),
    "r09": ("r09_month", "r09_quarter", "r09_half", "r09_year"),
    "months": MONTH_REGIMES,
}


def _err(code: str, vi: str, en: str, line: int | None) -> DefinitionError:
    return DefinitionError(code, vi, en, line=line)


def _line(node: Any, key: str | None = None) -> int | None:
    if isinstance(node, LineDict):
        return node.line_of(key) if key else node.line
    return getattr(node, "line", None)


def _text(node: Any, key: str, parent: LineDict, *, required: bool) -> Text | None:
    value = parent.get(key)
    line = parent.line_of(key)
    if value is None:
        if required:
            raise _err("definition.missing", f"Thiếu khoá {key!r}.", f"Missing key {key!r}.", parent.line)
        return None
    if isinstance(value, str):
        return Text(value, value)
    if isinstance(value, Mapping) and isinstance(value.get("vi"), str) and isinstance(value.get("en"), str):
        return Text(value["vi"].strip(), value["en"].strip())
    raise _err(
        "definition.text",
        f"{key!r} phải có cả tiếng Việt và tiếng Anh: {{vi: ..., en: ...}}.",
        f"{key!r} needs both Vietnamese and English: {{vi: ..., en: ...}}.",
        line,
    )


def _number(value: Any, what: str, line: int | None, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _err("definition.number", f"{what} phải là số.", f"{what} must be a number.", line)
    if positive and value <= 0:
        raise _err("definition.number", f"{what} phải lớn hơn 0.", f"{what} must be greater than 0.", line)
    return float(value)


def _regimes(node: LineDict, placement: Placement | None) -> tuple[str, ...]:
    raw = node.get("regimes", ["all"])
    line = node.line_of("regimes")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise _err("definition.regimes", "regimes phải là danh sách.", "regimes must be a list.", line)
    out: list[str] = []
    for item in raw:
        names = REGIME_GROUPS.get(item, (item,))
        for name in names:
            if name not in REGIMES:
                raise _err(
                    "definition.regime",
                    f"Loại kỳ không hỗ trợ: {name!r} (có: {', '.join(REGIMES)}; nhóm: all, calendar, r09).",
                    f"Unknown period regime {name!r} (known: {', '.join(REGIMES)}; groups: all, calendar, r09).",
                    line,
                )
            if name not in out:
                out.append(name)
    bad = [r for r in out if r not in MONTH_REGIMES]
    if placement is not None and placement.kind == "active" and bad:
        if "regimes" in node and node["regimes"] not in (["all"], "all"):
            raise _err(
                "definition.regime",
                f"Cách xếp kỳ 'active' chỉ hỗ trợ kỳ theo tháng, không hỗ trợ {', '.join(bad)}.",
                f"The 'active' placement supports month-based regimes only, not {', '.join(bad)}.",
                line,
            )
        out = [r for r in out if r in MONTH_REGIMES]
    return tuple(sorted(out, key=REGIMES.index))


def _targets(node: LineDict) -> tuple[Target, ...]:
    raw = node.get("targets", [])
    if not isinstance(raw, list):
        raise _err("definition.targets", "targets phải là danh sách.", "targets must be a list.", node.line)
    out = []
    for item in raw:
        line = _line(item) or node.line_of("targets")
        if not isinstance(item, LineDict):
            raise _err("definition.target", "Mỗi chỉ tiêu phải là một ánh xạ.", "Each target must be a mapping.",
                       line)  # fmt: skip
        source = item.get("source")
        if isinstance(source, Mapping):
            source = " ".join(str(source.get(k, "")) for k in ("document", "article")).strip()
        if not isinstance(source, str) or not source.strip():
            raise _err(
                "definition.target_source",
                "Chỉ tiêu (target) phải ghi văn bản đặt ra nó (source).",
                "A target must name the document that set it (source).",
                line,
            )
        year = item.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise _err(
                "definition.target_year", "Năm của chỉ tiêu không hợp lệ.", "Invalid target year.", line
            )
        level = item.get("level")
        if level is not None and level not in LEVELS:
            raise _err("definition.level", f"Cấp đơn vị không hợp lệ: {level!r}.", f"Unknown level {level!r}.",
                       line)  # fmt: skip
        out.append(
            Target(year, _number(item.get("value"), "value", line), source.strip(), level,
                   _confidence(item.get("confidence", ""), line), str(item.get("note", "")))
        )  # fmt: skip
    return tuple(out)


def _confidence(value: Any, line: int | None) -> str:
    if value not in CONFIDENCE_TAGS:
        raise _err(
            "definition.confidence",
            f"Mức tin cậy phải là một trong {', '.join(t for t in CONFIDENCE_TAGS if t)}.",
            f"confidence must be one of {', '.join(t for t in CONFIDENCE_TAGS if t)}.",
            line,
        )
    return str(value)


def _legal(node: LineDict) -> tuple[LegalBasis, ...]:
    raw = node.get("legal_basis", [])
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(LegalBasis(item))
        elif isinstance(item, Mapping) and isinstance(item.get("document"), str):
            out.append(LegalBasis(item["document"], str(item.get("article", "")), str(item.get("note", ""))))
        else:
            raise _err(
                "definition.legal_basis",
                "legal_basis cần {document: số hiệu văn bản, article: điều khoản}.",
                "legal_basis needs {document: number, article: article}.",
                node.line_of("legal_basis"),
            )
    return tuple(out)


def _measure(value: Any, table: str, line: int | None, *, with_period: bool) -> Measure:
    if not isinstance(value, Mapping) or not ({"count", "sum", "where"} & set(value)):
        raise _err(
            "definition.measure",
            "Tử số/mẫu số cần {count: true | 'điều kiện'} hoặc {sum: cột, where: 'điều kiện'}.",
            "A numerator/denominator needs {count: true | 'filter'} or {sum: column, where: 'filter'}.",
            line,
        )
    if unknown := set(value) - {"count", "sum", "where"}:
        raise _err("definition.unknown_key", f"Khoá lạ: {', '.join(sorted(unknown))}.",
                   f"Unknown key(s): {', '.join(sorted(unknown))}.", line)  # fmt: skip
    where = value.get("where")
    count = value.get("count")
    if isinstance(count, str):
        if where is not None:
            raise _err("definition.measure", "Dùng count: 'điều kiện' hoặc where, không dùng cả hai.",
                       "Use count: 'filter' or where, not both.", line)  # fmt: skip
        where = count
    filt = None
    if where is not None and where is not True:
        try:
            filt = sqlcheck.check_filter(where, table, with_period=with_period)
        except DefinitionError as exc:
            exc.line = line
            raise
    if "sum" in value:
        try:
            column = sqlcheck.check_sum_column(value["sum"], table)
        except DefinitionError as exc:
            exc.line = line
            raise
        return Measure("sum", filt, column)
    return Measure("count", filt)


def _placement(node: LineDict, table: str) -> Placement:
    raw = node.get("period_by")
    line = node.line_of("period_by")
    try:
        if raw == "snapshot":
            return Placement("snapshot")
        if isinstance(raw, str):
            return Placement("day", sqlcheck.check_day_column(raw, table))
        if isinstance(raw, Mapping) and isinstance(raw.get("active"), Mapping):
            act = raw["active"]
            start = sqlcheck.check_day_column(act.get("from"), table)
            until = sqlcheck.check_day_column(act.get("until"), table) if act.get("until") else None
            return Placement("active", start, until)
    except DefinitionError as exc:
        exc.line = line
        raise
    raise _err(
        "definition.period_by",
        "period_by phải là một cột ngày, {active: {from: cột, until: cột}} hoặc snapshot.",
        "period_by must be a date column, {active: {from: column, until: column}} or snapshot.",
        line,
    )


def _record(node: LineDict) -> RecordSpec:
    table = node.get("table")
    if table not in TABLES:
        raise _err("definition.table", f"Không có bảng dữ kiện {table!r} (có: {', '.join(TABLES)}).",
                   f"No fact table {table!r} (known: {', '.join(TABLES)}).", node.line_of("table"))  # fmt: skip
    placement = _placement(node, table)
    active = placement.kind == "active"
    num = _measure(node.get("numerator"), table, node.line_of("numerator"), with_period=active)
    den = None
    if "denominator" in node:
        den = _measure(node["denominator"], table, node.line_of("denominator"), with_period=active)
    return RecordSpec(table, placement, num, den)


def _data(node: LineDict) -> DataSpec:
    elements = sqlcheck.data_elements(str(node.get("numerator", ""))) + sqlcheck.data_elements(
        str(node.get("denominator", ""))
    )
    slots = {de: f"e{i}" for i, de in enumerate(dict.fromkeys(elements))}
    for key in ("numerator", "denominator"):
        if key in node or key == "numerator":
            try:
                sqlcheck.expression_sql(node.get(key), slots)
            except DefinitionError as exc:
                exc.line = node.line_of(key)
                raise
    aggregate = node.get("aggregate", "sum")
    rollup = node.get("rollup_from")
    if aggregate not in ("sum", "none") or rollup not in (None, "month"):
        raise _err("definition.data", "aggregate: sum|none; rollup_from: month.",
                   "aggregate must be sum or none; rollup_from may be month.", node.line)  # fmt: skip
    den = node.get("denominator")
    return DataSpec(
        str(node["numerator"]), str(den) if den is not None else None, tuple(slots), aggregate, rollup
    )


def _rule(raw: Any, line: int | None) -> Rule:
    if not isinstance(raw, Mapping):
        raise _err("definition.rule", "rule phải là một ánh xạ.", "rule must be a mapping.", line)
    cap = _number(raw["cap"], "cap", line) if "cap" in raw else None
    if "threshold" in raw:
        return Rule("threshold", _number(raw["threshold"], "threshold", line, positive=True),
                    _number(raw.get("max"), "max", line), cap=cap)  # fmt: skip
    if "factor" in raw:
        return Rule("linear", factor=_number(raw["factor"], "factor", line), cap=cap)
    if raw.get("points") is True:
        return Rule("points", cap=cap)
    raise _err(
        "definition.rule",
        "Quy tắc chấm điểm cần {threshold: T, max: M}, {factor: F, cap: C} hoặc {points: true}.",
        "A scoring rule needs {threshold: T, max: M}, {factor: F, cap: C} or {points: true}.",
        line,
    )


def _composite(node: LineDict) -> CompositeSpec:
    raw = node.get("components")
    if not isinstance(raw, list) or not raw:
        raise _err("definition.components", "components phải là danh sách không rỗng.",
                   "components must be a non-empty list.", node.line_of("components"))  # fmt: skip
    comps = []
    for item in raw:
        line = _line(item)
        if not isinstance(item, LineDict) or not isinstance(item.get("indicator"), str):
            raise _err("definition.component", "Mỗi thành phần cần indicator: mã chỉ số.",
                       "Each component needs indicator: code.", line or node.line)  # fmt: skip
        if unknown := set(item) - {"indicator", "use", "rule", "weight", "zero_denominator", "source",
                                   "confidence", "label"}:  # fmt: skip
            raise _err("definition.unknown_key", f"Khoá lạ: {', '.join(sorted(unknown))}.",
                       f"Unknown key(s): {', '.join(sorted(unknown))}.", line)  # fmt: skip
        use = item.get("use", "ratio")
        zero = {0: "zero", "0": "zero", "zero": "zero", "max": "max", None: "null", "null": "null"}.get(
            item.get("zero_denominator", "null"), "bad"
        )
        if use not in ("ratio", "value") or zero == "bad":
            raise _err("definition.component", "use: ratio|value; zero_denominator: 0|max|null.",
                       "use must be ratio or value; zero_denominator 0, max or null.", line)  # fmt: skip
        label = _text(None, "label", item, required=False)
        comps.append(
            Component(item["indicator"], _rule(item.get("rule"), item.line_of("rule")), use,
                      _number(item.get("weight", 1), "weight", line), zero,  # type: ignore[arg-type]
                      str(item.get("source", "")), _confidence(item.get("confidence", ""), line), label)
        )  # fmt: skip
    mx = _number(node["max"], "max", node.line_of("max")) if "max" in node else None
    cap = _number(node["cap"], "cap", node.line_of("cap")) if "cap" in node else None
    return CompositeSpec(tuple(comps), mx, cap)
