"""`dieuhanh bench engine --rows N`: the engine against a hand-written DuckDB query and pandas.

One run, one process, one machine: N dossiers (24 months, 124 communes and 20 departments of one
province, realistic shares) are written to a temporary lake, then

* **engine**: the full recompute of the ``public_services`` pack for every unit, month and
  ancestor (compile, DuckDB, ratios, composites, ranks);
* **floor**: one hand-written DuckDB query giving the same numerators, denominators and values of
  the record indicators (the composites and ranks are not in it);
* **pandas**: the same outputs with pandas (needs ``pandas``, in ``requirements/dev.txt``);
* **incremental**: a 10,000-row batch (30% updates finishing open dossiers, 70% new) is upserted,
  then only the periods it touched are recomputed (change detection included).

The three full computations are checked to agree. Speed is reported, never asserted.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from deltalake import write_deltalake

from dieuhanh.indicators.engine import (
    Engine,
    UnitContext,
    UnitInfo,
    affected_periods,
    changed_rows,
    load_catalog,
)
from dieuhanh.indicators.engine.loader import PACKS_DIR
from dieuhanh.lake import TABLES, Lake, arrow_schema

START = date(2024, 7, 1)
MONTHS = 24
TODAY = date(2026, 7, 10)
COMMUNES, DEPARTMENTS = 124, 20
CHUNK = 2_000_000

#: The record indicators the floor and pandas reproduce: (code, placement, numerator, denominator).
RECORDS = {
    "dvc.received": ("received", "true", None),
    "dvc.online_share": ("received", "channel = 'online'", "true"),
    "dvc.digitized_share": ("received", "digitized", "true"),
    "dvc.online_payment_share": ("received", "fee_required AND paid_online", "fee_required"),
    "dvc.on_time_share": ("finished", "due_at IS NULL OR finished_at <= due_at", "true"),
    "dvc.e_result_share": ("finished", "e_result", "true"),
    "dvc.satisfaction_share": ("finished", "rating = 'satisfied'", "rating IS NOT NULL"),
    "dvc.satisfaction_handling_ratio": (
        "finished",
        "(due_at IS NULL OR finished_at <= due_at) AND (rating IS NULL OR rating <> 'unsatisfied')",
        "true",
    ),
}
FACTORS = {"dvc.received": 1.0, "cs766.progress": 20.0}
PROGRESS = (
    "(finished_day < period_end AND (due_at IS NULL OR finished_at <= due_at)) OR "
    "((finished_day IS NULL OR finished_day >= period_end) AND (due_day IS NULL OR due_day >= period_last_day))"
)


def units() -> UnitContext:
    infos = {"68": UnitInfo("68", "province", True)}
    closure = [("68", "68", 0)]
    for i in range(COMMUNES + DEPARTMENTS):
        code = f"C{i:03d}" if i < COMMUNES else f"S{i:03d}"
        infos[code] = UnitInfo(code, "commune" if i < COMMUNES else "department", True)
        closure += [(code, code, 0), ("68", code, 1)]
    return UnitContext(infos, closure, {c: [(c, 1.0)] for c in infos}, on=TODAY)


def _generate_sql(first: int, count: int, batch: str, *, recent: bool = False) -> str:
    """Dossiers ``first``..``first+count``: over 24 months, or (``recent``) over the last 10 days."""
    span = 10 if recent else MONTHS * 30
    pick = "(hash(i * 7919) % 1000000) / 1000000.0"
    base = (TODAY - timedelta(days=11)).isoformat() if recent else START.isoformat()
    received = f"TIMESTAMPTZ '{base} 01:00:00+00' + to_seconds(CAST(hash(i) % ({span} * 86400) AS BIGINT))"
    return f"""
    WITH base AS (
      SELECT i, {received} AS received_at, {pick} AS r, (hash(i * 31) % 1000) / 1000.0 AS s
      FROM range({first}, {first + count}) t(i)
    ), d AS (
      SELECT 'HS' || i AS record_id,
        CASE WHEN i % 10 < 9 THEN 'C' || lpad(CAST(i % {COMMUNES} AS VARCHAR), 3, '0')
             ELSE 'S' || lpad(CAST({COMMUNES} + i % {DEPARTMENTS} AS VARCHAR), 3, '0') END AS unit_code,
        '1.' || lpad(CAST(i % 400 AS VARCHAR), 6, '0') AS procedure_code,
        CASE WHEN r < 0.22 THEN 'online' WHEN r < 0.95 THEN 'direct' ELSE 'postal' END AS channel,
        received_at,
        CASE WHEN s < 0.97 THEN received_at + to_days(CAST(1 + hash(i * 3) % 15 AS INTEGER)) END AS due_at,
        CASE WHEN s < 0.96 THEN received_at + to_hours(CAST(hash(i * 5) % (20 * 24) AS BIGINT)) END AS f,
        s < 0.4 AS fee_required, s < 0.2 AS paid_online, r < 0.68 AS digitized,
        CASE WHEN (hash(i * 11) % 10) < 3 THEN CASE WHEN r < 0.8 THEN 'satisfied' WHEN r < 0.93 THEN 'neutral'
             ELSE 'unsatisfied' END END AS rating, i
      FROM base
    ), e AS (
      SELECT *, CASE WHEN f < TIMESTAMPTZ '{TODAY.isoformat()} 00:00:00+07' THEN f END AS finished_at FROM d
    )
    SELECT record_id, unit_code, procedure_code, channel, received_at, due_at, finished_at,
      CASE WHEN finished_at IS NULL THEN 'processing' ELSE 'finished' END AS status,
      fee_required, paid_online, digitized, finished_at IS NOT NULL AND i % 2 = 0 AS e_result,
      CASE WHEN finished_at IS NOT NULL THEN rating END AS rating,
      COALESCE(finished_at, received_at) AS updated_at,
      CAST(received_at + INTERVAL 7 HOUR AS DATE) AS received_day, CAST(due_at + INTERVAL 7 HOUR AS DATE) AS due_day,
      CAST(finished_at + INTERVAL 7 HOUR AS DATE) AS finished_day,
      CAST(COALESCE(finished_at, received_at) + INTERVAL 7 HOUR AS DATE) AS updated_day,
      'bench' AS source, '{batch}' AS batch_id, TIMESTAMPTZ '2026-07-10 00:00:00+00' AS ingested_at,
      strftime(received_at + INTERVAL 7 HOUR, '%Y-%m') AS month
    FROM e
    """


def generate(lake: Lake, rows: int) -> float:
    """Write ``rows`` dossiers straight into a new Delta table (append; keys are unique)."""
    started = time.perf_counter()
    spec = TABLES["dossiers"]
    schema = arrow_schema(spec)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    path = str(lake.path("dossiers"))
    for first in range(0, rows, CHUNK):
        table = con.sql(_generate_sql(first, min(CHUNK, rows - first), "gen")).to_arrow_table()
        write_deltalake(
            path, table.select(spec.column_names).cast(schema), mode="append", partition_by=["month"]
        )
    con.close()
    return time.perf_counter() - started


def batch_rows(lake: Lake, rows: int, size: int = 10_000) -> Any:
    """A batch: 30% updates (open dossiers of the last month, now finished), 70% new recent ones."""
    spec = TABLES["dossiers"]
    names = ", ".join(spec.declared_names)
    con = lake.connect()
    new = con.sql(
        f"SELECT {names} FROM ({_generate_sql(rows, int(size * 0.7), 'b', recent=True)})"
    ).to_arrow_table()
    done = f"TIMESTAMPTZ '{TODAY.isoformat()} 08:00:00+07'"
    since = TODAY - timedelta(days=30)
    updated = con.sql(
        f"SELECT * REPLACE ({done} AS finished_at, 'finished' AS status, {done} AS updated_at) FROM "
        f"(SELECT {names} FROM dossiers WHERE finished_at IS NULL AND received_day >= DATE '{since}'"
        f" ORDER BY record_id LIMIT {int(size * 0.3)})"
    ).to_arrow_table()
    con.close()
    table = pa.concat_tables([new, updated.cast(new.schema)])
    return table.cast(pa.schema([arrow_schema(spec).field(n) for n in spec.declared_names]))


def floor_sql(con_units: str = "dh_rollup") -> str:
    """The hand-written query: every record indicator's numerator and denominator by unit and month."""

    def sums(place: str) -> str:
        out = [f'COUNT(*) AS "rows|{place}"']
        for code, (p, num, den) in RECORDS.items():
            if p == place:
                out.append(f'SUM(CASE WHEN {num} THEN 1 ELSE 0 END) AS "{code}|n"')
                if den:
                    out.append(f'SUM(CASE WHEN {den} THEN 1 ELSE 0 END) AS "{code}|d"')
        return ", ".join(out)

    def cols(place: str) -> list[str]:
        mine = [
            f"{c}|{x}" for c, (p, _n, d) in RECORDS.items() if p == place for x in ("n", "d") if x == "n" or d
        ]
        return [f"rows|{place}", *mine]

    rec, fin = cols("received"), cols("finished")
    prog = ["cs766.progress|n", "cs766.progress|d"]
    allc = rec + fin + prog

    def pad(mine: list[str]) -> str:
        return ", ".join(f'"{c}"' if c in mine else f'0 AS "{c}"' for c in allc)

    return f"""
    WITH r AS (SELECT unit_code, strftime(received_day, '%Y') || 'M' || strftime(received_day, '%m') AS period,
                      {sums("received")} FROM dossiers GROUP BY ALL),
    f AS (SELECT unit_code, strftime(finished_day, '%Y') || 'M' || strftime(finished_day, '%m') AS period,
                 {sums("finished")} FROM dossiers WHERE finished_day IS NOT NULL GROUP BY ALL),
    p AS (SELECT t.unit_code, strftime(m, '%Y') || 'M' || strftime(m, '%m') AS period,
                 SUM(CASE WHEN {
        PROGRESS.replace("period_end", "(m + INTERVAL 1 MONTH)::DATE").replace(
            "period_last_day", "(m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE"
        )
    }
                     THEN 1 ELSE 0 END) AS "cs766.progress|n", COUNT(*) AS "cs766.progress|d"
          FROM dossiers t, LATERAL (SELECT unnest(generate_series(date_trunc('month', received_day),
                 date_trunc('month', COALESCE(finished_day, DATE '{TODAY}')), INTERVAL 1 MONTH))::DATE AS m) g
          WHERE received_day <= DATE '{TODAY}' AND COALESCE(finished_day, DATE '{TODAY}') >= received_day
          GROUP BY ALL),
    u AS (SELECT unit_code, period, {pad(rec)} FROM r UNION ALL SELECT unit_code, period, {pad(fin)} FROM f
          UNION ALL SELECT unit_code, period, {pad(prog)} FROM p)
    SELECT x.ancestor AS unit, period, {", ".join(f'SUM("{c}" * x.share) AS "{c}"' for c in allc)}
    FROM u JOIN {con_units} x ON x.code = u.unit_code GROUP BY ALL
    """


