"""Versions, time travel, partition-pruned merges, compaction, vacuum and empty views."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from dieuhanh.lake import TABLES, Lake, LakeError

from .conftest import dossier, query, rows, utc

JAN = utc(2026, 1, 10)
FEB = utc(2026, 2, 10)
MAR = utc(2026, 3, 10)


def test_a_fresh_lake_has_empty_typed_views(lake: Lake) -> None:
    con = lake.connect()
    for name, spec in TABLES.items():
        assert query(con, f"SELECT count(*) FROM {name}") == [(0,)]
        described = query(con, f"DESCRIBE {name}")
        assert [r[0] for r in described] == list(spec.column_names)
    types = {r[0]: r[1] for r in query(con, "DESCRIBE dossiers")}
    assert types["received_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["received_day"] == "DATE"
    assert types["fee_required"] == "BOOLEAN"
    assert types["month"] == "VARCHAR"
    assert query(con, "SELECT current_setting('TimeZone')") == [("UTC",)]
    assert lake.snapshot_versions() == dict.fromkeys(TABLES, -1)
    assert lake.files("dossiers") == []
    assert lake.history("dossiers") == []


def test_views_have_the_same_columns_with_and_without_data(lake: Lake) -> None:
    lake.upsert("dossiers", rows("dossiers", [dossier("A", JAN)]), batch_id="b1", source="dvc")
    empty = {r[0]: r[1] for r in query(Lake(lake.root.parent / "other").connect(), "DESCRIBE dossiers")}
    full = {r[0]: r[1] for r in query(lake, "DESCRIBE dossiers")}
    assert list(empty) == list(full)
    assert empty == full


def test_time_travel_by_version_and_by_time(lake: Lake) -> None:
    lake.upsert(
        "dossiers",
        rows("dossiers", [dossier("A", JAN, JAN, status="processing")]),
        batch_id="b1",
        source="dvc",
    )
    time.sleep(0.05)
    before_second = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    second = [dossier("A", JAN, FEB, status="finished"), dossier("B", FEB, FEB, status="processing")]
    lake.upsert("dossiers", rows("dossiers", second), batch_id="b2", source="dvc")
    snapshot = lake.snapshot_versions()
    assert snapshot == {"dossiers": 1, "services": -1, "documents": -1, "observations": -1, "data_values": -1,
                        "aqi_hourly": -1, "aqi_daily": -1}  # fmt: skip

    finished = "SELECT count(*) FILTER (status = 'finished'), count(*) FROM dossiers"
    assert query(lake, finished) == [(1, 2)]
    assert query(lake.connect(version_of={"dossiers": 0}), finished) == [(0, 1)]
    assert query(lake.connect(as_of=before_second), finished) == [(0, 1)]
    assert query(lake.connect(as_of=utc(2000, 1, 1)), finished) == [(0, 0)]  # before the table existed

    assert lake.files("dossiers", as_of=before_second) == lake.files("dossiers", version=0)
    assert lake.files("dossiers", as_of=dt.datetime.now(dt.UTC)) == lake.files("dossiers")
    assert lake.version_at("dossiers", before_second) == 0
    assert lake.read("dossiers", version=0).column("status").to_pylist() == ["processing"]
    history = lake.history("dossiers")
    assert [(h["version"], h["batch_id"]) for h in history] == [(1, "b2"), (0, "b1")]
    assert history[0]["timestamp"] > before_second > history[1]["timestamp"]

    con = lake.duckdb_connection()
    assert lake.register_views(con, version_of={"dossiers": 0}) == {**snapshot, "dossiers": 0}
    assert query(con, finished) == [(0, 1)]
    # A recorded snapshot still reads as it was after other tables have been created.
    lake.upsert(
        "services", rows("services", [{"procedure_code": "P", "unit_code": "U"}]), batch_id="s", source="x"
    )
    assert query(lake.connect(version_of=snapshot), "SELECT count(*) FROM services") == [(0,)]
    assert query(lake.connect(version_of=snapshot), finished) == [(1, 2)]
    assert query(lake, "SELECT count(*) FROM services") == [(1,)]

    with pytest.raises(LakeError):
        lake.files("dossiers", version=7)
    with pytest.raises(ValueError, match="timezone"):
        lake.files("dossiers", as_of=dt.datetime(2026, 1, 1))


def month_files(lake: Lake, month: str) -> set[str]:
    return {f for f in lake.files("dossiers") if f"/month={month}/" in f}


def test_a_merge_rewrites_only_the_months_of_its_batch(lake: Lake) -> None:
    first = [dossier(f"J{i}", JAN, JAN) for i in range(50)]
    first += [dossier(f"F{i}", FEB, FEB) for i in range(50)]
    first += [dossier(f"M{i}", MAR, MAR) for i in range(50)]
    lake.upsert("dossiers", rows("dossiers", first), batch_id="b1", source="dvc")
    jan, feb, mar = month_files(lake, "2026-01"), month_files(lake, "2026-02"), month_files(lake, "2026-03")
    assert jan and feb and mar

    feb_changes = [dossier("F1", FEB, utc(2026, 2, 20), status="finished"), dossier("F99", FEB, FEB)]
    result = lake.upsert("dossiers", rows("dossiers", feb_changes), batch_id="b2", source="dvc")
    assert (result.inserted, result.updated) == (1, 1)
    assert month_files(lake, "2026-01") == jan
    assert month_files(lake, "2026-03") == mar
    assert month_files(lake, "2026-02") != feb
    entry = lake.history("dossiers", 1)[0]
    assert entry["parameters"]["predicate"] == "month = '2026-02'"
    assert query(lake, "SELECT month, count(*) FROM dossiers GROUP BY 1 ORDER BY 1") == [
        ("2026-01", 50),
        ("2026-02", 51),
        ("2026-03", 50),
    ]


def test_observations_look_up_only_their_own_months(lake: Lake) -> None:
    def obs(at: dt.datetime, value: float) -> dict[str, object]:
        return {"station_code": "S", "unit_code": "U", "parameter": "pm25", "observed_at": at, "value": value}

    lake.upsert(
        "observations", rows("observations", [obs(JAN, 1.0), obs(FEB, 2.0)]), batch_id="1", source="m"
    )
    jan = {f for f in lake.files("observations") if "month=2026-01" in f}
    result = lake.upsert(
        "observations", rows("observations", [obs(FEB, 3.0), obs(MAR, 4.0)]), batch_id="2", source="m"
    )
    assert (result.inserted, result.updated) == (1, 1)
    assert {f for f in lake.files("observations") if "month=2026-01" in f} == jan
    assert query(lake, "SELECT value FROM observations ORDER BY observed_at") == [(1.0,), (3.0,), (4.0,)]


def test_compaction_keeps_the_rows_and_vacuum_removes_old_files(lake: Lake) -> None:
    for i in range(5):
        batch = [dossier(f"A{i}-{j}", JAN, JAN) for j in range(20)] + [
            dossier(f"B{i}-{j}", FEB, FEB) for j in range(20)
        ]
        lake.upsert("dossiers", rows("dossiers", batch), batch_id=f"b{i}", source="dvc")
    summary = "SELECT month, count(*), count(DISTINCT record_id) FROM dossiers GROUP BY 1 ORDER BY 1"
    before = query(lake, summary)
    assert before == [("2026-01", 100, 100), ("2026-02", 100, 100)]
    assert len(lake.files("dossiers")) == 10
    version = lake.version("dossiers")

    metrics = lake.compact("dossiers")
    assert metrics["numFilesRemoved"] == 10
    assert len(lake.files("dossiers")) == 2
    assert lake.version("dossiers") == version + 1  # type: ignore[operator]
    assert query(lake, summary) == before
    assert lake.history("dossiers", 1)[0]["operation"] == "OPTIMIZE"

    on_disk = set(Path(lake.root / "dossiers").rglob("*.parquet"))
    assert len(on_disk) == 12  # the replaced files stay until vacuum: never scan the directory
    assert lake.vacuum("dossiers", retention_hours=168) == []  # all younger than a week
    removed = lake.vacuum("dossiers", retention_hours=0)
    assert len(removed) == 10
    assert len(set(Path(lake.root / "dossiers").rglob("*.parquet"))) == 2
    assert query(lake, summary) == before


def test_maintenance_on_a_missing_table_is_a_no_op(lake: Lake) -> None:
    assert lake.compact("documents") == {}
    assert lake.vacuum("documents") == []
    assert lake.version("documents") is None
