"""Filters and data-value expressions, parsed with SQLGlot and checked before anything runs.

A filter is one SQL boolean expression over the columns of one fact table: comparisons, AND /
OR / NOT, IN, BETWEEN, LIKE, IS NULL, CASE, COALESCE, CAST, arithmetic and a few functions that
DuckDB and Spark both know. Anything else (a sub-query, a qualified or unknown column, a
function outside the list) is refused with the reason. The expression is then planned by DuckDB
against an empty view of the table, which catches type errors (``channel = 1``) too.
"""

from __future__ import annotations

import re
from functools import cache

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from dieuhanh.lake import TABLES
from dieuhanh.lake.sql import ident, view_sql

from .errors import DefinitionError

#: Columns a filter of an ``active`` placement may use besides the table's own.
PERIOD_COLUMNS = ("period_start", "period_end", "period_last_day")

_ALLOWED: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Case,
    exp.If,
    exp.Coalesce,
    exp.Cast,
    exp.DataType,
    exp.Lower,
    exp.Upper,
    exp.Abs,
    exp.Interval,
    exp.Var,
)
_DE = re.compile(r"#\{([A-Za-z0-9_.\-]+)\}")
_EXPR_ALLOWED: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Paren,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Coalesce,
)


def _refuse(code: str, vi: str, en: str) -> DefinitionError:
    return DefinitionError(code, vi, en)


def _parse(text: str) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(text, dialect="duckdb")
    except (ParseError, SqlglotError) as exc:
        first = str(exc).splitlines()[0]
        raise _refuse(
            "definition.sql_syntax",
            f"Biểu thức SQL sai cú pháp: {text!r} ({first}).",
            f"SQL syntax error in {text!r} ({first}).",
        ) from exc
    if tree is None:
        raise _refuse("definition.sql_empty", "Biểu thức SQL rỗng.", "Empty SQL expression.")
    assert isinstance(tree, exp.Expression)
    return tree


def table_columns(table: str, *, with_period: bool = False) -> dict[str, str]:
    """Column name → DuckDB type of a fact table (plus the period columns if asked)."""
    spec = TABLES[table]
    cols = {c.name: c.duckdb_type for c in spec.all_columns}
    if with_period:
        cols.update(dict.fromkeys(PERIOD_COLUMNS, "DATE"))
    return cols


def check_filter(text: str, table: str, *, with_period: bool = False) -> str:
    """The filter normalised to DuckDB SQL, or a :class:`DefinitionError` saying why not."""
    if not isinstance(text, str) or not text.strip():
        raise _refuse(
            "definition.filter_type",
            "Điều kiện lọc phải là một biểu thức SQL (chuỗi).",
            "A filter must be an SQL expression (a string).",
        )
    tree = _parse(text)
    columns = table_columns(table, with_period=with_period)
    for node in tree.walk():
        if not isinstance(node, _ALLOWED):
            what = type(node).__name__
            raise _refuse(
                "definition.sql_not_allowed",
                f"Không cho phép {what} trong điều kiện lọc {text!r}: chỉ so sánh, AND/OR/NOT, IN, "
                "BETWEEN, LIKE, IS NULL, CASE, COALESCE, CAST và phép tính trên cột của bảng.",
                f"{what} is not allowed in the filter {text!r}: only comparisons, AND/OR/NOT, IN, "
                "BETWEEN, LIKE, IS NULL, CASE, COALESCE, CAST and arithmetic over the table's columns.",
            )
        if isinstance(node, exp.Column):
            if node.table:
                raise _refuse(
                    "definition.qualified_column",
                    f"Cột {node.sql()} không được ghi kèm tên bảng.",
                    f"Column {node.sql()} must not be qualified with a table name.",
                )
            if node.name not in columns:
                known = ", ".join(sorted(columns))
                raise _refuse(
                    "definition.unknown_column",
                    f"Bảng {table} không có cột {node.name!r} (các cột: {known}).",
                    f"Table {table} has no column {node.name!r} (columns: {known}).",
                )
    normalised = tree.sql(dialect="duckdb")
    _plan(table, with_period, f"SELECT count(*) FROM {ident(_view(table, with_period))} WHERE ({normalised})")
    return normalised


