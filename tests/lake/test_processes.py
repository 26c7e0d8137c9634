"""Other processes: a writer killed mid-batch, and two writers racing on the same table."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dieuhanh
from dieuhanh.lake import Lake

from .conftest import query

WRITER = """
import json, sys, time
import pyarrow as pa, pyarrow.compute as pc
from dieuhanh.lake import TABLES, Lake, declared_schema

root, offset, n, updated_minutes, status, lock, start_at = sys.argv[1:8]
offset, n, updated_minutes, start_at = int(offset), int(n), int(updated_minutes), float(start_at)
idx = pa.array(range(offset, offset + n), pa.int64())
base_us = 1767225600 * 1_000_000  # 2026-01-01T00:00Z
# received_at every 26 s from the batch's first key: 300,000 rows span three months
received = pc.cast(pc.add(pc.multiply(pc.subtract(idx, offset), 26_000_000), base_us), pa.timestamp("us", tz="UTC"))
updated = pc.cast(pc.add(pa.repeat(base_us, n), updated_minutes * 60_000_000), pa.timestamp("us", tz="UTC"))
batch = pa.table(
    {
        "record_id": pc.binary_join_element_wise("R", pc.cast(idx, pa.string()), ""),
        "unit_code": pa.repeat("U01", n),
        "received_at": received,
        "status": pa.repeat(status, n),
        "updated_at": updated,
    }
)
batch = batch.cast(pa.schema([declared_schema(TABLES["dossiers"]).field(c) for c in batch.column_names]))
lake = Lake(root, lock=lock == "1", max_retries=20)
while time.time() < start_at:
    time.sleep(0.001)
print("writing", flush=True)
started = time.perf_counter()
result = lake.upsert("dossiers", batch, batch_id=f"{status}-{offset}", source="dvc")
print(json.dumps({"inserted": result.inserted, "updated": result.updated, "seconds": time.perf_counter() - started}))
"""


def _env() -> dict[str, str]:
    src = str(Path(dieuhanh.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    return env


def _start(
    script: Path, root: Path, offset: int, n: int, *, minutes: int = 0, status: str = "processing",
    lock: bool = True, start_at: float = 0.0,
) -> subprocess.Popen[str]:  # fmt: skip
    args = [
        sys.executable,
        str(script),
        str(root),
        str(offset),
        str(n),
        str(minutes),
        status,
        "1" if lock else "0",
    ]
    return subprocess.Popen(
        [*args, str(start_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    )


def _finish(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    result: dict[str, float] = json.loads(out.splitlines()[-1])
    return result


@pytest.fixture
def writer(tmp_path: Path) -> Path:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    return script


def _counts(root: Path) -> tuple[int, int]:
    [(rows, keys)] = query(Lake(root), "SELECT count(*), count(DISTINCT record_id) FROM dossiers")
    return rows, keys


def _parquet_files(root: Path) -> set[Path]:
    return set((root / "dossiers").rglob("*.parquet"))


def _commits(root: Path) -> set[Path]:
    return set((root / "dossiers" / "_delta_log").glob("*.json"))


def test_a_writer_killed_mid_batch_leaves_all_of_it_or_none(writer: Path, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    n = 300_000
    _finish(_start(writer, root, 0, 1_000))  # earlier state: 1,000 dossiers
    timed = _finish(_start(writer, root, 10_000_000, n))  # one whole batch, to time it
    expected = 1_000 + n
    assert _counts(root) == (expected, expected)

    rng = random.Random()  # noqa: S311 - kill timings, not secrets
    # When to kill: a while after the batch starts, as soon as (or shortly after) its first data
    # file reaches the disk, or right after its commit appears in the log.
    plan = [
        ("time", timed["seconds"] * 0.3),
        ("file", 0.0),
        ("file", rng.uniform(0.0, 0.2)),
        ("commit", 0.0),
        ("time", rng.uniform(0.05, timed["seconds"] * 2)),
    ]
    outcomes = []
    for attempt, (trigger, delay) in enumerate(plan, start=1):
        offset = (attempt + 1) * 10_000_000
        files_before, commits_before = _parquet_files(root), _commits(root)
        proc = _start(writer, root, offset, n)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 120
        while trigger != "time" and proc.poll() is None and time.monotonic() < deadline:
            if trigger == "file" and _parquet_files(root) - files_before:
                break
            if trigger == "commit" and _commits(root) - commits_before:
                break
            time.sleep(0.001)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        rows, keys = _counts(root)
        assert rows == keys  # never a key twice
        assert rows in (expected, expected + n), f"partial batch: {rows - expected} of {n} rows"
        [(of_batch,)] = query(
            Lake(root), f"SELECT count(*) FROM dossiers WHERE batch_id = 'processing-{offset}'"
        )
        assert of_batch == rows - expected
        outcomes.append(of_batch)
        expected = rows
    assert 0 in outcomes and n in outcomes, outcomes  # both ends were exercised

    # Whatever was killed, the next writer proceeds (the lock died with its holder).
    _finish(_start(writer, root, 90_000_000, n))
    assert _counts(root) == (expected + n, expected + n)
    orphans = len(_parquet_files(root)) - len(Lake(root).files("dossiers"))
    print(f"batch {timed['seconds']:.2f} s; rows added by killed writers: {outcomes}; orphan files {orphans}")
    Lake(root).vacuum("dossiers", retention_hours=0)  # removes what the killed writers left
    assert {str(p) for p in _parquet_files(root)} == set(Lake(root).files("dossiers"))
    assert _counts(root) == (expected + n, expected + n)


@pytest.mark.parametrize("lock", [True, False], ids=["file-lock", "optimistic-only"])
def test_two_racing_writers_lose_nothing_and_the_newest_wins(
    writer: Path, tmp_path: Path, lock: bool
) -> None:
    root = tmp_path / "lake"
    _finish(_start(writer, root, 0, 2_000, minutes=0, status="processing"))
    start_at = time.time() + 1.5  # both start on the same instant
    procs = [
        _start(writer, root, 0, 2_000, minutes=20, status="finished", lock=lock, start_at=start_at),
        _start(writer, root, 0, 2_000, minutes=10, status="returned", lock=lock, start_at=start_at),
        _start(writer, root, 5_000, 2_000, minutes=10, status="processing", lock=lock, start_at=start_at),
    ]
    results = [_finish(p) for p in procs]
    assert results[0]["updated"] == 2_000  # the newest always replaces
    assert results[2]["inserted"] == 2_000
    assert query(Lake(root), "SELECT status, count(*) FROM dossiers GROUP BY 1 ORDER BY 1") == [
        ("finished", 2_000),
        ("processing", 2_000),
    ]
    assert _counts(root) == (4_000, 4_000)
    assert Lake(root).version("dossiers") in (2, 3)  # "returned" may have lost before writing anything
