"""The five fact tables of the lake, declared once: columns, keys, partitions.

Each table has three kinds of columns, in this order in storage:

* **declared** columns, the ones a source system sends (see DESIGN.md, "Fact tables");
* **derived** columns the lake computes on write: for every timestamp column ``X_at`` a local
  calendar date ``X_day`` (Asia/Ho_Chi_Minh), ``hour`` for observations (the local hour's start,
  stored as a UTC instant), and the partition column;
* **system** columns: ``source`` (the sending system), ``batch_id`` and ``ingested_at`` (UTC) of
  the batch that last wrote the row.

Partitions: ``month`` ('YYYY-MM', the local month of the table's main time) for dossiers
(``received_at``), documents (``sent_at``) and observations (``observed_at``); ``year`` ('YYYY',
the first four-digit run of the period key, so ``R09-2025M07`` → ``2025``) for data values, whose
periods span up to a year; none for the small service catalogue.

All timestamps are stored as ``timestamp[us, tz=UTC]``, never naive: a naive column would
upgrade the Delta protocol to ``timestampNtz`` and break DuckDB and Spark reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa

Kind = Literal["string", "bool", "timestamp", "float", "date", "enum"]
Role = Literal["declared", "derived", "system"]

#: Vietnam has kept UTC+07:00 without daylight saving since 1975; a fixed offset needs no
#: time-zone database (Windows wheels of pyarrow have none) and gives the same calendar dates.
LOCAL_TZ = "+07:00"
LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Column:
    """One column of a fact table."""

    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values of an enum column
    role: Role = "declared"
    doc: str = ""

    @property
    def arrow_type(self) -> Any:
        return _ARROW_TYPES[self.kind]()

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB_TYPES[self.kind]


_ARROW_TYPES: dict[str, Any] = {
    "string": pa.string,
    "enum": pa.string,
    "bool": pa.bool_,
    "timestamp": lambda: pa.timestamp("us", tz="UTC"),
    "float": pa.float64,
    "date": pa.date32,
}

_DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "enum": "VARCHAR",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "float": "DOUBLE",
    "date": "DATE",
}


@dataclass(frozen=True)
class TableSpec:
    """A fact table: its declared columns, upsert key and partitioning.

    ``key`` may contain ``source`` (a system column taken from the batch). ``partition`` is the
    name of the partition column (``month``, ``year`` or None) and ``partition_source`` the
    declared column it is computed from.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partition: Literal["month", "year"] | None
    partition_source: str | None
    hourly: bool = False  # add the ``hour`` column (observations)
    doc: str = ""
    derived_from: str | None = None  # computed by dieuhanh from another table: never ingested directly

    # --- column groups -------------------------------------------------------------------
    @property
    def declared(self) -> tuple[Column, ...]:
        return self.columns

    @property
    def declared_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def timestamps(self) -> tuple[str, ...]:
        """Declared timestamp columns, each of which gets a local ``*_day`` column."""
        return tuple(c.name for c in self.columns if c.kind == "timestamp")

    @property
    def day_columns(self) -> dict[str, str]:
        """``{"received_at": "received_day", …}``."""
        return {ts: day_name(ts) for ts in self.timestamps}

    @property
    def updated_column(self) -> str | None:
        """The column that orders versions of a record (``updated_at``), if the table has one."""
        return "updated_at" if "updated_at" in self.declared_names else None

    @property
    def derived(self) -> tuple[Column, ...]:
        cols = [
            Column(day, "date", role="derived", doc=f"local (Asia/Ho_Chi_Minh) date of {ts}")
            for ts, day in self.day_columns.items()
        ]
        src = self.partition_source
        if self.hourly:
            cols.append(Column("hour", "timestamp", True, role="derived", doc=f"local hour start of {src}"))
        if self.partition == "month":
            cols.append(Column("month", "string", True, role="derived", doc=f"local month of {src}, YYYY-MM"))
        elif self.partition == "year":
            cols.append(Column("year", "string", True, role="derived", doc=f"year of {src}, YYYY"))
        return tuple(cols)

    @property
    def system(self) -> tuple[Column, ...]:
        return SYSTEM_COLUMNS

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every stored column: declared, derived but the partition, system, then the partition.

        The partition column comes last because that is where hive-partitioned readers
        (DuckDB, Spark) put it.
        """
        derived = [c for c in self.derived if c.name != self.partition]
        part = [c for c in self.derived if c.name == self.partition]
        return (*self.columns, *derived, *SYSTEM_COLUMNS, *part)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.all_columns)

    @property
    def compared(self) -> tuple[str, ...]:
        """Declared non-key columns: a re-sent row that differs in none of these is unchanged."""
        return tuple(n for n in self.declared_names if n not in self.key)

    @property
    def partition_in_key(self) -> bool:
        """True when the partition is a function of the key, so a key never changes partition."""
        return self.partition_source is not None and self.partition_source in self.key

    def column(self, name: str) -> Column:
        for col in self.all_columns:
            if col.name == name:
                return col
        raise KeyError(name)


def day_name(timestamp_column: str) -> str:
    """``received_at`` → ``received_day``."""
    base = timestamp_column[:-3] if timestamp_column.endswith("_at") else timestamp_column
    return f"{base}_day"


SYSTEM_COLUMNS: tuple[Column, ...] = (
    Column("source", "string", True, role="system", doc="name of the sending system"),
    Column("batch_id", "string", True, role="system", doc="ingest batch that last wrote the row"),
    Column("ingested_at", "timestamp", True, role="system", doc="when that batch was written (UTC)"),
)


def _s(name: str, required: bool = False, doc: str = "") -> Column:
    return Column(name, "string", required, doc=doc)


def _b(name: str, doc: str = "") -> Column:
    return Column(name, "bool", doc=doc)


def _t(name: str, required: bool = False, doc: str = "") -> Column:
    return Column(name, "timestamp", required, doc=doc)


def _e(name: str, values: tuple[str, ...], required: bool = False, doc: str = "") -> Column:
    return Column(name, "enum", required, values, doc=doc)


DOSSIERS = TableSpec(
    name="dossiers",
    doc="Administrative-procedure dossiers (hồ sơ thủ tục hành chính).",
    columns=(
        _s("record_id", True, "the dossier's code in the source system"),
        _s("unit_code", True, "receiving unit"),
        _s("procedure_code"),
        _e("channel", ("online", "direct", "postal")),
        _t("received_at", True),
        _t("due_at"),
        _t("finished_at"),
        _e("status", ("processing", "finished", "returned", "withdrawn")),
        _b("fee_required"),
        _b("paid_online"),
        _b("digitized"),
        _b("e_result"),
        _e("rating", ("satisfied", "neutral", "unsatisfied")),
        _t("updated_at", doc="last change in the source system; the latest wins"),
    ),
    key=("source", "record_id"),
    partition="month",
    partition_source="received_at",
)

SERVICES = TableSpec(
    name="services",
    doc="Catalogue of public services offered per unit.",
    columns=(
        _s("procedure_code", True),
        _s("unit_code", True),
        _s("name"),
        _e("online_level", ("full", "partial", "none")),
        _b("fee_required"),
    ),
    key=("source", "procedure_code", "unit_code"),
    partition=None,
    partition_source=None,
)

DOCUMENTS = TableSpec(
    name="documents",
    doc="Official documents (văn bản) sent and received.",
    columns=(
        _s("record_id", True),
        _s("unit_code", True),
        _e("direction", ("outgoing", "incoming")),
        _t("sent_at", True),
        _b("electronic"),
        _b("digitally_signed"),
        _b("interconnected"),
    ),
    key=("source", "record_id"),
    partition="month",
    partition_source="sent_at",
)

OBSERVATIONS = TableSpec(
    name="observations",
    doc="Environmental monitoring observations (one value of one parameter at one station).",
    columns=(
        _s("station_code", True),
        _s("unit_code", True),
        _s("parameter", True),
        _t("observed_at", True),
        Column("value", "float"),
        _s("uom", doc="unit of measure"),
    ),
    key=("station_code", "parameter", "observed_at"),
    partition="month",
    partition_source="observed_at",
    hourly=True,
)

DATA_VALUES = TableSpec(
    name="data_values",
    doc="Aggregate values reported per data element, unit and period (DHIS2-style).",
    columns=(
        _s("data_element", True),
        _s("unit_code", True),
        _s("period", True, "period key: 2025, 2025H1, 2025Q3, 2025M07, 2025W27, 2025-07-14, R09-…"),
        Column("value", "float"),
    ),
    key=("data_element", "unit_code", "period"),
    partition="year",
    partition_source="period",
)


def _f(name: str, doc: str = "") -> Column:
    return Column(name, "float", doc=doc)


_SUB_INDICES = tuple(_f(p, f"sub-index of {p} (rounded)") for p in ("pm25", "pm10", "o3", "no2", "so2", "co"))

AQI_HOURLY = TableSpec(
    name="aqi_hourly",
    doc="VN_AQI per station and hour (Decision 1459/QĐ-TCMT, AQI^h), derived from observations.",
    columns=(
        _s("station_code", True),
        _s("unit_code", True, "the station's unit"),
        _t("hour_end", True, "end of the averaged hour (the decision labels hours by their end)"),
        Column("aqi_day", "date", True, doc="the decision's day of the hour: 01:00 … 00:00 the next day"),
        _f("aqi", "AQI^h, empty when neither PM2.5 nor PM10 has a NowCast"),
        _s("dominant"),
        _e("band", ("good", "moderate", "poor", "bad", "very_bad", "hazardous")),
        *_SUB_INDICES,
    ),
    key=("station_code", "hour_end"),
    partition="month",
    partition_source="hour_end",
    derived_from="observations",
)

AQI_DAILY = TableSpec(
    name="aqi_daily",
    doc="VN_AQI per station and local day (Decision 1459/QĐ-TCMT, AQI^d), derived from observations.",
    columns=(
        _s("station_code", True),
        _s("unit_code", True, "the station's unit"),
        Column("aqi_day", "date", True, doc="local day: hours labelled 01:00 of it … 00:00 of the next"),
        _f("aqi", "AQI^d, empty when neither PM2.5 nor PM10 has a 24-hour mean"),
        _s("dominant"),
        _e("band", ("good", "moderate", "poor", "bad", "very_bad", "hazardous")),
        *_SUB_INDICES,
    ),
    key=("station_code", "aqi_day"),
    partition=None,
    partition_source=None,
    derived_from="observations",
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (DOSSIERS, SERVICES, DOCUMENTS, OBSERVATIONS, DATA_VALUES, AQI_HOURLY, AQI_DAILY)
}


def arrow_schema(spec: TableSpec) -> Any:
    """The stored Arrow schema of a table (required columns are non-nullable)."""
    return pa.schema([pa.field(c.name, c.arrow_type, nullable=not c.required) for c in spec.all_columns])


def declared_schema(spec: TableSpec) -> Any:
    """The Arrow schema of the rows a caller hands to :meth:`Lake.upsert`."""
    return pa.schema([pa.field(c.name, c.arrow_type, nullable=not c.required) for c in spec.columns])
