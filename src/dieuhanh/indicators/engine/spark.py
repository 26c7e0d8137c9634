"""The same plan on Apache Spark: SQLGlot transpiles each statement, Spark reads the lake's files.

Delta's Spark connector needs Maven jars that cannot be fetched here, so, like DuckDB, Spark
reads the Parquet files a table's log declares active at a version
(``spark.read.option("basePath", table_dir).parquet(*files)``), with partition type inference
off (``month`` stays a string) and the session time zone pinned to UTC. The rows Spark returns
go through the same post-processing as DuckDB's (:meth:`Engine.finish`).

PySpark is optional: ``pip install pyspark`` (4.x; Java 17). See ``docs/spark.md``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from dieuhanh.lake import NO_TABLE, TABLES, Lake

from .compiler import Step
from .executor import DEFAULT_REGIMES, SMALL_TABLES, ComputeResult, Engine, Rows, small_table

SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
}


def spark_session(master: str = "local[2]", app: str = "dieuhanh", **conf: str) -> Any:
    """A SparkSession configured for the lake (UTC, string partitions). Needs pyspark and Java."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app)
    for key, value in {**SPARK_CONF, **conf}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _spark_type(arrow_type: Any) -> Any:
    import pyarrow as pa
    from pyspark.sql import types as T

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return T.StringType()
    if pa.types.is_boolean(arrow_type):
        return T.BooleanType()
    if pa.types.is_floating(arrow_type):
        return T.DoubleType()
    if pa.types.is_integer(arrow_type):
        return T.LongType()
    if pa.types.is_date(arrow_type):
        return T.DateType()
    if pa.types.is_timestamp(arrow_type):
        return T.TimestampType()
    raise TypeError(f"no Spark type for {arrow_type}")


def _schema(arrow_schema: Any) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, _spark_type(f.type), True) for f in arrow_schema])


def register_lake(spark: Any, lake: Lake, *, version_of: Mapping[str, int] | None = None) -> dict[str, int]:
    """Temp views named after the fact tables, over their active files; returns the versions read."""
    from dieuhanh.lake import arrow_schema

    used: dict[str, int] = {}
    for name, spec in TABLES.items():
        version = (version_of or {}).get(name)
        files = [] if version == NO_TABLE else lake.files(name, version=version)
        if files:
            df = (
                spark.read.option("basePath", str(lake.path(name))).parquet(*files).select(*spec.column_names)
            )
            used[name] = version if version is not None else (lake.version(name) or 0)
        else:
            df = spark.createDataFrame([], _schema(arrow_schema(spec)))
            used[name] = NO_TABLE
        df.createOrReplaceTempView(name)
    return used


def run_spark(
    engine: Engine,
    spark: Any,
    *,
    codes: Iterable[str] | None = None,
    regimes: Sequence[str] = DEFAULT_REGIMES,
    only: Mapping[str, set[str]] | None = None,
) -> ComputeResult:
    """Compute on Spark over views registered by :func:`register_lake` (or any views of those names)."""
    codes = list(codes) if codes is not None else None
    starts: dict[tuple[str, str], date] = {}
    for code in engine.with_dependencies(codes) if only is None else []:
        d = engine.catalog.get(code)
        if d.record is not None and d.record.placement.kind == "active":
            key = (d.record.table, str(d.record.placement.column))
            if key not in starts:
                first = spark.sql(f"SELECT min({key[1]}) AS m FROM {key[0]}").collect()[0]["m"]
                if first is not None:
                    starts[key] = first
    plan = engine.plan(codes, regimes=regimes, only=only, starts=starts)
    for name in SMALL_TABLES:
        table = small_table(name, plan)
        rows = [tuple(r.values()) for r in table.to_pylist()]
        spark.createDataFrame(rows, _schema(table.schema)).createOrReplaceTempView(name)

    def execute(step: Step) -> Rows | None:
        sql = step.transpiled("spark")
        if step.name:
            spark.sql(sql).cache().createOrReplaceTempView(step.name)
            return None
        return [r.asDict() for r in spark.sql(sql).collect()]

    started = time.perf_counter()
    rows_of, seconds = engine.run_plan(plan, execute)
    values = engine.finish(plan, rows_of, codes)
    seconds["total"] = time.perf_counter() - started
    return ComputeResult(values, plan, seconds=seconds)
