from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from dieuhanh.audit.services import Actor
from dieuhanh.environment.models import Station
from dieuhanh.ingest.models import Source
from dieuhanh.ingest.services import source_create
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit

SIX = ["pm25", "pm10", "o3", "no2", "so2", "co"]


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[Lake]:
    path = tmp_path / "lake"
    with override_settings(LAKE_DIR=path):
        yield Lake(path)


@pytest.fixture
def sensors(province: dict[str, OrgUnit], actor: Actor) -> Source:
    return source_create(actor=actor, code="quan-trac", name="Quan trắc môi trường", owner=province["68"],
                         units=[province["68"]])  # fmt: skip


@pytest.fixture
def stations(province: dict[str, OrgUnit]) -> dict[str, Station]:
    """DL01 (Xuân Hương, the six pollutants) and LD02 (Lạc Dương, PM2.5 and humidity only)."""
    return {
        "DL01": Station.objects.create(code="DL01", name="Trạm Đà Lạt", unit=province["24781"], parameters=SIX,
                                       latitude=11.94, longitude=108.46),
        "LD02": Station.objects.create(code="LD02", name="Trạm Lạc Dương", unit=province["24820"],
                                       parameters=["pm25", "humidity"], interval_minutes=30),
    }  # fmt: skip