def check_sum_column(column: object, table: str) -> str:
    columns = table_columns(table)
    if not isinstance(column, str) or column not in columns:
        raise _refuse(
            "definition.unknown_column",
            f"Bảng {table} không có cột {column!r} để cộng.",
            f"Table {table} has no column {column!r} to sum.",
        )
    if columns[column] not in ("DOUBLE", "BIGINT", "INTEGER"):
        raise _refuse(
            "definition.not_numeric",
            f"Cột {column} không phải số nên không cộng được.",
            f"Column {column} is not numeric and cannot be summed.",
        )
    return column


def check_day_column(column: object, table: str) -> str:
    columns = table_columns(table)
    if not isinstance(column, str) or columns.get(column) != "DATE":
        days = ", ".join(sorted(c for c, t in columns.items() if t == "DATE")) or "—"
        raise _refuse(
            "definition.period_column",
            f"Cột xếp kỳ {column!r} phải là cột ngày (DATE) của bảng {table} (có: {days}).",
            f"The period column {column!r} must be a DATE column of {table} (available: {days}).",
        )
    return column


def data_elements(text: str) -> list[str]:
    return list(dict.fromkeys(_DE.findall(text)))


def expression_sql(text: object, slot_of: dict[str, str]) -> str:
    """A ``#{DE}`` expression as SQL over the columns named in ``slot_of`` (element → column)."""
    if not isinstance(text, str) or not _DE.search(text):
        raise _refuse(
            "definition.expression",
            f"Biểu thức {text!r} phải dùng ít nhất một chỉ tiêu dạng #{{MA_CHI_TIEU}}.",
            f"The expression {text!r} must use at least one data element as #{{DE_CODE}}.",
        )
    sql = _DE.sub(lambda m: slot_of[m.group(1)], text)
    tree = _parse(sql)
    for node in tree.walk():
        if not isinstance(node, _EXPR_ALLOWED) or (
            isinstance(node, exp.Column) and node.name not in slot_of.values()
        ):
            raise _refuse(
                "definition.expression",
                f"Biểu thức {text!r} chỉ được dùng #{{...}}, số, + - * / và ngoặc.",
                f"The expression {text!r} may only use #{{...}}, numbers, + - * / and parentheses.",
            )
    return tree.transform(_safe_division).sql(dialect="duckdb")


def _safe_division(node: exp.Expression) -> exp.Expression:
    """``a / b`` → ``a / NULLIF(b, 0)``: no division error in Spark's ANSI mode, NULL in both."""
    if isinstance(node, exp.Div):
        return exp.Div(
            this=node.this, expression=exp.Nullif(this=node.expression, expression=exp.Literal.number(0))
        )
    return node


def _view(table: str, with_period: bool) -> str:
    return f"{table}__p" if with_period else table


@cache
def _checker() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    for spec in TABLES.values():
        con.execute(view_sql(spec, [], temp=False))  # seen by the cursors of _plan
        extra = ", ".join(f"CAST(NULL AS DATE) AS {c}" for c in PERIOD_COLUMNS)
        con.execute(f"CREATE VIEW {ident(spec.name + '__p')} AS SELECT *, {extra} FROM {ident(spec.name)}")
    return con


def _plan(table: str, with_period: bool, sql: str) -> None:
    try:
        _checker().cursor().execute(f"EXPLAIN {sql}")
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise _refuse(
            "definition.sql_invalid",
            f"DuckDB không chấp nhận điều kiện trên bảng {table}: {first}",
            f"DuckDB refuses the filter on table {table}: {first}",
        ) from exc
