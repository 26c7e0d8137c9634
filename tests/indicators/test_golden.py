"""Every golden case on DuckDB over a real (temporary) lake: hand-computed figures must come out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.indicators.helpers import Case, cases


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_golden_case(case: Case, tmp_path: Path) -> None:
    engine = case.engine(tmp_path)
    result = engine.compute(case.lake(tmp_path), regimes=case.regimes)
    case.check(result)
