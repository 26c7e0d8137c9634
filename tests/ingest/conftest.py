from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from dieuhanh.audit.services import Actor
from dieuhanh.ingest.models import Source
from dieuhanh.ingest.services import source_create
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit

HEADER = (
    "record_id,unit_code,procedure_code,channel,received_at,due_at,finished_at,status,"
    "fee_required,paid_online,digitized,e_result,rating,updated_at\n"
)


@pytest.fixture
def lake_dir(tmp_path: Path) -> Path:
    path = tmp_path / "lake"
    with override_settings(LAKE_DIR=path):
        yield path


@pytest.fixture
def lake(lake_dir: Path) -> Lake:
    return Lake(lake_dir)


@pytest.fixture
def source(province: dict[str, OrgUnit], actor: Actor) -> Source:
    """The one-stop-shop of the province: may write for every unit of it."""
    return source_create(actor=actor, code="motcua", name="Hệ thống một cửa", owner=province["68"],
                         units=[province["68"]])  # fmt: skip


@pytest.fixture
def commune_source(province: dict[str, OrgUnit], actor: Actor) -> Source:
    return source_create(actor=actor, code="xa-lac-duong", name="Phần mềm xã Lạc Dương", owner=province["24820"],
                         units=[province["24820"]])  # fmt: skip
