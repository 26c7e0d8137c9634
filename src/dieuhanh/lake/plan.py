"""Deciding what a batch changes before it is merged: duplicates, stored keys, partitions.

Everything here works on Arrow tables in memory, with DuckDB for the two joins that need it;
nothing is written. :mod:`dieuhanh.lake.store` turns the plan into one Delta commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from . import sql
from .schemas import TableSpec


def number(prepared: Any) -> Any:
    """The batch with its rows' ordinals in ``__row`` (sent order decides ties)."""
    return prepared.append_column(sql.ROW, pa.array(range(prepared.num_rows), pa.int64()))


def dedupe(spec: TableSpec, numbered: Any, con: duckdb.DuckDBPyConnection) -> Any:
    """One row per key: the latest ``updated_at`` (none counts as oldest), the last sent on ties."""
    distinct = numbered.select(list(spec.key)).group_by(list(spec.key)).aggregate([]).num_rows
    if distinct == numbered.num_rows:
        return numbered  # the usual case, without a round trip through DuckDB
    con.register("batch_in", numbered)
    try:
        out = con.sql(f"{sql.dedupe_sql(spec, 'batch_in')} ORDER BY {sql.ident(sql.ROW)}").to_arrow_table()
    finally:
        con.unregister("batch_in")
    return out.cast(numbered.schema)


def partitions_of(spec: TableSpec, table: Any) -> set[str]:
    if not spec.partition or table.num_rows == 0:
        return set()
    return {str(p) for p in pc.unique(table.column(spec.partition)).to_pylist()}


@dataclass(frozen=True)
class MergePlan:
    """The rows to merge (stored schema) and the partitions the merge may touch."""

    rows: Any
    partitions: frozenset[str]
    inserted: int
    updated: int
    unchanged: int


def plan_merge(
    spec: TableSpec, batch: Any, files: Sequence[str], con: duckdb.DuckDBPyConnection, schema: Any
) -> MergePlan:
    """Compare a deduplicated, numbered batch with the stored rows in ``files``.

    New keys are inserted; stored keys are replaced by a newer ``updated_at`` (or, without one,
    by any difference in the declared columns). The partitions are the batch's plus those its
    replaced keys are stored in now, so a record whose month changed leaves no copy behind.
    """
    rows_col = batch.column(sql.ROW)
    if files:
        con.register("batch", batch)
        try:
            matched = con.sql(sql.match_sql(spec, "batch", files)).to_arrow_table()
        finally:
            con.unregister("batch")
    else:
        matched = pa.table(
            {sql.ROW: pa.array([], pa.int64()), "old_partition": pa.array([], pa.string()),
             "do_replace": pa.array([], pa.bool_())}
        )  # fmt: skip
    replacing = matched.filter(pc.field("do_replace"))
    matched_rows = pc.unique(matched.column(sql.ROW))
    replaced_rows = pc.unique(replacing.column(sql.ROW))
    updated = len(replaced_rows)
    inserted = batch.num_rows - len(matched_rows)
    unchanged = len(matched_rows) - updated
    if updated == len(matched_rows):
        keep = batch  # nothing unchanged: merge the whole batch
    else:
        mask = pc.or_(
            pc.invert(pc.is_in(rows_col, value_set=matched_rows)), pc.is_in(rows_col, value_set=replaced_rows)
        )
        keep = batch.filter(mask)
    out = keep.drop_columns([sql.ROW]).cast(schema)
    parts = partitions_of(spec, out)
    if spec.partition:
        parts.update(
            str(p) for p in pc.unique(replacing.column("old_partition")).to_pylist() if p is not None
        )
    return MergePlan(out, frozenset(parts), inserted, updated, unchanged)
