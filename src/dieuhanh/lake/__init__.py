"""The fact lake: Delta tables of records (dossiers, services, documents, observations, data
values), keyed upserts in one commit per batch, and DuckDB views at any version.

Imports no Django: the engine and the ingest code use it directly.
"""

from .prepare import BatchError, LakeError, UnknownTableError, local_day, local_month, period_year, prepare
from .schemas import (
    LOCAL_TZ,
    LOCAL_TZ_NAME,
    SYSTEM_COLUMNS,
    TABLES,
    Column,
    TableSpec,
    arrow_schema,
    day_name,
    declared_schema,
)
from .store import NO_TABLE, Lake, UpsertResult

__all__ = [
    "LOCAL_TZ",
    "LOCAL_TZ_NAME",
    "NO_TABLE",
    "SYSTEM_COLUMNS",
    "TABLES",
    "BatchError",
    "Column",
    "Lake",
    "LakeError",
    "TableSpec",
    "UnknownTableError",
    "UpsertResult",
    "arrow_schema",
    "day_name",
    "declared_schema",
    "local_day",
    "local_month",
    "period_year",
    "prepare",
]
