from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from dieuhanh.audit.services import Actor
from dieuhanh.ingest.models import IngestBatch, Source
from dieuhanh.ingest.services import batch_ingest, source_create
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit


@pytest.fixture
def lake_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "lake"
    with override_settings(LAKE_DIR=path):
        yield path


@pytest.fixture
def lake(lake_dir: Path) -> Lake:
    return Lake(lake_dir)


@pytest.fixture
def source(province: dict[str, OrgUnit], actor: Actor) -> Source:
    return source_create(actor=actor, code="motcua", name="Hệ thống một cửa", owner=province["68"],
                         units=[province["68"]])  # fmt: skip


def ingest(source: Source, table: str, rows: list[Mapping[str, Any]]) -> IngestBatch:
    records = [(i + 2, dict(r)) for i, r in enumerate(rows)]
    result = batch_ingest(actor=Actor.system("test"), source=source, table=table, records=records)
    assert result.batch.rejected == 0, [str(p) for p in result.outcome.problems]
    return result.batch