def floor_values(rows: list[tuple[Any, ...]], names: list[str]) -> dict[tuple[str, str, str], float | None]:
    out: dict[tuple[str, str, str], float | None] = {}
    for row in rows:
        unit, period, *vals = row
        got = dict(zip(names[2:], vals, strict=True))
        for code in [*RECORDS, "cs766.progress"]:
            place = RECORDS[code][0] if code in RECORDS else "progress"
            if not got.get(f"rows|{place}" if place != "progress" else "cs766.progress|d"):
                continue  # no record placed there: no figure (as the engine)
            n, d = got[f"{code}|n"], got.get(f"{code}|d")
            factor = FACTORS.get(code, 100.0)
            if d is None and f"{code}|d" not in got:
                out[(code, unit, period)] = float(n) * factor
            else:
                out[(code, unit, period)] = float(n) / float(d) * factor if d else None
    return out


def pandas_values(lake: Lake, ctx: UnitContext) -> dict[tuple[str, str, str], float | None]:
    """The same outputs with pandas (imported here: it is a development dependency)."""
    import pandas as pd

    cols = ["unit_code", "channel", "received_at", "due_at", "finished_at", "fee_required", "paid_online",
            "digitized", "e_result", "rating", "received_day", "due_day", "finished_day"]  # fmt: skip
    df = pd.concat([pd.read_parquet(f, columns=cols) for f in lake.files("dossiers")], ignore_index=True)
    rollup = pd.DataFrame(ctx.rollup(), columns=["unit_code", "unit", "share"])
    due_ok = df["due_at"].isna() | (df["finished_at"] <= df["due_at"])
    rated = df["rating"].notna()
    flags = pd.DataFrame({
        "unit_code": df["unit_code"], "rows|received": 1,
        "dvc.received|n": 1, "dvc.online_share|n": df["channel"].eq("online"), "dvc.online_share|d": 1,
        "dvc.digitized_share|n": df["digitized"].fillna(False), "dvc.digitized_share|d": 1,
        "dvc.online_payment_share|n": (df["fee_required"] & df["paid_online"]).fillna(False),
        "dvc.online_payment_share|d": df["fee_required"].fillna(False),
    })  # fmt: skip
    rec = pd.to_datetime(df["received_day"])
    flags["period"] = rec.dt.strftime("%YM%m")
    parts = [flags.groupby(["unit_code", "period"]).sum(numeric_only=False)]
    done = df[df["finished_day"].notna()]
    fday = pd.to_datetime(done["finished_day"])
    fin = pd.DataFrame({
        "unit_code": done["unit_code"], "period": fday.dt.strftime("%YM%m"), "rows|finished": 1,
        "dvc.on_time_share|n": due_ok[done.index], "dvc.on_time_share|d": 1,
        "dvc.e_result_share|n": done["e_result"].fillna(False), "dvc.e_result_share|d": 1,
        "dvc.satisfaction_share|n": done["rating"].eq("satisfied"), "dvc.satisfaction_share|d": rated[done.index],
        "dvc.satisfaction_handling_ratio|n": due_ok[done.index] & done["rating"].ne("unsatisfied"),
        "dvc.satisfaction_handling_ratio|d": 1,
    })  # fmt: skip
    parts.append(fin.groupby(["unit_code", "period"]).sum())
    # Progress: each dossier once per month it is handled in (an explode), then the month's rule.
    today = pd.Timestamp(TODAY)
    end = pd.to_datetime(df["finished_day"]).fillna(today)
    start_m = rec.dt.to_period("M")
    end_m = end.dt.to_period("M")
    span = (end_m.astype("int64") - start_m.astype("int64")).clip(lower=-1)
    keep = (span >= 0) & (rec <= today)
    idx = df.index[keep].repeat(span[keep] + 1)
    offs = pd.Series(range(len(idx)), index=idx).groupby(level=0).cumcount().to_numpy()
    month = start_m[idx].astype("int64").to_numpy() + offs
    ex = pd.DataFrame({"unit_code": df.loc[idx, "unit_code"].to_numpy(), "m": month})
    ms = pd.PeriodIndex.from_ordinals(ex["m"], freq="M")
    p_end = (ms + 1).to_timestamp()
    last = p_end - pd.Timedelta(days=1)
    fday_all = pd.to_datetime(df.loc[idx, "finished_day"]).to_numpy()
    due_all = pd.to_datetime(df.loc[idx, "due_day"]).to_numpy()
    ok_all = due_ok[idx].to_numpy()
    fin_in = pd.notna(fday_all) & (fday_all < p_end.to_numpy())
    open_ok = ~fin_in & (pd.isna(due_all) | (due_all >= last.to_numpy()))
    ex["cs766.progress|n"] = (fin_in & ok_all) | open_ok
    ex["cs766.progress|d"] = 1
    ex["period"] = ms.strftime("%YM%m")
    parts.append(ex.drop(columns="m").groupby(["unit_code", "period"]).sum())
    facts = pd.concat(parts).fillna(0).groupby(level=[0, 1]).sum().reset_index()
    placed = facts.merge(rollup, on="unit_code")
    value_cols = [c for c in placed.columns if "|" in c]
    placed[value_cols] = placed[value_cols].astype("float64").mul(placed["share"], axis=0)
    totals = placed.groupby(["unit", "period"])[value_cols].sum().reset_index()
    names = ["unit", "period", *value_cols]
    return floor_values(list(totals[names].itertuples(index=False, name=None)), names)


