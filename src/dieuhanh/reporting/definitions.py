"""Report forms as YAML in packs (``packs/<pack>/forms/*.yaml``), checked before anything is stored.

A refused form names its file, line and reason in Vietnamese and English; the other forms of the
file still load. See ``docs/reporting.md`` for the format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dieuhanh.core.errors import Problem
from dieuhanh.core.periods import PeriodError, parse_period
from dieuhanh.indicators.engine.errors import DefinitionError
from dieuhanh.indicators.engine.yamlio import load_yaml
from dieuhanh.reporting.expressions import ExpressionError, parse_expression

PACKS_DIR = Path(__file__).resolve().parents[1] / "packs"
ELEMENT_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
FORM_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
REGIMES = ("month", "quarter", "half", "year", "r09_month", "r09_quarter", "r09_half", "r09_year")
TYPES = ("integer", "number", "percent", "boolean")
OPERATORS = ("==", "!=", "<", "<=", ">", ">=")
MISSING = ("skip_if_any_missing", "skip_if_all_missing", "never_skip")
UNIT_KINDS = ("province", "department", "district", "commune", "ward", "special_zone")


@dataclass
class ElementSpec:
    code: str
    name_vi: str
    name_en: str
    section: str = ""
    value_type: str = "integer"
    uom: str = ""
    min_value: float | None = None
    max_value: float | None = None
    required: bool = True
    prefill_indicator: str = ""
    aggregate: str = "sum"
    target: float | None = None


@dataclass
class RuleSpec:
    code: str
    left: str
    operator: str
    right: str
    missing: str
    message_vi: str
    message_en: str


@dataclass
class FormSpec:
    code: str
    name_vi: str
    name_en: str
    regime: str
    first_period: str
    deadline_kind: str
    deadline_value: int
    unit_kinds: list[str] = field(default_factory=list)
    unit_codes: list[str] = field(default_factory=list)
    description: str = ""
    lock_after_days: int = 10
    remind_before_days: int = 3
    title_vi: str = ""
    recipients: list[str] = field(default_factory=list)
    summary_recipients: list[str] = field(default_factory=list)
    legal_basis: str = ""
    origin: str = ""
    elements: list[ElementSpec] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, code: str, vi: str, en: str, line: int | None = None) -> None:
        super().__init__(en)
        self.code, self.vi, self.en, self.line = code, vi, en, line


def _line(node: Any, key: str | None = None) -> int | None:
    if key is not None and hasattr(node, "line_of"):
        return int(node.line_of(key))
    return getattr(node, "line", None)


def _text(node: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = node.get(key)
    if value is None or value == "":
        if required:
            raise _Refused("form.required", f"Thiếu khoá {key!r}.", f"Key {key!r} is missing.", _line(node))
        return ""
    return str(value).strip()


def _names(node: Mapping[str, Any], key: str = "name") -> tuple[str, str]:
    value = node.get(key)
    if isinstance(value, Mapping):
        vi, en = str(value.get("vi", "")).strip(), str(value.get("en", "")).strip()
    else:
        vi, en = str(value or "").strip(), ""
    if not vi:
        raise _Refused(
            "form.name",
            f"Thiếu tên tiếng Việt ({key}.vi).",
            f"The Vietnamese name ({key}.vi) is missing.",
            _line(node, key),
        )
    return vi, en


def _choice(node: Mapping[str, Any], key: str, allowed: Iterable[str], default: str | None = None) -> str:
    value = node.get(key, default)
    allowed = tuple(allowed)
    if value not in allowed:
        raise _Refused(
            "form.choice",
            f"{key} = {value!r} không hợp lệ (chọn: {', '.join(allowed)}).",
            f"{key} = {value!r} is not allowed (one of: {', '.join(allowed)}).",
            _line(node, key),
        )
    return str(value)


def _number(node: Mapping[str, Any], key: str) -> float | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused("form.number", f"{key} phải là một số.", f"{key} must be a number.", _line(node, key))
    return float(value)


def _element(node: Any) -> ElementSpec:
    if not isinstance(node, Mapping):
        raise _Refused(
            "form.element",
            "Mỗi chỉ tiêu là một khối khoá: giá trị.",
            "Each element is a mapping.",
            _line(node),
        )
    code = _text(node, "code")
    if not ELEMENT_CODE.fullmatch(code):
        raise _Refused(
            "form.element_code",
            f"Mã chỉ tiêu {code!r} phải viết hoa, chữ số và dấu gạch dưới.",
            f"Element code {code!r} must be upper-case letters, digits and underscores.",
            _line(node, "code"),
        )
    vi, en = _names(node)
    value_type = _choice(node, "type", TYPES, "integer")
    low, high = _number(node, "min"), _number(node, "max")
    if value_type == "percent":
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    if value_type in ("integer", "number") and low is None:
        low = 0.0  # counts and amounts reported by units are never negative unless a form says so
    if low is not None and high is not None and low > high:
        raise _Refused(
            "form.range", f"{code}: min lớn hơn max.", f"{code}: min is greater than max.", _line(node)
        )
    return ElementSpec(
        code=code,
        name_vi=vi,
        name_en=en,
        section=_text(node, "section", required=False),
        value_type=value_type,
        uom=_text(node, "uom", required=False),
        min_value=low,
        max_value=high,
        required=bool(node.get("required", True)),
        prefill_indicator=_text(node, "prefill", required=False),
        aggregate=_choice(node, "aggregate", ("sum", "mean"), "mean" if value_type == "percent" else "sum"),
        target=_number(node, "target"),
    )


def _rule(node: Any, codes: set[str]) -> RuleSpec:
    if not isinstance(node, Mapping):
        raise _Refused(
            "form.rule", "Mỗi quy tắc là một khối khoá: giá trị.", "Each rule is a mapping.", _line(node)
        )
    code = _text(node, "code")
    sides = {}
    for side in ("left", "right"):
        text = _text(node, side)
        try:
            expr = parse_expression(text)
        except ExpressionError as exc:
            raise _Refused(
                "form.expression",
                f"Quy tắc {code}: biểu thức {side} không đọc được ({exc}).",
                f"Rule {code}: the {side} side cannot be read ({exc}).",
                _line(node, side),
            ) from exc
        unknown = [n for n in expr.names if n not in codes]
        if unknown:
            raise _Refused(
                "form.expression_unknown",
                f"Quy tắc {code}: chỉ tiêu không có trong biểu mẫu: {', '.join(unknown)}.",
                f"Rule {code}: elements not in the form: {', '.join(unknown)}.",
                _line(node, side),
            )
        sides[side] = text
    vi, en = _names(node, "message")
    return RuleSpec(
        code=code,
        left=sides["left"],
        operator=_choice(node, "op", OPERATORS),
        right=sides["right"],
        missing=_choice(node, "missing", MISSING, "skip_if_any_missing"),
        message_vi=vi,
        message_en=en or vi,
    )


def parse_form(node: Any, *, origin: str) -> FormSpec:
    if not isinstance(node, Mapping):
        raise _Refused(
            "form.node", "Mỗi biểu mẫu là một khối khoá: giá trị.", "Each form is a mapping.", _line(node)
        )
    code = _text(node, "code")
    if not FORM_CODE.fullmatch(code):
        raise _Refused(
            "form.code",
            f"Mã biểu mẫu {code!r} không hợp lệ (chữ thường, số, dấu chấm).",
            f"Form code {code!r} is not valid (lower case, digits, dots).",
            _line(node, "code"),
        )
    vi, en = _names(node)
    regime = _choice(node, "regime", REGIMES)
    first = _text(node, "first_period")
    try:
        first_period = parse_period(first)
    except PeriodError as exc:
        raise _Refused(exc.code, exc.message_vi, exc.message_en, _line(node, "first_period")) from exc
    if first_period.regime != regime:
        raise _Refused(
            "form.first_period",
            f"Kỳ đầu {first} không thuộc loại kỳ {regime}.",
            f"First period {first} is not a {regime} period.",
            _line(node, "first_period"),
        )
    deadline = node.get("deadline")
    if not isinstance(deadline, Mapping) or len(deadline) != 1:
        raise _Refused(
            "form.deadline",
            "deadline cần đúng một quy tắc: {working_days: N} hoặc {day_of_last_month: D}.",
            "deadline needs exactly one rule: {working_days: N} or {day_of_last_month: D}.",
            _line(node, "deadline"),
        )
    ((kind, value),) = deadline.items()
    if (
        kind not in ("working_days", "day_of_last_month")
        or not isinstance(value, int)
        or not 0 <= value <= 31
    ):
        raise _Refused(
            "form.deadline",
            f"Quy tắc hạn nộp {kind}: {value!r} không hợp lệ.",
            f"Deadline rule {kind}: {value!r} is not valid.",
            _line(node, "deadline"),
        )
    submitters = node.get("submitters") or {}
    kinds = [str(k) for k in submitters.get("kinds", [])] if isinstance(submitters, Mapping) else []
    codes = [str(k) for k in submitters.get("units", [])] if isinstance(submitters, Mapping) else []
    bad = [k for k in kinds if k not in UNIT_KINDS]
    if bad or not (kinds or codes):
        raise _Refused(
            "form.submitters",
            "submitters cần kinds (loại đơn vị) hoặc units (mã đơn vị) hợp lệ.",
            "submitters needs valid kinds (unit kinds) or units (unit codes).",
            _line(node, "submitters"),
        )
    elements_node = node.get("elements")
    if not isinstance(elements_node, list) or not elements_node:
        raise _Refused(
            "form.elements",
            "Biểu mẫu cần ít nhất một chỉ tiêu (elements).",
            "A form needs at least one element (elements).",
            _line(node),
        )
    elements = [_element(e) for e in elements_node]
    seen: set[str] = set()
    for e in elements:
        if e.code in seen:
            raise _Refused(
                "form.element_duplicate",
                f"Chỉ tiêu {e.code} lặp lại.",
                f"Element {e.code} is repeated.",
                _line(node, "elements"),
            )
        seen.add(e.code)
    rules = [_rule(r, seen) for r in node.get("rules") or []]
    recipients = [str(r) for r in node.get("recipients") or []]
    return FormSpec(
        code=code,
        name_vi=vi,
        name_en=en,
        regime=regime,
        first_period=first_period.key,
        deadline_kind=kind,
        deadline_value=value,
        unit_kinds=kinds,
        unit_codes=codes,
        description=_text(node, "description", required=False),
        lock_after_days=int(node.get("lock_after_days", 10)),
        remind_before_days=int(node.get("remind_before_days", 3)),
        title_vi=_text(node, "title", required=False),
        recipients=recipients,
        summary_recipients=[str(r) for r in node.get("summary_recipients") or []],
        legal_basis=_text(node, "legal_basis", required=False),
        origin=origin,
        elements=elements,
        rules=rules,
    )


def form_files(roots: Iterable[Path] = (PACKS_DIR,)) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        out += sorted(p for p in Path(root).rglob("*.yaml") if p.parent.name == "forms")
    return out


def load_forms(roots: Iterable[Path] = (PACKS_DIR,)) -> tuple[list[FormSpec], list[Problem]]:
    """Every form of every pack; refused forms come back as problems (file, line, reason)."""
    forms: list[FormSpec] = []
    problems: list[Problem] = []
    for path in form_files(roots):
        try:
            shown = str(path.relative_to(PACKS_DIR.parent))
        except ValueError:
            shown = str(path)
        try:
            doc = load_yaml(path)
        except DefinitionError as exc:
            problems.append(Problem(exc.code, exc.message_vi, exc.message_en, file=shown, row=exc.line))
            continue
        nodes = doc.get("forms") if isinstance(doc, Mapping) else None
        if not isinstance(nodes, list):
            problems.append(
                Problem(
                    "form.file",
                    "Tệp cần khoá forms: danh sách biểu mẫu.",
                    "The file needs a forms: list.",
                    file=shown,
                    row=1,
                )
            )
            continue
        for node in nodes:
            try:
                forms.append(parse_form(node, origin=shown))
            except _Refused as exc:
                problems.append(Problem(exc.code, exc.vi, exc.en, file=shown, row=exc.line))
    return forms, problems
