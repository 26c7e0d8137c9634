"""Reading one entered value (a web field, an API value or a spreadsheet cell) for one element.

Accepted: numbers as numbers, or text in Vietnamese or English notation ("1.234" and "1 234" are
one thousand two hundred and thirty-four in a whole-number field; "12,5" is twelve and a half);
booleans as có/không, 1/0, true/false, x. An empty value is missing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol


class ElementLike(Protocol):
    code: str
    name_vi: str
    value_type: str
    min_value: float | None
    max_value: float | None


@dataclass(frozen=True)
class ValueProblem(Exception):
    code: str
    message_vi: str
    message_en: str


_TRUE = {"1", "có", "co", "x", "true", "yes", "đúng", "đã có"}
_FALSE = {"0", "không", "khong", "false", "no", "chưa", "chưa có"}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _fmt(x: float) -> str:
    return (
        f"{x:,.0f}".replace(",", ".")
        if float(x).is_integer()
        else f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    )


def _number_from_text(text: str, whole: bool) -> float | None:
    t = _SPACES.sub("", text).removesuffix("%")
    if not t:
        return None
    if "," in t and "." in t:  # both: the last one is the decimal mark
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        t = t.replace(",", "") if whole and re.fullmatch(r"-?\d{1,3}(,\d{3})+", t) else t.replace(",", ".")
    elif "." in t and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", t) and whole:
        t = t.replace(".", "")  # 1.234 in a whole-number field is Vietnamese thousands
    try:
        return float(t)
    except ValueError:
        return math.nan


def parse_value(element: ElementLike, raw: Any) -> float | None:
    """The value as a float (booleans 1/0), None when empty; a bad value raises `ValueProblem`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = element.value_type
    if kind == "boolean":
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        text = str(raw).strip().lower()
        if text in _TRUE or text in ("1.0",):
            return 1.0
        if text in _FALSE or text in ("0.0",):
            return 0.0
        raise ValueProblem("value.boolean", f"“{raw}” không phải Có/Không.", f"“{raw}” is not yes/no.")
    if isinstance(raw, bool):
        raise ValueProblem("value.number", f"“{raw}” không phải là số.", f"“{raw}” is not a number.")
    value = float(raw) if isinstance(raw, int | float) else _number_from_text(str(raw), kind == "integer")
    if value is None:
        return None
    if math.isnan(value) or math.isinf(value):
        raise ValueProblem("value.number", f"“{raw}” không phải là số.", f"“{raw}” is not a number.")
    if kind == "integer" and not float(value).is_integer():
        raise ValueProblem("value.integer", f"“{raw}” phải là số nguyên.", f"“{raw}” must be a whole number.")
    if element.min_value is not None and value < element.min_value:
        raise ValueProblem(
            "value.range",
            f"{_fmt(value)} nhỏ hơn mức tối thiểu {_fmt(element.min_value)}.",
            f"{value:g} is below the minimum {element.min_value:g}.",
        )
    if element.max_value is not None and value > element.max_value:
        raise ValueProblem(
            "value.range",
            f"{_fmt(value)} lớn hơn mức tối đa {_fmt(element.max_value)}.",
            f"{value:g} is above the maximum {element.max_value:g}.",
        )
    return float(value)


def display_value(value: float | None, value_type: str) -> str:
    """Vietnamese notation for pages, documents and spreadsheets' text."""
    if value is None:
        return ""
    if value_type == "boolean":
        return "Có" if value else "Không"
    return _fmt(value)
