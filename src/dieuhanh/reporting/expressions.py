"""Validation-rule sides: arithmetic over data-element codes (``HSCV_ONLINE + 2 * X - 1``).

Parsed with Python's own parser and checked against a short list of node types, so a rule can
never run code. Evaluation reports which elements were missing, for the rule's missing-value
strategy (DHIS2's ``SKIP_IF_ANY_VALUE_MISSING`` / ``SKIP_IF_ALL_VALUES_MISSING`` / ``NEVER_SKIP``).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    names: tuple[str, ...]

    def evaluate(self, values: Mapping[str, float | None], *, missing_as_zero: bool = False) -> float | None:
        """The value, or None when an element is missing (unless counted as 0) or on division by 0."""

        def ev(node: ast.expr) -> float | None:
            if isinstance(node, ast.Constant):
                return float(node.value)  # type: ignore[arg-type]  # checked by parse_expression
            if isinstance(node, ast.Name):
                v = values.get(node.id)
                return (0.0 if missing_as_zero else None) if v is None else float(v)
            if isinstance(node, ast.UnaryOp):
                v = ev(node.operand)
                return None if v is None else -v
            assert isinstance(node, ast.BinOp)
            a, b = ev(node.left), ev(node.right)
            if a is None or b is None:
                return None
            if isinstance(node.op, ast.Div) and b == 0:
                return None
            return float(_BIN[type(node.op)](a, b))

        return ev(self.tree)


def parse_expression(text: str) -> Expression:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"cannot read {text!r}: {exc.msg}") from exc
    names: list[str] = []

    def check(node: ast.AST) -> None:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            return
        if isinstance(node, ast.Name):
            names.append(node.id)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            check(node.operand)
            return
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            check(node.left)
            check(node.right)
            return
        raise ExpressionError(f"{text!r}: only numbers, element codes, + - * / and parentheses are allowed")

    check(tree)
    return Expression(text, tree, tuple(dict.fromkeys(names)))
