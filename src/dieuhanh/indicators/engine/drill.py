"""The records behind a figure: the numerator's or the denominator's rows of a record indicator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from dieuhanh.core.periods import Period
from dieuhanh.lake import TABLES
from dieuhanh.lake.sql import ident, literal

from .compiler import date_lit
from .errors import EngineError
from .model import Definition


def drill_columns(definition: Definition) -> list[str]:
    """The columns shown for each record: declared ones, then the local dates."""
    if definition.record is None:
        return []
    spec = TABLES[definition.record.table]
    return [*spec.declared_names, *spec.day_columns.values()]


def drill_sql(
    definition: Definition, *, part: str, unit_codes: Iterable[str], period: Period, on: date
) -> tuple[str, str]:
    """(rows SQL, count SQL) over the lake's views, ordered by the table's key; page with LIMIT/OFFSET."""
    record = definition.record
    if record is None:
        raise EngineError(
            "indicator.no_records",
            f"Chỉ số {definition.code} không tính từ bản ghi nên không có danh sách bản ghi.",
            f"Indicator {definition.code} is not computed from records: there are no records behind it.",
        )
    measure = record.numerator if part == "numerator" else record.denominator
    if measure is None or part not in ("numerator", "denominator"):
        raise EngineError(
            "indicator.no_part", "Chỉ số không có mẫu số.", "This indicator has no denominator."
        )
    spec = TABLES[record.table]
    codes = sorted(set(unit_codes)) or [""]
    where = [f"unit_code IN ({', '.join(literal(c) for c in codes)})"]
    p = record.placement
    source = record.table
    if p.kind == "day":
        where += [f"{p.column} >= {date_lit(period.start)}", f"{p.column} < {date_lit(period.end)}"]
    elif p.kind == "active":
        end = f"COALESCE({p.until}, {date_lit(on)})" if p.until else date_lit(on)
        where += [f"{p.column} < {date_lit(period.end)}", f"{p.column} <= {date_lit(on)}",
                  f"{end} >= {date_lit(period.start)}"]  # fmt: skip
        source = (
            f"(SELECT *, {date_lit(period.start)} AS period_start, {date_lit(period.end)} AS period_end, "
            f"{date_lit(period.end - timedelta(days=1))} AS period_last_day FROM {record.table}) AS t"
        )
    if measure.filter:
        where.append(f"({measure.filter})")
    cols = ", ".join(ident(c) for c in drill_columns(definition))
    keys = ", ".join(ident(k) for k in spec.key)
    body = f"FROM {source} WHERE {' AND '.join(where)}"
    return f"SELECT {cols} {body} ORDER BY {keys}", f"SELECT count(*) {body}"
