"""The declared shape of the five fact tables, and the checks on a batch before it is written."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from dieuhanh.lake import TABLES, BatchError, UnknownTableError, arrow_schema, prepare
from dieuhanh.lake.prepare import get_spec

from .conftest import rows, utc, vn

SYSTEM = ["source", "batch_id", "ingested_at"]

EXPECTED_COLUMNS = {
    "dossiers": [
        "record_id", "unit_code", "procedure_code", "channel", "received_at", "due_at", "finished_at",
        "status", "fee_required", "paid_online", "digitized", "e_result", "rating", "updated_at",
        "received_day", "due_day", "finished_day", "updated_day", *SYSTEM, "month",
    ],
    "services": ["procedure_code", "unit_code", "name", "online_level", "fee_required", *SYSTEM],
    "documents": [
        "record_id", "unit_code", "direction", "sent_at", "electronic", "digitally_signed", "interconnected",
        "sent_day", *SYSTEM, "month",
    ],
    "observations": [
        "station_code", "unit_code", "parameter", "observed_at", "value", "uom",
        "observed_day", "hour", *SYSTEM, "month",
    ],
    "data_values": ["data_element", "unit_code", "period", "value", *SYSTEM, "year"],
    "aqi_hourly": [
        "station_code", "unit_code", "hour_end", "aqi_day", "aqi", "dominant", "band",
        "pm25", "pm10", "o3", "no2", "so2", "co", "hour_end_day", *SYSTEM, "month",
    ],
    "aqi_daily": [
        "station_code", "unit_code", "aqi_day", "aqi", "dominant", "band",
        "pm25", "pm10", "o3", "no2", "so2", "co", *SYSTEM,
    ],
}  # fmt: skip


def test_the_five_tables_and_their_columns() -> None:
    assert sorted(TABLES) == [
        "aqi_daily", "aqi_hourly", "data_values", "documents", "dossiers", "observations", "services",
    ]  # fmt: skip
    # The two VN_AQI tables are derived from observations: no source system may write them.
    assert {n for n, spec in TABLES.items() if spec.derived_from} == {"aqi_daily", "aqi_hourly"}
    for name, columns in EXPECTED_COLUMNS.items():
        assert list(TABLES[name].column_names) == columns, name
        assert arrow_schema(TABLES[name]).names == columns


def test_keys_and_partitions() -> None:
    assert TABLES["dossiers"].key == ("source", "record_id")
    assert TABLES["documents"].key == ("source", "record_id")
    assert TABLES["services"].key == ("source", "procedure_code", "unit_code")
    assert TABLES["observations"].key == ("station_code", "parameter", "observed_at")
    assert TABLES["data_values"].key == ("data_element", "unit_code", "period")
    partitions = {name: (spec.partition, spec.partition_source) for name, spec in TABLES.items()}
    assert partitions == {
        "dossiers": ("month", "received_at"),
        "documents": ("month", "sent_at"),
        "observations": ("month", "observed_at"),
        "data_values": ("year", "period"),
        "services": (None, None),
        "aqi_hourly": ("month", "hour_end"),
        "aqi_daily": (None, None),
    }
    assert TABLES["dossiers"].updated_column == "updated_at"
    assert TABLES["observations"].updated_column is None
    assert TABLES["dossiers"].column("channel").values == ("online", "direct", "postal")


def test_every_timestamp_is_utc_aware() -> None:
    for spec in TABLES.values():
        for field in arrow_schema(spec):
            if pa.types.is_timestamp(field.type):
                assert field.type == pa.timestamp("us", tz="UTC"), (spec.name, field.name)


def test_local_dates_and_month_use_vietnam_time() -> None:
    # 06:30 on 1 February in Hà Nội is still 31 January in UTC.
    batch = rows("dossiers", [{"record_id": "A", "unit_code": "U", "received_at": vn(2026, 2, 1, 6, 30)}])
    out = prepare(TABLES["dossiers"], batch, batch_id="b", source="s", ingested_at=utc(2026, 3, 1))
    row = out.to_pylist()[0]
    assert row["received_at"] == utc(2026, 1, 31, 23, 30)
    assert row["received_day"] == dt.date(2026, 2, 1)
    assert row["month"] == "2026-02"
    assert row["source"] == "s"
    assert row["batch_id"] == "b"


def test_observation_hour_and_data_value_year() -> None:
    obs = rows(
        "observations",
        [
            {
                "station_code": "S1",
                "unit_code": "U",
                "parameter": "pm25",
                "observed_at": vn(2026, 1, 1, 0, 59),
                "value": 1,
            }
        ],
    )
    row = prepare(
        TABLES["observations"], obs, batch_id="b", source="s", ingested_at=utc(2026, 1, 1)
    ).to_pylist()[0]
    assert row["hour"] == vn(2026, 1, 1, 0, 0)
    assert row["observed_day"] == dt.date(2026, 1, 1)
    assert row["month"] == "2026-01"

    periods = ["2025", "2025H1", "2025Q3", "2025M07", "2025W27", "2025-07-14", "R09-2025M07", "R09-2024"]
    values = rows("data_values", [{"data_element": "x", "unit_code": "U", "period": p} for p in periods])
    out = prepare(TABLES["data_values"], values, batch_id="b", source="s", ingested_at=utc(2026, 1, 1))
    assert out.column("year").to_pylist() == ["2025"] * 7 + ["2024"]


def test_a_batch_is_refused_with_every_reason() -> None:
    batch = pa.table(
        {
            "record_id": ["A", None],
            "received_at": pa.array([dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)], pa.timestamp("us")),
            "channel": ["online", "fax"],
            "colour": ["red", "blue"],
        }
    )
    with pytest.raises(BatchError) as caught:
        prepare(TABLES["dossiers"], batch, batch_id="b", source="s", ingested_at=utc(2026, 1, 1))
    problems = "\n".join(caught.value.problems)
    assert "unknown columns: colour" in problems
    assert "unit_code: required column missing" in problems
    assert "record_id: 1 empty value(s)" in problems
    assert "received_at: naive timestamps are refused" in problems
    assert "channel: values not in online|direct|postal: 'fax'" in problems


def test_types_that_are_safe_to_cast_are_accepted() -> None:
    batch = pa.table(
        {
            "data_element": pa.array(["x"], pa.large_string()),
            "unit_code": pa.array(["U"]).dictionary_encode(),
            "period": ["2025M07"],
            "value": pa.array([3], pa.int32()),
        }
    )
    out = prepare(TABLES["data_values"], batch, batch_id="b", source="s", ingested_at=utc(2026, 1, 1))
    assert out.to_pylist()[0]["value"] == 3.0
    assert out.schema == arrow_schema(TABLES["data_values"])


def test_a_period_without_a_year_is_refused() -> None:
    batch = rows("data_values", [{"data_element": "x", "unit_code": "U", "period": "Q3"}])
    with pytest.raises(BatchError, match="no year"):
        prepare(TABLES["data_values"], batch, batch_id="b", source="s", ingested_at=utc(2026, 1, 1))


def test_unknown_table() -> None:
    with pytest.raises(UnknownTableError):
        get_spec("invoices")
