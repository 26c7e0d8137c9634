"""The CLI contract from outside (DESIGN.md): `dieuhanh value … --json` gives
{"indicator", "unit", "period", "numerator", "denominator", "value", …}; unknown indicator, unit or
period exit 2 with a message in both languages; `dieuhanh ingest` recomputes after its batch."""

from __future__ import annotations

import json
from pathlib import Path

from tests.services import cli_env, run_cli, subprocess_database

CSV = (
    "record_id,unit_code,channel,received_at,due_at,finished_at,status\n"
    "K1,24820,online,2025-09-02T09:00:00+07:00,2025-09-10T17:00:00+07:00,2025-09-05T10:00:00+07:00,finished\n"
    "K2,24820,direct,2025-09-03T09:00:00+07:00,2025-09-10T17:00:00+07:00,,processing\n"
    "K3,24781,Trực tuyến,2025-09-04T09:00:00+07:00,,,processing\n"
)


def test_value_contract_and_exit_codes(tmp_path: Path) -> None:
    with subprocess_database(tmp_path) as url:
        env = cli_env(tmp_path / "data", url)
        assert run_cli(["migrate", "--verbosity", "0"], env).returncode == 0
        assert run_cli(["units", "import", "--province", "68", "--json"], env).returncode == 0
        path = tmp_path / "hoso.csv"
        path.write_text(CSV, encoding="utf-8")
        ingested = run_cli(["ingest", "dossiers", str(path), "--json"], env)
        assert ingested.returncode == 0, ingested.stderr
        summary = json.loads(ingested.stdout)
        assert summary["accepted"] == 3, summary["problems"]
        assert summary["indicators"]["status"] == "done"

        got = run_cli(["value", "dvc.online_share", "--unit", "68", "--period", "2025M09", "--json"], env)
        assert got.returncode == 0, got.stderr
        out = json.loads(got.stdout)
        assert {k: out[k] for k in ("indicator", "unit", "period", "numerator", "denominator", "value")} == {
            "indicator": "dvc.online_share", "unit": "68", "period": "2025M09", "numerator": 2, "denominator": 3,
            "value": 66.7,
        }  # fmt: skip
        text = run_cli(["value", "dvc.online_share", "--unit", "68", "--period", "2025M09"], env)
        assert "66,7%" in text.stdout and "(2 / 3)" in text.stdout

        for args, code in [
            (["value", "dvc.nope", "--unit", "68", "--period", "2025M09"], "indicator.not_found"),
            (["value", "dvc.online_share", "--unit", "00000", "--period", "2025M09"], "unit.not_found"),
            (["value", "dvc.online_share", "--unit", "68", "--period", "2025-13"], "period.invalid_key"),
        ]:
            bad = run_cli([*args, "--json"], env)
            assert bad.returncode == 2, bad.stderr
            assert json.loads(bad.stdout)["error"]["code"] == code
            assert " / " in bad.stderr  # Vietnamese / English

        full = run_cli(["compute", "--full", "--json"], env)
        assert full.returncode == 0 and json.loads(full.stdout)["status"] == "done"
        assert run_cli(["indicators", "check"], env).returncode == 0
