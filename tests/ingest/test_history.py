"""The lake's version history users can read: `dieuhanh lake history`, `dieuhanh value … --as-of`
("what did we know then?"), the page under /du-lieu/ and `GET /api/v1/lake/{table}/history`."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import IngestBatch, Source
from dieuhanh.ingest.selectors import lake_history
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.lake import Lake

pytestmark = pytest.mark.django_db

# Work records of Xã Lạc Dương in September 2025: 30 of 100 processed online (30.0 %), then a
# correction: 45 of 100 (45.0 %).
FIRST = [
    {"data_element": "HSCV_ONLINE", "unit_code": "24820", "period": "2025M09", "value": "30"},
    {"data_element": "HSCV_TOTAL", "unit_code": "24820", "period": "2025M09", "value": "100"},
]
CORRECTION = [{"data_element": "HSCV_ONLINE", "unit_code": "24820", "period": "2025M09", "value": "45"}]


def _send(source: Source, rows: list[dict[str, str]], name: str) -> IngestBatch:
    result = batch_ingest(actor=Actor.system("test"), source=source, table="data_values",
                          records=list(enumerate(rows, start=2)), file_name=name)  # fmt: skip
    assert result.batch.rejected == 0
    return result.batch


def _value(*extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command(
        "value", "hscv.online_share", "--unit", "68", "--period", "2025M09", "--json", *extra, stdout=out
    )
    return dict(json.loads(out.getvalue()))


@pytest.fixture
def two_batches(source: Source, lake: Lake) -> tuple[IngestBatch, Any, IngestBatch]:
    first = _send(source, FIRST, "bao-cao-thang-9.csv")
    noted = timezone.now()
    second = _send(source, CORRECTION, "dinh-chinh-thang-9.csv")
    return first, noted, second


def test_history_shows_each_version_with_its_batch(two_batches: tuple[IngestBatch, Any, IngestBatch]) -> None:
    first, _, second = two_batches
    versions = lake_history(table="data_values")
    assert [(v.version, v.operation, v.inserted, v.updated) for v in versions] == [
        (1, "upsert", 0, 1), (0, "create", 2, 0)]  # fmt: skip
    assert [v.batch for v in versions] == [second, first]
    assert (first.lake_version, second.lake_version) == (0, 1)

    out = StringIO()
    call_command("lake", "history", "data_values", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert [
        (v["version"], v["batch"]["id"], v["batch"]["source"], v["batch"]["file_name"]) for v in listed
    ] == [
        (1, str(second.pk), "motcua", "dinh-chinh-thang-9.csv"),
        (0, str(first.pk), "motcua", "bao-cao-thang-9.csv"),
    ]
    text = StringIO()
    call_command("lake", "history", stdout=text)  # every table; those never written are left out
    assert text.getvalue().startswith("data_values:") and str(second.pk) in text.getvalue()
    with pytest.raises(UserError):
        call_command("lake", "history", "dossier", stdout=StringIO())


def test_value_as_of_reads_the_lake_as_it_stood(two_batches: tuple[IngestBatch, Any, IngestBatch]) -> None:
    _, noted, _ = two_batches
    before = _value("--as-of", noted.isoformat())
    assert (before["numerator"], before["denominator"], before["value"]) == (30, 100, 30.0)
    assert before["lake_versions"]["data_values"] == 0 and before["as_of"] == noted.isoformat()
    after = _value("--as-of", timezone.now().isoformat())
    assert (after["numerator"], after["denominator"], after["value"]) == (45, 100, 45.0)
    today = _value("--as-of", timezone.localdate().isoformat())  # the end of today: everything so far
    assert today["value"] == 45.0 and today["lake_versions"]["data_values"] == 1
    nothing = _value("--as-of", "2025-01-01")  # before the table existed
    assert (nothing["value"], nothing["reason"], nothing["lake_versions"]["data_values"]) == (
        None,
        "not_reported",
        -1,
    )
    # Without --as-of: the contract's shape, unchanged (the figure as computed now).
    now = _value()
    assert {"indicator", "unit", "period", "numerator", "denominator", "value"} <= set(
        now
    ) and "as_of" not in now
    assert now["value"] == 45.0
    with pytest.raises(UserError):
        _value("--as-of", "1/3/2026")


def test_page_and_api_show_the_versions_with_their_batches(
    two_batches: tuple[IngestBatch, Any, IngestBatch], make_user: Callable[[str, str], User]
) -> None:
    first, _, second = two_batches
    client = Client()
    client.force_login(make_user("viewer", "68"))
    page = client.get("/du-lieu/lich-su/", {"table": "data_values"}).content.decode()
    assert f'href="/du-lieu/lo/{first.pk}/"' in page and f'href="/du-lieu/lo/{second.pk}/"' in page
    assert "dinh-chinh-thang-9.csv" in page and "Hệ thống một cửa" in page
    assert client.get("/du-lieu/lich-su/").status_code == 200
    assert client.get("/du-lieu/lich-su/", {"table": "nope"}).status_code == 404

    got = client.get("/api/v1/lake/data_values/history").json()
    assert [(v["version"], v["operation"], v["inserted"], v["updated"], v["batch"]["id"]) for v in got] == [
        (1, "upsert", 0, 1, str(second.pk)), (0, "create", 2, 0, str(first.pk))]  # fmt: skip
    assert client.get("/api/v1/lake/nope/history").status_code == 400
    assert Client().get("/api/v1/lake/data_values/history").status_code == 401

    # A commune's viewer sees the versions (what the lake held) but not the province's batches.
    commune = Client()
    commune.force_login(make_user("viewer", "25270"))
    page = commune.get("/du-lieu/lich-su/", {"table": "data_values"}).content.decode()
    assert f"/du-lieu/lo/{first.pk}/" not in page and "dinh-chinh-thang-9.csv" not in page
    got = commune.get("/api/v1/lake/data_values/history").json()
    assert [(v["version"], v["batch"]) for v in got] == [(1, None), (0, None)]
    assert "/du-lieu/lich-su/" in client.get("/du-lieu/").content.decode()
