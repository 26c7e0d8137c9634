"""The JSON API and the minimal pages: scoped to the user's subtree, drill-down with exports, and the
refresh task the push API enqueues."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from dieuhanh.accounts.models import User
from dieuhanh.indicators.models import ComputeRun
from dieuhanh.indicators.services import indicator_values_compute
from dieuhanh.indicators.tasks import indicator_values_refresh_task
from dieuhanh.ingest.models import Source
from dieuhanh.lake import Lake
from tests.indicators.conftest import ingest
from tests.indicators.test_compute import FIRST, SECOND

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(source: Source, lake: Lake) -> None:
    ingest(source, "dossiers", FIRST)
    indicator_values_compute(full=True)


def login(client: Client, make_user: Callable[[str, str], User], unit: str) -> Client:
    client.force_login(make_user("viewer", unit))
    return client


def test_definitions_list_and_one(
    client: Client, make_user: Callable[[str, str], User], computed: None
) -> None:
    login(client, make_user, "24820")
    items = client.get("/api/v1/indicators").json()
    codes = {i["code"] for i in items}
    assert {"dvc.online_share", "cs766.total", "vb.signed_electronic_share"} <= codes
    one = client.get("/api/v1/indicators/cs766.payment").json()
    assert one["unit"] == "points" and one["components"][0]["source"].startswith("[PORTAL]")
    assert client.get("/api/v1/indicators/dvc.nope").status_code == 404
    assert Client().get("/api/v1/indicators").status_code == 401


def test_values_are_scoped_to_the_subtree(
    client: Client, make_user: Callable[[str, str], User], computed: None
) -> None:
    login(client, make_user, "24820")
    got = client.get("/api/v1/indicators/dvc.online_share/values", {"period": "2025M07"}).json()
    assert [(v["unit"], v["numerator"], v["denominator"], v["value"]) for v in got] == [("24820", 1, 2, 50.0)]
    province = login(Client(), make_user, "68")
    got = province.get(
        "/api/v1/indicators/dvc.online_share/values", {"period": "2025M07", "unit": "68"}
    ).json()
    assert got[0]["display"]["vi"] == "66,7%" and got[0]["rank"] == 1
    trend = province.get(
        "/api/v1/indicators/dvc.online_share/values", {"unit": "68", "regime": "month"}
    ).json()
    assert [v["period"] for v in trend] == ["2025M07", "2025M08"]
    err = province.get("/api/v1/indicators/dvc.nope/values").json()
    assert err["error"]["code"] == "indicator.not_found"


def test_records_drill_down_and_exports(
    client: Client, make_user: Callable[[str, str], User], computed: None
) -> None:
    login(client, make_user, "24820")
    assert client.get("/api/v1/indicators/dvc.online_share/records",
                      {"unit": "68", "period": "2025M07"}).status_code == 404  # fmt: skip
    province = login(Client(), make_user, "68")
    page = province.get("/api/v1/indicators/dvc.online_share/records",
                        {"unit": "68", "period": "2025M07", "part": "denominator", "limit": 2}).json()  # fmt: skip
    assert (page["total"], len(page["rows"]), page["rows"][0][0]) == (3, 2, "H1")
    csv = province.get("/api/v1/indicators/dvc.online_share/records",
                       {"unit": "68", "period": "2025M07", "format": "csv"})  # fmt: skip
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("record_id,unit_code") and "H3" in body and "H2" not in body
    xlsx = province.get("/api/v1/indicators/dvc.online_share/records",
                        {"unit": "68", "period": "2025M07", "format": "xlsx"})  # fmt: skip
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"


def test_pages(client: Client, make_user: Callable[[str, str], User], computed: None) -> None:
    login(client, make_user, "68")
    assert "dvc.online_share" in client.get("/chi-so/").content.decode()
    detail = client.get("/chi-so/dvc.online_share/", {"period": "2025M07"}).content.decode()
    assert "66,7%" in detail and "ban-ghi" in detail
    records = client.get("/chi-so/dvc.online_share/ban-ghi/", {"unit": "68", "period": "2025M07"})
    assert records.status_code == 200 and "H1" in records.content.decode()
    export = client.get(
        "/chi-so/dvc.online_share/ban-ghi/", {"unit": "68", "period": "2025M07", "format": "csv"}
    )
    assert "H3" in export.content.decode("utf-8-sig")
    assert client.get("/chi-so/dvc.online_share/ban-ghi/", {"unit": "68", "period": "bad"}).status_code == 400


def test_the_refresh_task_recomputes_a_batch(source: Source, lake: Lake) -> None:
    ingest(source, "dossiers", FIRST)
    indicator_values_compute(full=True)
    batch = ingest(source, "dossiers", SECOND)
    out = indicator_values_refresh_task.call(str(batch.pk))
    assert out["status"] == "done" and ComputeRun.objects.filter(batch_id=str(batch.pk)).exists()
    assert indicator_values_refresh_task.call("00000000-0000-0000-0000-000000000000")["run"] is None


def test_the_push_paths_enqueue_the_refresh(source: Source, lake: Lake) -> None:
    from django_tasks_db.models import DBTaskResult

    from dieuhanh.indicators.services import indicator_values_schedule_after_batch

    batch = ingest(source, "dossiers", FIRST)
    indicator_values_schedule_after_batch(batch=batch)
    (task,) = DBTaskResult.objects.all()
    assert task.task_path.endswith("indicator_values_refresh_task")
    assert task.args_kwargs["args"] == [str(batch.pk)]
    sensors = ingest(source, "observations", [
        {"station_code": "S1", "unit_code": "24820", "parameter": "pm25", "observed_at": "2025-09-01T10:00:00+07:00",
         "value": "12", "uom": "µg/m³"},
    ])  # fmt: skip
    indicator_values_schedule_after_batch(batch=sensors)  # no indicator reads observations: nothing queued
    # ... but the environment app derived the VN_AQI tables and queued its own pack's refresh.
    paths = sorted(t.task_path.rsplit(".", 1)[1] for t in DBTaskResult.objects.all())
    assert paths == ["environment_indicators_task", "indicator_values_refresh_task"]
