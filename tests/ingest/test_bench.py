"""`dieuhanh bench ingest` runs end to end on small numbers and reports its figures (not timed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.services import cli_env, run_cli

pytestmark = pytest.mark.mqtt


def test_the_ingest_benchmark_runs_and_loses_nothing(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    args = ["bench", "ingest", "--rows", "3000", "--mqtt", "900", "--per-message", "3", "--json"]
    done = run_cli(args, env, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    f, m = result["file"], result["mqtt"]
    assert f["accepted"] == 3000 and f["rows_per_second"] > 0 and f["ratio"] > 0
    assert (m["observations"], m["messages"], m["stored"], m["lost"]) == (900, 300, 900, 0)
    assert m["observations_per_second"] > 0 and m["baseline_rows_per_second"] > 0
    text = run_cli(["bench", "ingest", "--rows", "500", "--mqtt", "0"], env, timeout=600)
    assert text.returncode == 0 and "rows/s" in text.stdout and "ratio" in text.stdout
