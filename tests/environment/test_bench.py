"""`dieuhanh bench aqi` runs end to end on small numbers and reports its figures (not timed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dieuhanh.environment.bench import concentration
from tests.services import cli_env, run_cli

pytestmark = pytest.mark.mqtt


def test_the_aqi_benchmark_runs_loses_nothing_and_agrees_with_the_baseline(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    done = run_cli(
        ["bench", "aqi", "--stations", "3", "--days", "1", "--samples", "2", "--json"], env, timeout=600
    )
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    # 3 stations × 6 pollutants × 23 hours (the 24th is kept for the panel samples), one message per station-hour.
    assert (r["observations"], r["messages"], r["lost"]) == (414, 69, 0)
    # Every hour has PM from its 2nd hour on (NowCast needs 2 of c1..c3): 3 × 22 hours compared, all equal.
    assert r["agree"] == r["compared"] == 66
    assert r["observations_per_second"] > 0 and r["baseline_observations_per_second"] > 0
    assert r["panel_delay_seconds"]["samples"] == 2
    text = run_cli(["bench", "aqi", "--stations", "2", "--days", "1", "--samples", "1"], env, timeout=600)
    assert text.returncode == 0 and "obs/s" in text.stdout and "ratio" in text.stdout


def test_the_generated_series_is_deterministic_and_plausible() -> None:
    assert concentration(1, 500_000, 0) == concentration(1, 500_000, 0)
    values = [concentration(s, h, k) for s in range(10) for h in range(500_000, 500_048) for k in range(6)]
    assert min(values) > 0
