"""`dieuhanh ingest` killed with SIGKILL on a large file: the lake holds all of the batch or none
of it, and the next `dieuhanh ingest` finishes the interrupted batch's record (`batch_reconcile`).

Real processes, a real database of this pass (SQLite or PostgreSQL) and a real lake; the kill
points are found by watching the lake's directory, not by hooks in the code.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from dieuhanh.ingest.bench import dossier_table
from dieuhanh.lake import Lake
from tests.services import CLI, cli_env, run_cli, subprocess_database

GOOD, BAD = 60_000, 40_000  # the bad rows (unknown unit) make the final transaction long


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with subprocess_database(tmp_path) as url:
        environment = cli_env(tmp_path / "data", url)
        for args in (["migrate", "-v0"], ["units", "import", "--province", "68"]):
            done = run_cli(args, environment)
            assert done.returncode == 0, done.stderr
        yield environment


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    good = dossier_table(GOOD, seed=3)
    bad = dossier_table(BAD, seed=4)
    bad = bad.set_column(1, "unit_code", pa.repeat(pa.scalar("99999"), BAD))
    bad = bad.set_column(0, "record_id", pc.binary_join_element_wise(bad.column("record_id"), "-x", ""))
    path = tmp_path / "motcua-lon.csv"
    pacsv.write_csv(pa.concat_tables([good, bad]), path)
    return path


def batches(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The batch records, read straight from the subprocesses' database."""
    url = env["DATABASE_URL"]
    sql = "select id, status, received, accepted, inserted, rejected, lake_version, message from ingest_ingestbatch"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            rows = conn.execute(sql).fetchall()
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            rows = conn.execute(sql).fetchall()
    keys = ("status", "received", "accepted", "inserted", "rejected", "lake_version", "message")
    return {str(r[0]).replace("-", ""): dict(zip(keys, r[1:], strict=True)) for r in rows}


def lake_rows(env: dict[str, str]) -> dict[str, int]:
    """Rows of the dossiers table by batch id (empty: no table yet)."""
    lake = Lake(Path(env["DIEUHANH_DATA_DIR"]) / "lake")
    if not lake.exists("dossiers"):
        return {}
    got = lake.connect().execute("select batch_id, count(*) from dossiers group by batch_id").fetchall()
    return {str(b).replace("-", ""): int(n) for b, n in got}


def kill_when(env: dict[str, str], path: Path, ready: Callable[[], bool], timeout: float = 180) -> bool:
    """Start `dieuhanh ingest`, SIGKILL it as soon as ``ready()``; False if it finished first."""
    proc = subprocess.Popen([str(CLI), "ingest", "dossiers", str(path), "--json", "--no-compute"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if ready():
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
                return proc.returncode == -signal.SIGKILL
            time.sleep(0.002)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def commits(env: dict[str, str]) -> int:
    log = Path(env["DIEUHANH_DATA_DIR"]) / "lake" / "dossiers" / "_delta_log"
    return len(list(log.glob("*.json"))) if log.is_dir() else 0


def data_files(env: dict[str, str]) -> int:
    table = Path(env["DIEUHANH_DATA_DIR"]) / "lake" / "dossiers"
    return sum(1 for _ in table.rglob("*.parquet")) if table.is_dir() else 0


def running(env: dict[str, str]) -> bool:
    return any(b["status"] == "running" for b in batches(env).values())


def test_a_killed_ingest_leaves_all_or_nothing_and_is_reconciled(env: dict[str, str], big_file: Path) -> None:
    points: list[tuple[str, Callable[[], bool]]] = [
        # While it validates (its batch is already recorded as running).
        (
            "validating",
            lambda: any(b["status"] == "running" and b["received"] == 0 for b in batches(env).values()),
        ),
        # While the lake writes the batch's files, before its commit.
        ("writing", lambda: data_files(env) > 0 and commits(env) == 0),
        # Right after the lake's commit, while the batch record and its refused rows are saved.
        ("committed", lambda: commits(env) > 0),
    ]
    killed: dict[str, str] = {}
    for name, ready in points:
        for attempt in range(5):
            before = set(batches(env))
            assert kill_when(env, big_file, ready), f"the ingest finished before the {name!r} kill"
            (new,) = set(batches(env)) - before
            stored = lake_rows(env)
            # All of the batch or none of it, whatever the moment.
            assert stored in ({}, {new: GOOD}), (name, stored)
            if name == "writing" and stored and attempt < 4:
                # On a loaded machine the commit can land between the look and the kill: all of the
                # batch is stored, as it must be. Start again from an empty lake and retry the
                # mid-write kill (the slipped batch's record is reconciled as failed below).
                shutil.rmtree(Path(env["DIEUHANH_DATA_DIR"]) / "lake" / "dossiers")
                continue
            break
        killed[name] = new
        assert stored == ({new: GOOD} if name == "committed" else {}), (name, stored)
    assert batches(env)[killed["committed"]]["status"] == "running"  # its record died with the process

    # The next `dieuhanh ingest` finishes the interrupted records from the lake's log.
    again = run_cli(["ingest", "dossiers", str(big_file), "--json", "--no-compute"], env)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["accepted"], summary["unchanged"], summary["rejected"]) == (0, GOOD, BAD)
    records = batches(env)
    done = records[killed["committed"]]
    assert (done["status"], done["accepted"], done["inserted"], done["lake_version"]) == (
        "done",
        GOOD,
        GOOD,
        0,
    )
    assert "recovered from the lake" in done["message"]
    for name in ("validating", "writing"):
        assert records[killed[name]]["status"] == "failed", (name, records[killed[name]])
        assert "nothing was stored" in records[killed[name]]["message"]
    assert lake_rows(env) == {killed["committed"]: GOOD}, "nothing counted or stored twice"
