"""Check a batch of rows against its table and add the columns the lake computes.

Callers (the ingest readers) hand over Arrow tables whose declared columns are already typed:
strings, booleans, floats and UTC-aware timestamps. This module refuses anything it would have
to guess about (a naive timestamp, an unknown column, a value outside an enum), casts harmless
variants (``large_string``, ``int64`` → ``float64``, ``timestamp[ns, tz=+07:00]`` →
``timestamp[us, tz=UTC]``) and computes the derived and system columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .schemas import LOCAL_TZ, TABLES, Column, TableSpec, arrow_schema


class LakeError(Exception):
    """Base class of the lake's errors."""


class UnknownTableError(LakeError, KeyError):
    """The table name is not one of :data:`TABLES`."""

    def __str__(self) -> str:
        return f"unknown fact table {self.args[0]!r} (known: {', '.join(TABLES)})"


class BatchError(LakeError, ValueError):
    """A batch the lake cannot store as given; ``problems`` says why, one line each."""

    def __init__(self, table: str, problems: list[str]) -> None:
        self.table = table
        self.problems = problems
        super().__init__(f"{table}: " + "; ".join(problems))


def get_spec(table: str) -> TableSpec:
    try:
        return TABLES[table]
    except KeyError:
        raise UnknownTableError(table) from None


_TS = pa.timestamp("us", tz="UTC")
_MAX_SHOWN = 5


def _cast_column(col: Column, arr: Any, problems: list[str]) -> Any:
    """Cast one declared column to its stored type, or record why it cannot be."""
    target = col.arrow_type
    typ = arr.type
    if pa.types.is_null(typ):
        return pa.nulls(len(arr), target)
    if pa.types.is_dictionary(typ):
        arr = arr.cast(typ.value_type)
        typ = arr.type
    if col.kind == "timestamp":
        if not pa.types.is_timestamp(typ):
            problems.append(f"{col.name}: expected a timestamp, got {typ}")
            return None
        if typ.tz is None:
            problems.append(f"{col.name}: naive timestamps are refused; give an offset or a time zone")
            return None
        # Same instants, microsecond unit, labelled UTC (sub-microsecond digits are dropped).
        return arr.cast(_TS, safe=False)
    ok = {
        "string": pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ),
        "enum": pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ),
        "bool": pa.types.is_boolean(typ),
        "float": pa.types.is_floating(typ) or pa.types.is_integer(typ) or pa.types.is_decimal(typ),
        "date": pa.types.is_date(typ),
    }[col.kind]
    if not ok:
        problems.append(f"{col.name}: expected {col.kind}, got {typ}")
        return None
    out = arr.cast(target)
    if col.kind == "enum":
        outside = pc.and_(pc.is_valid(out), pc.invert(pc.is_in(out, value_set=pa.array(col.values))))
        bad = pc.unique(pc.filter(out, outside))
        if len(bad):
            shown = ", ".join(repr(v) for v in bad.to_pylist()[:_MAX_SHOWN])
            problems.append(f"{col.name}: values not in {'|'.join(col.values)}: {shown}")
    return out


def local_day(ts: Any) -> Any:
    """UTC instants → Asia/Ho_Chi_Minh calendar dates (date32)."""
    return ts.cast(pa.timestamp("us", tz=LOCAL_TZ)).cast(pa.date32())


def local_month(ts: Any) -> Any:
    """UTC instants → Asia/Ho_Chi_Minh 'YYYY-MM' (2026-02-01T06:30+07:00 is February)."""
    # 'YYYY-MM-DD'[:7]: about 7x faster than pc.strftime on a million rows.
    return pc.utf8_slice_codeunits(local_day(ts).cast(pa.string()), 0, 7)


def period_year(periods: Any) -> Any:
    """Period keys → 'YYYY' from their first run of four digits (``R09-2025M07`` → 2025)."""
    return pc.struct_field(pc.extract_regex(periods, r"(?P<year>\d{4})"), [0])


def prepare(spec: TableSpec, rows: Any, *, batch_id: str, source: str, ingested_at: datetime) -> Any:
    """Validate ``rows`` and return them in the table's stored schema (:func:`arrow_schema`).

    Raises :class:`BatchError` listing every problem found.
    """
    problems: list[str] = []
    if not batch_id:
        problems.append("batch_id is empty")
    if not source:
        problems.append("source is empty")
    if ingested_at.tzinfo is None:
        problems.append("ingested_at must be timezone-aware")
    if isinstance(rows, pa.RecordBatch):
        rows = pa.Table.from_batches([rows])
    if not isinstance(rows, pa.Table):
        raise TypeError(f"rows must be a pyarrow.Table, got {type(rows).__name__}")
    declared = set(spec.declared_names)
    unknown = [n for n in rows.column_names if n not in declared]
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if len(set(rows.column_names)) != len(rows.column_names):
        problems.append("duplicate column names")
    n = rows.num_rows
    cols: dict[str, Any] = {}
    for col in spec.columns:
        if col.name not in rows.column_names:
            if col.required:
                problems.append(f"{col.name}: required column missing")
            cols[col.name] = pa.nulls(n, col.arrow_type)
            continue
        cast = _cast_column(col, rows.column(col.name), problems)
        if cast is None:
            continue
        nulls = cast.null_count
        if col.required and nulls:
            problems.append(f"{col.name}: {nulls} empty value(s) in a required column")
        cols[col.name] = cast
    if problems:
        raise BatchError(spec.name, problems)

    for ts_name, day in spec.day_columns.items():
        cols[day] = local_day(cols[ts_name])
    if spec.hourly and spec.partition_source:
        # Flooring the UTC instant is flooring the local one: the +07:00 offset is whole hours.
        cols["hour"] = pc.floor_temporal(cols[spec.partition_source], multiple=1, unit="hour")
    if spec.partition == "month" and spec.partition_source:
        cols["month"] = local_month(cols[spec.partition_source])
    elif spec.partition == "year" and spec.partition_source:
        year = period_year(cols[spec.partition_source])
        if year.null_count:
            bad = pc.unique(pc.filter(cols[spec.partition_source], pc.is_null(year))).to_pylist()
            raise BatchError(spec.name, [f"{spec.partition_source}: no year in {bad[:_MAX_SHOWN]!r}"])
        cols["year"] = year
    cols["source"] = pa.repeat(pa.scalar(source, pa.string()), n)
    cols["batch_id"] = pa.repeat(pa.scalar(batch_id, pa.string()), n)
    cols["ingested_at"] = pa.repeat(pa.scalar(ingested_at, _TS), n)
    schema = arrow_schema(spec)
    return pa.Table.from_arrays([cols[f.name] for f in schema], schema=schema)
