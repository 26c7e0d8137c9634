"""The same compiled SQL, transpiled by SQLGlot, on PySpark (local mode) over the same Parquet files:
identical figures to DuckDB's for every shipped indicator, on a dataset with a merger and a split.

One SparkSession for the whole run (starting one costs 5–10 s). Deselect with ``-m "not spark"``.
It touches no database, so it runs in the SQLite pass only (the PostgreSQL pass would repeat it).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from dieuhanh.indicators.engine import ComputeResult, Engine, load_catalog
from dieuhanh.lake import Lake
from tests.indicators.helpers import put, unit_context

# Database-independent: `./run test` runs it in the SQLite pass and deselects it (-m "not spark")
# in the PostgreSQL pass. pyspark is a pinned development dependency: its absence is a failure.
pytestmark = [pytest.mark.spark]
TZ = timezone(timedelta(hours=7))
TODAY = date(2025, 11, 20)
UNITS = [
    {"code": "P", "level": "province"},
    {"code": "D1", "level": "department", "parent": "P"},
    {"code": "N1", "level": "commune", "parent": "P"},
    {"code": "N2", "level": "commune", "parent": "P"},
    {"code": "D", "level": "district", "parent": "P", "current": False, "successors": []},
    {"code": "O1", "level": "commune", "parent": "D", "current": False, "successors": [["N1", 1]]},
    {
        "code": "O2",
        "level": "commune",
        "parent": "D",
        "current": False,
        "successors": [["N1", 0.6], ["N2", 0.4]],
    },
]
REGIMES = ["week", "month", "quarter", "year", "r09_month", "r09_half"]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from dieuhanh.indicators.engine.spark import spark_session

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    session = spark_session("local[2]", "dieuhanh-tests", **{"spark.sql.shuffle.partitions": "2",
                                                             "spark.ui.showConsoleProgress": "false"})  # fmt: skip
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def dataset(lake: Lake) -> None:
    rnd = random.Random(7)  # noqa: S311 - test data, not secrets
    dossiers = []
    for i in range(600):
        old = rnd.random() < 0.4
        unit = rnd.choice(["O1", "O2"]) if old else rnd.choice(["N1", "N2", "D1"])
        day = date(2025, 1, 2) + timedelta(days=rnd.randrange(0, 178) if old else rnd.randrange(181, 320))
        received = datetime(day.year, day.month, day.day, rnd.randrange(0, 24), rnd.randrange(60), tzinfo=TZ)
        due = received + timedelta(days=rnd.randrange(1, 25))
        finished = (
            received + timedelta(days=rnd.randrange(0, 40), hours=rnd.randrange(24))
            if rnd.random() < 0.9
            else None
        )
        if finished is not None and finished.date() > TODAY:
            finished = None
        fee = rnd.random() < 0.5
        dossiers.append({
            "record_id": f"S{i}", "unit_code": unit, "procedure_code": f"1.{rnd.randrange(20):03d}",
            "channel": rnd.choice(["online", "online", "direct", "postal"]), "received_at": received,
            "due_at": due if rnd.random() < 0.95 else None, "finished_at": finished,
            "status": "finished" if finished else "processing", "fee_required": fee,
            "paid_online": fee and rnd.random() < 0.6, "digitized": rnd.random() < 0.7,
            "e_result": finished is not None and rnd.random() < 0.5,
            "rating": rnd.choice([None, "satisfied", "satisfied", "neutral", "unsatisfied"]) if finished else None,
        })  # fmt: skip
    put(lake, "dossiers", dossiers)
    documents = [
        {"record_id": f"V{i}", "unit_code": rnd.choice(["N1", "N2", "D1", "O1"]),
         "direction": rnd.choice(["outgoing", "outgoing", "incoming"]),
         "sent_at": datetime(2025, rnd.randrange(1, 11), rnd.randrange(1, 29), 9, tzinfo=TZ),
         "electronic": rnd.random() < 0.95, "digitally_signed": rnd.random() < 0.9,
         "interconnected": rnd.random() < 0.5}
        for i in range(200)
    ]  # fmt: skip
    put(lake, "documents", documents)
    put(lake, "services", [
        {"procedure_code": f"1.{i:03d}", "unit_code": rnd.choice(["D1", "N1", "N2"]),
         "online_level": rnd.choice(["full", "partial", "none"]), "fee_required": rnd.random() < 0.5}
        for i in range(40)
    ])  # fmt: skip
    values = []

    def dv(element: str, unit: str, period: str, value: float) -> None:
        values.append({"data_element": element, "unit_code": unit, "period": period, "value": value})

    for unit in ("P", "D1", "N1", "N2"):
        for month in range(1, 11):
            dv("BUDGET_REVENUE", unit, f"2025M{month:02d}", rnd.randrange(1, 100))
            dv("HSCV_ONLINE", unit, f"2025M{month:02d}", rnd.randrange(50, 90))
            dv("HSCV_TOTAL", unit, f"2025M{month:02d}", 100)
        dv("CS766_TRANSPARENCY", unit, "2025Q3", rnd.randrange(10, 18))
        dv("TTHC_FEE", unit, "2025Q3", 10)
        dv("TTHC_FEE_ONLINE_PAYMENT", unit, "2025Q3", rnd.randrange(0, 11))
        dv("TTHC_FEE_WITH_DOSSIERS", unit, "2025Q3", rnd.randrange(0, 11))
    put(lake, "data_values", values)


def rows(result: ComputeResult) -> list[tuple[Any, ...]]:
    return sorted(
        (v.indicator, v.unit, v.regime, v.period, v.numerator, v.denominator, v.value, v.reason, v.target,
         v.status, v.rank, v.rank_of, tuple(sorted(v.components.items())))
        for v in result.all()
    )  # fmt: skip


def test_spark_gives_the_same_figures_as_duckdb(spark: Any, tmp_path: Path) -> None:
    from dieuhanh.indicators.engine.spark import register_lake, run_spark

    lake = Lake(tmp_path / "lake")
    dataset(lake)
    engine = Engine(load_catalog(), unit_context(UNITS, TODAY))
    on_duckdb = engine.compute(lake, regimes=REGIMES)
    versions = register_lake(spark, lake)
    assert versions == on_duckdb.versions
    on_spark = run_spark(engine, spark, regimes=REGIMES)
    expected, got = rows(on_duckdb), rows(on_spark)
    assert len(expected) > 3000
    assert got == expected
    # The plan really ran as Spark SQL (e.g. the explode of `active` placements).
    assert any("LATERAL VIEW EXPLODE" in s for s in on_duckdb.plan.statements("spark"))
    assert {v.indicator for v in on_spark.all()} >= {"cs766.progress", "dvc.online_share", "hscv.online_share",
                                                      "dvc.full_online_services_share", "cs766.payment"}  # fmt: skip
