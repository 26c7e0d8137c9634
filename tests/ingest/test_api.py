"""The push API: bearer keys bound to a source and its units; same validation as files."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.ingest.models import ApiKey, IngestBatch, Source
from dieuhanh.ingest.services import apikey_issue, apikey_revoke
from dieuhanh.lake import Lake
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = {"record_id": "A1", "unit_code": "24820", "channel": "online", "received_at": "2026-01-05T08:00:00+07:00",
        "due_at": "2026-01-10T17:00:00+07:00", "status": "processing", "digitized": True}  # fmt: skip


def post(key: str | None, body: object, table: str = "dossiers") -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = Client().post(f"/api/v1/ingest/{table}", raw, content_type="application/json", **headers)
    return response.status_code, response.json()


def test_push_stores_good_rows_and_explains_bad_ones(commune_source: Source, lake: Lake) -> None:
    key = apikey_issue(actor=Actor.system("t"), source=commune_source, label="phần mềm một cửa xã")
    bad = dict(GOOD, record_id="A2", unit_code="25270")  # another commune: not this source's
    status, body = post(key, {"records": [GOOD, bad]})
    assert status == 200
    assert (body["accepted"], body["rejected"], body["unchanged"]) == (1, 1, 0)
    assert body["problems"][0]["row"] == 2 and body["problems"][0]["code"] == "unit.out_of_scope"
    assert IngestBatch.objects.get(pk=body["batch"]).channel == "api"
    status, again = post(key, [GOOD])  # a plain list works too; re-sending changes nothing
    assert (status, again["accepted"], again["unchanged"]) == (200, 0, 1)
    assert lake.connect().execute("select record_id, digitized from dossiers").fetchall() == [("A1", True)]


def test_keys_are_required_hashed_and_revocable(commune_source: Source, lake: Lake) -> None:
    assert post(None, [GOOD])[0] == 401
    assert post("dh_00000000_wrong", [GOOD])[0] == 401
    key = apikey_issue(actor=Actor.system("t"), source=commune_source)
    stored = ApiKey.objects.get(source=commune_source)
    assert key.split("_", 2)[2] not in stored.digest and len(stored.digest) == 64
    assert AuditEntry.objects.filter(action="apikey.issue").exists()
    apikey_revoke(actor=Actor.system("t"), api_key=stored)
    assert post(key, [GOOD])[0] == 401


def test_bad_payloads(commune_source: Source, lake: Lake) -> None:
    key = apikey_issue(actor=Actor.system("t"), source=commune_source)
    status, body = post(key, b"{not json")
    assert status == 400 and body["error"]["code"] == "ingest.bad_json"
    status, body = post(key, {"rows": 3})
    assert status == 400 and body["error"]["code"] == "ingest.bad_payload"
    status, body = post(key, [GOOD], table="citizens")
    assert status == 400 and body["error"]["code"] == "ingest.unknown_table"
    status, body = post(key, [dict(GOOD, record_id="nguyen.van.a@gmail.com")])
    assert status == 200 and body["status"] == "refused" and body["problems"][0]["code"] == "privacy.value"
    assert not lake.exists("dossiers")


def test_batches_are_readable_and_scoped(
    commune_source: Source, source: Source, lake: Lake, make_user: Callable[[str, str], User]
) -> None:
    key = apikey_issue(actor=Actor.system("t"), source=commune_source)
    post(key, [GOOD, dict(GOOD, record_id="B", received_at="bad")])
    client = Client()
    assert client.login(username=make_user(Role.VIEWER, "24820").username, password=PASSWORD)
    batches = client.get("/api/v1/ingest/batches/").json()["items"]
    assert [(b["source"], b["accepted"], b["rejected"]) for b in batches] == [("xa-lac-duong", 1, 1)]
    rejected = client.get(f"/api/v1/ingest/batches/{batches[0]['id']}/rejected").json()["items"]
    assert rejected[0]["field"] == "received_at" and rejected[0]["raw"]["received_at"] == "bad"
    other = Client()
    assert other.login(username=make_user(Role.VIEWER, "25270").username, password=PASSWORD)
    assert other.get("/api/v1/ingest/batches/").json()["items"] == []
    assert other.get(f"/api/v1/ingest/batches/{batches[0]['id']}/rejected").status_code == 404


def test_upload_page_and_rejected_rows_download(
    make_user: Callable[[str, str], User], source: Source, lake: Lake
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.ingest.conftest import HEADER

    officer = make_user(Role.OFFICER, "68")
    client = Client()
    assert client.login(username=officer.username, password=PASSWORD)
    page = client.get("/du-lieu/").content.decode()
    assert "Hệ thống một cửa" in page and "Kiểm tra và lưu" in page
    csv = (HEADER + "U1,24820,1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,\n"
           "U2,24820,1,online,ngày mai,,,processing,,,,,,\n").encode()  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/du-lieu/", {"table": "dossiers", "source": source.pk,
                                         "file": SimpleUploadedFile("hs.csv", csv)})  # fmt: skip
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "hs.csv" in detail and "received_at" in detail
    xlsx = client.get(response["Location"] + "tu-choi.xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == 3 and rows[1][1] == "U2" and "ngày mai" in rows[1]
    viewer = make_user(Role.VIEWER, "68")
    client.logout()
    assert client.login(username=viewer.username, password=PASSWORD)
    assert "Kiểm tra và lưu" not in client.get("/du-lieu/").content.decode()  # viewers cannot send
    assert client.post("/du-lieu/", {"table": "dossiers"}).status_code in (302, 403)
    assert IngestBatch.objects.count() == 1