@dataclass
class BenchResult:
    rows: int
    seconds: dict[str, float]
    values: int
    identical: bool
    periods_recomputed: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        s = self.seconds
        return {
            "rows": self.rows, "values": self.values, "identical": self.identical,
            "generate_s": round(s["generate"], 3), "engine_s": round(s["engine"], 3), "floor_s": round(s["floor"], 3),
            "pandas_s": round(s["pandas"], 3) if "pandas" in s else None,
            "engine_vs_floor": round(s["engine"] / s["floor"], 2),
            "pandas_vs_engine": round(s["pandas"] / s["engine"], 2) if "pandas" in s else None,
            "batch_rows": 10_000, "batch_upsert_s": round(s["upsert"], 3),
            "incremental_s": round(s["incremental"], 3), "incremental_changes_s": round(s["incremental_changes"], 3),
            "periods_recomputed": self.periods_recomputed,
        }  # fmt: skip


def run_engine_bench(rows: int, *, directory: Path | None = None, with_pandas: bool = True) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="dieuhanh-bench-", dir=directory) as tmp:
        lake = Lake(Path(tmp) / "lake")
        seconds = {"generate": generate(lake, rows)}
        ctx = units()
        catalog = load_catalog([PACKS_DIR / "public_services"])
        engine = Engine(catalog, ctx)
        started = time.perf_counter()
        result = engine.compute(lake, regimes=["month"])
        seconds["engine"] = time.perf_counter() - started

        con = lake.connect()
        con.register("dh_rollup", pa.Table.from_pylist(
            [{"code": c, "ancestor": a, "share": s} for c, a, s in ctx.rollup()]))  # fmt: skip
        started = time.perf_counter()
        cur = con.execute(floor_sql())
        floor_rows = cur.fetchall()
        names = [c[0] for c in cur.description]
        floor = floor_values(floor_rows, names)
        seconds["floor"] = time.perf_counter() - started
        con.close()

        engine_values = {
            (v.indicator, v.unit, v.period): v.value
            for v in result.all()
            if v.indicator in {*RECORDS, "cs766.progress"}
        }
        identical = _same(engine_values, floor)
        if with_pandas:
            started = time.perf_counter()
            by_pandas = pandas_values(lake, ctx)
            seconds["pandas"] = time.perf_counter() - started
            identical = identical and _same(engine_values, by_pandas)

        batch = batch_rows(lake, rows)
        started = time.perf_counter()
        upsert = lake.upsert("dossiers", batch, batch_id="bench-batch", source="bench")
        seconds["upsert"] = time.perf_counter() - started
        started = time.perf_counter()
        changes = {"dossiers": changed_rows(lake, "dossiers", batch_id="bench-batch", version=upsert.version)}
        only = affected_periods(catalog, changes, regimes=["month"], on=TODAY)
        seconds["incremental_changes"] = time.perf_counter() - started
        engine.compute(lake, regimes=["month"], only=only)
        seconds["incremental"] = time.perf_counter() - started
        return BenchResult(rows, seconds, len(result.all()), identical, {r: len(k) for r, k in only.items()})


