"""The DuckDB side of the lake: connections, views over active files, and the upsert's SQL.

DuckDB 2.0 on these machines cannot download its ``delta`` extension, so a Delta table is read
as plain Parquet from the list of files its log declares active at a version. Listing the table
directory instead would double count: a merge leaves the files it replaced on disk until vacuum.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from .schemas import TableSpec

ROW = "__row"  # ordinal of a row in its batch, used to break ties and to pick rows


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


_DATABASES: dict[tuple[int, str], duckdb.DuckDBPyConnection] = {}
_DATABASES_LOCK = threading.Lock()


def connect(extension_directory: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection pinned to UTC that never tries to download anything.

    Each is a cursor of one in-memory database per process: opening a database costs about 20 ms,
    a cursor a few microseconds, and the MQTT subscriber opens several a second. Cursors share
    only the catalog's persistent objects, so everything we create in one is TEMP (views, tables)
    or registered on the cursor, and stays its own. The key holds the process id: a forked child
    opens its own database.
    """
    key = (os.getpid(), str(extension_directory))
    with _DATABASES_LOCK:
        base = _DATABASES.get(key)
        if base is None:
            extension_directory.mkdir(parents=True, exist_ok=True)
            base = duckdb.connect(
                ":memory:",
                config={
                    "extension_directory": str(extension_directory),
                    "autoinstall_known_extensions": False,
                },
            )
            _DATABASES[key] = base
        con = base.cursor()
    con.execute("SET TimeZone = 'UTC'")  # a session setting: each cursor needs it
    return con


def parquet_source(spec: TableSpec, files: Sequence[str]) -> str:
    """``read_parquet([...])`` over exactly these files, partition values from the hive path."""
    listed = ", ".join(literal(f) for f in files)
    hive = "true" if spec.partition else "false"
    return f"read_parquet([{listed}], hive_partitioning={hive}, hive_types_autocast=false)"


def select_list(spec: TableSpec, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + ident(n) for n in spec.column_names)


def view_sql(spec: TableSpec, files: Sequence[str], name: str | None = None, *, temp: bool = True) -> str:
    """A view with the table's columns in stored order; empty (but typed) when there are no files.
    TEMP by default: it belongs to the cursor that creates it (see :func:`connect`)."""
    view = ident(name or spec.name)
    if files:
        body = f"SELECT {select_list(spec)} FROM {parquet_source(spec, files)}"
    else:
        cols = ", ".join(f"CAST(NULL AS {c.duckdb_type}) AS {ident(c.name)}" for c in spec.all_columns)
        body = f"SELECT {cols} WHERE false"
    return f"CREATE OR REPLACE {'TEMP ' if temp else ''}VIEW {view} AS {body}"


def dedupe_sql(spec: TableSpec, relation: str) -> str:
    """Keep one row per key: the latest ``updated_at`` (nulls oldest), the last sent on ties."""
    keys = ", ".join(ident(k) for k in spec.key)
    order = []
    if spec.updated_column:
        order.append(f"{ident(spec.updated_column)} DESC NULLS LAST")
    order.append(f"{ident(ROW)} DESC")
    return (
        f"SELECT * FROM {relation} "
        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {', '.join(order)}) = 1"
    )


def _differs(spec: TableSpec, new: str, old: str) -> str:
    terms = [f"{new}.{ident(c)} IS DISTINCT FROM {old}.{ident(c)}" for c in spec.compared]
    return "(" + " OR ".join(terms) + ")" if terms else "false"


def replace_condition(spec: TableSpec, new: str, old: str) -> str:
    """When a sent row replaces the stored row with the same key (DuckDB and DataFusion SQL).

    With ``updated_at`` on both sides, only a strictly newer row replaces; when either side has
    none, any difference in the declared columns does.
    """
    differs = _differs(spec, new, old)
    upd = spec.updated_column
    if upd is None:
        return differs
    n, o = f"{new}.{ident(upd)}", f"{old}.{ident(upd)}"
    return f"({n} > {o} OR (({n} IS NULL OR {o} IS NULL) AND {differs}))"


def match_sql(spec: TableSpec, batch: str, files: Sequence[str]) -> str:
    """Rows of ``batch`` whose key is stored: batch ordinal, stored partition, whether to replace."""
    on = " AND ".join(f"b.{ident(k)} = e.{ident(k)}" for k in spec.key)
    needed = sorted({*spec.key, *spec.compared} | ({spec.partition} if spec.partition else set()))
    part = f"e.{ident(spec.partition)}" if spec.partition else "NULL"
    existing = f"(SELECT {', '.join(ident(c) for c in needed)} FROM {parquet_source(spec, files)})"
    return (
        f"SELECT b.{ident(ROW)} AS {ident(ROW)}, {part}::VARCHAR AS old_partition, "
        f"{replace_condition(spec, 'b', 'e')} AS do_replace "
        f"FROM {batch} AS b JOIN {existing} AS e ON {on}"
    )


def merge_predicate(spec: TableSpec, partitions: Iterable[str]) -> str:
    """Key equality plus the touched partitions as literals, so only their files are read."""
    terms = [f"t.{k} = s.{k}" for k in spec.key]
    parts = sorted(set(partitions))
    if spec.partition and parts:
        terms.append(f"t.{spec.partition} IN ({', '.join(literal(p) for p in parts)})")
    return " AND ".join(terms)


def merge_guard(spec: TableSpec) -> str | None:
    """Condition on a matched row in the merge itself (protects against a racing writer)."""
    upd = spec.updated_column
    if upd is None:
        return None
    return f"s.{upd} > t.{upd} OR s.{upd} IS NULL OR t.{upd} IS NULL"
