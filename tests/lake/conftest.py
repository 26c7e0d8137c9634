"""Helpers for the lake tests: a fresh lake per test and rows written by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest

from dieuhanh.lake import TABLES, Lake, declared_schema

VN = timezone(timedelta(hours=7))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def rows(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """An Arrow table of the declared columns (missing ones null) from dicts."""
    return pa.Table.from_pylist(records, schema=declared_schema(TABLES[table]))


def dossier(
    record_id: str, received_at: datetime, updated_at: datetime | None = None, **kw: Any
) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "unit_code": "U01",
        "received_at": received_at,
        "updated_at": updated_at,
        **kw,
    }


@pytest.fixture
def lake(tmp_path: Any) -> Lake:
    return Lake(tmp_path / "lake")


def query(lake_or_con: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows as tuples, through Arrow: DuckDB's own fetchall() needs pytz for TIMESTAMPTZ values."""
    con = lake_or_con.connect() if isinstance(lake_or_con, Lake) else lake_or_con
    table = con.sql(sql).to_arrow_table()
    return [tuple(row.values()) for row in table.to_pylist()]