def _same(a: dict[tuple[str, str, str], float | None], b: dict[tuple[str, str, str], float | None]) -> bool:
    if set(a) != set(b):
        return False
    for key, x in a.items():
        y = b[key]
        if (x is None) != (y is None) or (
            x is not None and y is not None and abs(x - y) > 1e-6 * max(1.0, abs(x))
        ):
            return False
    return True


# --- the `dieuhanh bench engine` entry points (see dieuhanh.core.management.commands.bench) ---------
def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="dossiers to generate (default 1,000,000)"
    )
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temporary lake")


def run(opts: dict[str, Any]) -> dict[str, Any]:
    from dieuhanh.core.errors import UserError

    if opts["rows"] < 1000:
        raise UserError("bench.rows", "--rows phải từ 1000 trở lên.", "--rows must be at least 1000.")
    with_pandas = not opts.get("no_pandas")
    if with_pandas:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise UserError(
                "bench.pandas",
                "Cần pandas cho phép so sánh (requirements/dev.txt), hoặc dùng --no-pandas.",
                "The pandas baseline needs pandas (requirements/dev.txt), or use --no-pandas.",
            ) from None
    return run_engine_bench(opts["rows"], directory=opts.get("dir"), with_pandas=with_pandas).as_dict()


def render(r: dict[str, Any]) -> str:
    lines = [
        f"{r['rows']:,} hồ sơ / dossiers → {r['values']:,} giá trị / values (month, all units and ancestors)",
        f"  engine, full recompute       {r['engine_s']:8.3f} s",
        f"  hand-written DuckDB (floor)  {r['floor_s']:8.3f} s   engine / floor  = {r['engine_vs_floor']}×",
    ]
    if r["pandas_s"] is not None:
        lines.append(
            f"  pandas                       {r['pandas_s']:8.3f} s   pandas / engine = {r['pandas_vs_engine']}×"
        )
    lines.append(
        f"  10,000-row batch: upsert {r['batch_upsert_s']:.3f} s, then incremental recompute "
        f"{r['incremental_s']:.3f} s (periods: {r['periods_recomputed']})"
    )
    lines.append(f"  same figures from all three: {'yes' if r['identical'] else 'NO'}")
    return "\n".join(lines)
