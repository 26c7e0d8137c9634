"""The fact lake: one Delta table per fact table under a root directory.

Writes are keyed upserts, one Delta commit per batch (all of it or none of it is visible, even
when the writing process is killed). Reads go through DuckDB views over the files a table's log
declares active, at the current version, a pinned version, or a point in time.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError
from deltalake.transaction import CommitProperties

from . import plan, sql
from .prepare import LakeError, get_spec, prepare
from .schemas import TABLES, TableSpec

if sys.platform != "win32":
    import fcntl

META_BATCH = "dieuhanh.batch_id"
META_SOURCE = "dieuhanh.source"
META_OPERATION = "dieuhanh.operation"
NO_TABLE = -1  # the "version" of a table that does not exist (yet)

T = TypeVar("T")


@dataclass(frozen=True)
class UpsertResult:
    """What one batch did. ``inserted + updated + unchanged + superseded`` is the rows sent.

    ``superseded`` counts rows dropped because a later row of the same batch had the same key;
    ``version`` is the table version after the batch (the unchanged current version, or None
    for a table that still does not exist, when nothing was written).
    """

    table: str
    batch_id: str
    inserted: int
    updated: int
    unchanged: int
    superseded: int
    version: int | None

    @property
    def written(self) -> int:
        return self.inserted + self.updated


class _Conflict(Exception):
    """Another writer got there first; redo the whole attempt on a fresh snapshot."""


class Lake:
    """Delta tables under ``root`` (``root/<table>``), read with DuckDB.

    ``lock`` serialises writers of one table on this machine with an advisory file lock;
    writers that do not share it (another host on shared storage) are kept correct by Delta's
    optimistic concurrency: a conflicting commit is retried up to ``max_retries`` times.
    """

    def __init__(self, root: str | os.PathLike[str], *, lock: bool = True, max_retries: int = 8) -> None:
        self.root = Path(root).absolute()
        self.lock = lock
        self.max_retries = max_retries

    def __repr__(self) -> str:
        return f"Lake({str(self.root)!r})"

    # --- paths and versions --------------------------------------------------------------
    def path(self, table: str) -> Path:
        return self.root / get_spec(table).name

    def exists(self, table: str) -> bool:
        return DeltaTable.is_deltatable(str(self.path(table)))

    def version(self, table: str) -> int | None:
        """The current version of ``table``, or None if it has never been written."""
        if not self.exists(table):
            return None
        return DeltaTable(str(self.path(table))).version()

    def snapshot_versions(self) -> dict[str, int]:
        """The current version of every table, to record what a computed figure was based on.

        A table not created yet is ``-1``, so ``connect(version_of=snapshot)`` later shows it
        empty, as it was.
        """
        return {name: NO_TABLE if (v := self.version(name)) is None else v for name in TABLES}

    def history(self, table: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Commits of ``table``, newest first: version, timestamp (UTC), operation, batch_id, …"""
        if not self.exists(table):
            return []
        out = []
        for entry in DeltaTable(str(self.path(table))).history(limit):
            out.append(
                {
                    "version": entry["version"],
                    "timestamp": datetime.fromtimestamp(entry["timestamp"] / 1000, tz=UTC),
                    "operation": entry.get("operation"),
                    "batch_id": entry.get(META_BATCH),
                    "source": entry.get(META_SOURCE),
                    "read_version": entry.get("readVersion"),
                    "parameters": entry.get("operationParameters", {}),
                    "metrics": entry.get("operationMetrics", {}),
                }
            )
        return out

    def version_at(self, table: str, as_of: datetime) -> int | None:
        """The version that was current at ``as_of`` (None: the table did not exist yet).

        Resolved from the commit timestamps recorded in the log, not from the log files'
        modification times (which deltalake's own time travel uses, and a copy or a restore
        from backup changes).
        """
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        if not self.exists(table):
            return None
        limit_ms = as_of.timestamp() * 1000
        commits = DeltaTable(str(self.path(table))).history()  # newest first
        for entry in commits:
            if entry["timestamp"] <= limit_ms:
                return int(entry["version"])
        oldest = int(commits[-1]["version"]) if commits else 0
        if oldest > 0:
            raise LakeError(f"{table}: the log before version {oldest} has been cleaned up")
        return None

    def _table_at(
        self, table: str, *, version: int | None = None, as_of: datetime | None = None
    ) -> DeltaTable | None:
        """The table loaded at a version or a time; None if it did not exist then."""
        if version is not None and as_of is not None:
            raise ValueError("give version or as_of, not both")
        if version == NO_TABLE:
            return None
        if as_of is not None:
            version = self.version_at(table, as_of)
            if version is None:
                return None
        if not self.exists(table):
            if version is not None:
                raise LakeError(f"{table} has no version {version}: the table does not exist")
            return None
        try:
            return DeltaTable(str(self.path(table)), version=version)
        except DeltaError as exc:
            raise LakeError(f"{table} has no version {version}: {exc}") from exc

    def files(self, table: str, *, version: int | None = None, as_of: datetime | None = None) -> list[str]:
        """Active data files of ``table`` now, at ``version``, or as known at ``as_of``."""
        dt = self._table_at(table, version=version, as_of=as_of)
        return sorted(dt.file_uris()) if dt is not None else []

    # --- reading -------------------------------------------------------------------------
    def duckdb_connection(self) -> duckdb.DuckDBPyConnection:
        """A bare DuckDB connection configured for the lake (UTC, no downloads)."""
        return sql.connect(self.root / "_duckdb" / "extensions")

    def connect(
        self, *, version_of: dict[str, int] | None = None, as_of: datetime | None = None
    ) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per fact table, named after it.

        ``version_of`` pins tables to versions (e.g. a recorded :meth:`snapshot_versions`);
        other tables are read as of ``as_of`` if given, else at their current version. A table
        with no data (yet, or at that time) is an empty view with the right columns.
        """
        con = self.duckdb_connection()
        self.register_views(con, version_of=version_of, as_of=as_of)
        return con

    def register_views(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        version_of: dict[str, int] | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, int]:
        """Create (or replace) the fact-table views on ``con``; see :meth:`connect`.

        Returns the version each view reads (-1: no table), which is what a computed figure
        should record: a write between :meth:`snapshot_versions` and :meth:`connect` would make
        those two disagree.
        """
        pins = dict(version_of or {})
        for name in pins:
            get_spec(name)
        used: dict[str, int] = {}
        for name, spec in TABLES.items():
            when: dict[str, Any] = {"version": pins[name]} if name in pins else {"as_of": as_of}
            dt = self._table_at(name, **when)
            used[name] = dt.version() if dt is not None else NO_TABLE
            con.execute(sql.view_sql(spec, sorted(dt.file_uris()) if dt is not None else []))
        return used

    def read(self, table: str, *, version: int | None = None, as_of: datetime | None = None) -> Any:
        """The whole table as a ``pyarrow.Table`` (for tests and small tables)."""
        spec = get_spec(table)
        con = self.duckdb_connection()
        try:
            con.execute(sql.view_sql(spec, self.files(table, version=version, as_of=as_of)))
            return con.sql(f"SELECT * FROM {sql.ident(spec.name)}").to_arrow_table()
        finally:
            con.close()

    # --- writing -------------------------------------------------------------------------
    def _serialised(self) -> bool:
        """Whether :meth:`_locked` really excludes other writers."""
        return self.lock and sys.platform != "win32"

    @contextmanager
    def _locked(self, table: str) -> Iterator[None]:
        if not self._serialised():
            yield
            return
        lock_dir = self.root / "_locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with open(lock_dir / f"{table}.lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt``; on a lost commit race, wait a little and run it again on fresh state."""
        for tries in range(self.max_retries + 1):
            try:
                return attempt()
            except (CommitFailedError, _Conflict):
                if tries == self.max_retries:
                    raise
                time.sleep(random.uniform(0.05, 0.2) * (tries + 1))  # noqa: S311 - jitter, not crypto
        raise AssertionError("unreachable")

    def upsert(self, table: str, rows: Any, *, batch_id: str, source: str) -> UpsertResult:
        """Insert or replace ``rows`` (a ``pyarrow.Table`` of the declared columns) by key.

        A stored row is replaced only by a newer ``updated_at`` (tables without one: by any
        difference in the declared columns); identical re-sends change nothing and make no
        commit. Within the batch the latest ``updated_at`` per key wins, the last row on ties.
        The whole batch is one Delta commit.
        """
        spec = get_spec(table)
        prepared = prepare(spec, rows, batch_id=batch_id, source=source, ingested_at=datetime.now(UTC))
        if prepared.num_rows == 0:
            return UpsertResult(spec.name, batch_id, 0, 0, 0, 0, self.version(spec.name))
        commit = CommitProperties(
            custom_metadata={
                META_BATCH: batch_id,
                META_SOURCE: source,
                META_OPERATION: "upsert",
                "userMetadata": f"batch {batch_id} from {source}",
            },
        )
        with self._locked(spec.name):
            return self._retrying(lambda: self._upsert_once(spec, prepared, batch_id, commit))

    def _upsert_once(
        self, spec: TableSpec, prepared: Any, batch_id: str, commit: CommitProperties
    ) -> UpsertResult:
        path = str(self.path(spec.name))
        con = self.duckdb_connection()
        try:
            batch = plan.dedupe(spec, plan.number(prepared), con)
            kept = batch.num_rows
            superseded = prepared.num_rows - kept
            if not DeltaTable.is_deltatable(path):
                version = self._create(
                    spec, path, batch.drop_columns([sql.ROW]).cast(prepared.schema), commit
                )
                return UpsertResult(spec.name, batch_id, kept, 0, 0, superseded, version)
            dt = DeltaTable(path)
            files = dt.file_uris()
            if spec.partition_in_key and spec.partition:
                # The key fixes the partition: only the batch's partitions can hold its keys.
                pruning: list[tuple[str, str, Any]] = [
                    (spec.partition, "in", sorted(plan.partitions_of(spec, batch)))
                ]
                files = dt.file_uris(file_pruning_predicate=pruning)
            todo = plan.plan_merge(spec, batch, files, con, prepared.schema)
        finally:
            con.close()
        if todo.rows.num_rows == 0:
            return UpsertResult(spec.name, batch_id, 0, 0, kept, superseded, dt.version())
        if todo.updated == 0 and self._serialised():
            # Only new keys, and no other writer can commit between the plan and this commit (we
            # hold the table's lock): appending is the merge's result without its second scan of
            # the stored rows, which grows with the partition (a month of observations).
            write_deltalake(
                dt, todo.rows, mode="append", partition_by=[spec.partition] if spec.partition else None,
                commit_properties=commit,
            )  # fmt: skip
            dt.update_incremental()
            return UpsertResult(
                spec.name, batch_id, todo.inserted, 0, kept - todo.inserted, superseded, dt.version()
            )
        metrics = (
            dt.merge(
                todo.rows,
                sql.merge_predicate(spec, todo.partitions),
                source_alias="s",
                target_alias="t",
                commit_properties=commit,
            )
            .when_matched_update_all(predicate=sql.merge_guard(spec))
            .when_not_matched_insert_all()
            .execute()
        )
        # The merge's own counts: they differ from the plan's only if a racing writer won.
        inserted = int(metrics.get("num_target_rows_inserted", todo.inserted))
        updated = int(metrics.get("num_target_rows_updated", todo.updated))
        unchanged = kept - inserted - updated
        return UpsertResult(spec.name, batch_id, inserted, updated, unchanged, superseded, dt.version())

    def _create(self, spec: TableSpec, path: str, data: Any, commit: CommitProperties) -> int:
        """Create the table with its first batch: one commit, version 0."""
        try:
            write_deltalake(
                path,
                data,
                mode="error",
                partition_by=[spec.partition] if spec.partition else None,
                name=spec.name,
                description=spec.doc,
                commit_properties=commit,
            )
        except DeltaError as exc:
            if DeltaTable.is_deltatable(path):
                raise _Conflict(str(exc)) from exc  # another writer created it first
            raise
        return DeltaTable(path).version()

    # --- maintenance ---------------------------------------------------------------------
    def compact(self, table: str) -> dict[str, Any]:
        """Rewrite small files into larger ones (same rows, new version); returns the metrics."""
        spec = get_spec(table)
        if not self.exists(spec.name):
            return {}
        commit = CommitProperties(custom_metadata={META_OPERATION: "compact"})

        def attempt() -> dict[str, Any]:
            return DeltaTable(str(self.path(spec.name))).optimize.compact(commit_properties=commit)

        with self._locked(spec.name):
            return self._retrying(attempt)

    def vacuum(self, table: str, retention_hours: int = 168) -> list[str]:
        """Delete data files older than ``retention_hours`` that the current version does not use.

        That covers files replaced by merges and compaction and the partial output of writers
        killed mid-batch (a "full" vacuum). Time travel (``files(as_of=…)``,
        ``connect(version_of=…)``) cannot go back further than the retention once this has run,
        and a retention shorter than the longest write is only safe while no other host writes.
        """
        spec = get_spec(table)
        if not self.exists(spec.name):
            return []
        with self._locked(spec.name):
            dt = DeltaTable(str(self.path(spec.name)))
            return dt.vacuum(
                retention_hours=retention_hours, dry_run=False, enforce_retention_duration=False, full=True
            )
