"""The reports API: a unit's system fills its report, its manager submits, the province accepts."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.core.periods import period_of
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.models import ReportForm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_fill_submit_accept_through_the_api(
    form: ReportForm, province: dict[str, OrgUnit], make_user: Callable[[str, str], User]
) -> None:
    officer, manager, above = (
        make_user("officer", "24820"),
        make_user("manager", "24820"),
        make_user("manager", "68"),
    )
    month = period_of("month", timezone.localdate()).key
    url = f"/api/v1/reports/forms/test.thang/{month}/24820"
    forms = client_for(officer).get("/api/v1/reports/forms").json()
    assert [e["code"] for e in forms[0]["elements"]][:3] == ["DVC_TIEP_NHAN", "HSCV_TOTAL", "HSCV_ONLINE"]

    bad = client_for(officer).put(url, json.dumps({"values": {"HSCV_TOTAL": "abc", "NOPE": 1}}),
                                  content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert {p["field"] for p in bad.json()["error"]["problems"]} == {"HSCV_TOTAL", "NOPE"}

    body = {"values": {"HSCV_TOTAL": 50, "HSCV_ONLINE": 40, "TO_CNSCD": True, "TO_CNSCD_THANH_VIEN": 6}}
    saved = client_for(officer).put(url, json.dumps(body), content_type="application/json").json()
    assert saved["status"] == "draft"
    assert {v["element"]: v["value"] for v in saved["values"]}["HSCV_ONLINE"] == 40
    assert client_for(officer).post(url + "/submit").status_code == 403  # officers enter, managers send
    assert client_for(manager).post(url + "/submit").json()["status"] == "submitted"
    assert client_for(manager).post(url + "/accept").status_code == 403
    assert client_for(above).post(url + "/accept").json()["status"] == "accepted"
    done = client_for(above).get(f"/api/v1/reports/forms/test.thang/{month}/completeness").json()
    assert (done["expected"], done["submitted"], done["accepted"], done["missing"]) == (3, 1, 1, 2)
    assert client_for(officer).get(f"/api/v1/reports/forms/test.thang/{month}/25270").status_code == 404
