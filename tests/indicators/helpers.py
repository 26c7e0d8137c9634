"""Golden cases: input rows and units in, hand-computed figures out (tests/indicators/golden/*.yaml).

A case file holds ``units`` (code, level, parent, current, successors), ``definitions`` (YAML
text of a pack file) and/or ``packs`` (shipped packs to load), ``rows`` per fact table,
``today`` (the day the computation runs), ``regimes``, and ``expect``: figures to find, each
compared field by field (only the fields written). ``absent`` lists figures that must not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml

from dieuhanh.indicators.engine import (
    PACKS_DIR,
    Catalog,
    ComputeResult,
    Engine,
    UnitContext,
    UnitInfo,
    load_catalog,
)
from dieuhanh.lake import TABLES, Lake, declared_schema

GOLDEN = Path(__file__).parent / "golden"
FIELDS = (
    "numerator",
    "denominator",
    "value",
    "reason",
    "target",
    "target_source",
    "status",
    "rank",
    "rank_of",
)


def unit_context(units: Iterable[Mapping[str, Any]], on: date) -> UnitContext:
    specs = {u["code"]: u for u in units}
    infos = {c: UnitInfo(c, u["level"], bool(u.get("current", True))) for c, u in specs.items()}
    closure = []
    for code in specs:
        depth, node = 0, code
        while node is not None:
            closure.append((node, code, depth))
            node, depth = specs[node].get("parent"), depth + 1
    successors = {}
    for code, u in specs.items():
        if "successors" in u:
            successors[code] = [(s, float(share)) for s, share in u["successors"]]
        else:
            successors[code] = [(code, 1.0)] if u.get("current", True) else []
    return UnitContext(infos, closure, successors, on=on)


def _typed(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    spec = TABLES[table]
    out: dict[str, Any] = {}
    for col in spec.columns:
        value = row.get(col.name)
        if col.kind == "timestamp" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        if col.kind == "float" and value is not None:
            value = float(value)
        if col.kind == "string" and value is not None:
            value = str(value)
        out[col.name] = value
    if unknown := set(row) - set(spec.declared_names):
        raise ValueError(f"{table}: unknown columns {unknown}")
    return out


def put(lake: Lake, table: str, rows: Iterable[Mapping[str, Any]], batch: str = "golden") -> Any:
    data = pa.Table.from_pylist([_typed(table, r) for r in rows], schema=declared_schema(TABLES[table]))
    return lake.upsert(table, data, batch_id=batch, source="test")


@dataclass
class Case:
    name: str
    data: dict[str, Any]

    @property
    def on(self) -> date:
        value = self.data.get("today", "2026-01-01")
        return value if isinstance(value, date) else date.fromisoformat(str(value))

    def catalog(self, tmp: Path) -> Catalog:
        roots: list[Path] = [PACKS_DIR / p for p in self.data.get("packs", [])]
        if self.data.get("definitions"):
            path = tmp / f"{self.name}.yaml"
            path.write_text(self.data["definitions"], encoding="utf-8")
            roots.append(path)
        catalog = load_catalog(roots)
        assert not catalog.problems, [str(p) for p in catalog.problems]
        return catalog

    def lake(self, tmp: Path) -> Lake:
        lake = Lake(tmp / "lake")
        for table, rows in (self.data.get("rows") or {}).items():
            put(lake, table, rows)
        return lake

    def engine(self, tmp: Path) -> Engine:
        return Engine(self.catalog(tmp), unit_context(self.data["units"], self.on))

    @property
    def regimes(self) -> list[str]:
        return list(self.data.get("regimes", ["month", "quarter", "half", "year"]))

    def check(self, result: ComputeResult) -> None:
        for want in self.data.get("expect", []):
            key = (want["indicator"], str(want["unit"]), str(want["period"]))
            got = result.get(*key)
            assert got is not None, f"{self.name}: no figure for {key}"
            for f in FIELDS:
                if f in want:
                    expected = want[f]
                    actual = getattr(got, f)
                    if (
                        isinstance(expected, float | int)
                        and not isinstance(expected, bool)
                        and actual is not None
                    ):
                        assert actual == pytest.approx(expected, abs=1e-6), f"{self.name} {key} {f}: {actual}"
                    else:
                        assert actual == expected, f"{self.name} {key} {f}: {actual!r} != {expected!r}"
            for comp, points in (want.get("components") or {}).items():
                assert got.components.get(comp) == pytest.approx(points) if points is not None else None
        for gone in self.data.get("absent", []):
            key = (gone["indicator"], str(gone["unit"]), str(gone["period"]))
            assert result.get(*key) is None, f"{self.name}: unexpected figure for {key}"
        for code in self.data.get("unplaced", []):
            assert code in result.unplaced


def cases() -> list[Case]:
    out = []
    for path in sorted(GOLDEN.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(Case(path.stem, data))
    return out
