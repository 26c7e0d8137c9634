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


def test_forms_in_the_back_office(form: ReportForm, make_user: Callable[[str, str], User]) -> None:
    from dieuhanh.audit.models import AuditEntry

    admin = make_user("admin", "68")
    c = client_for(admin)
    listing = c.get("/quan-tri/reporting/reportform/")
    assert listing.status_code == 200 and "test.thang" in listing.content.decode()
    page = c.get(f"/quan-tri/reporting/reportform/{form.pk}/change/").content.decode()
    assert "HSCV_ONLINE" in page and "online_le_total" in page  # elements and rules, read-only: from a pack
    assert 'name="name_vi"' not in page
    assert client_for(make_user("manager", "24820")).get("/quan-tri/reporting/reportform/").status_code == 403
    # A form made in the back office, with one element: audited.
    data = {"code": "bc.thu", "name_vi": "Báo cáo thử", "name_en": "", "description": "", "regime": "quarter",
            "first_period": "2026Q1", "unit_kinds": '["commune"]', "deadline_kind": "working_days",
            "deadline_value": "3", "lock_after_days": "10", "remind_before_days": "3", "title_vi": "",
            "recipients": "[]", "summary_recipients": "[]", "legal_basis": "", "active": "on",
            "elements-TOTAL_FORMS": "1", "elements-INITIAL_FORMS": "0", "elements-0-position": "0",
            "elements-0-code": "SO_LIEU", "elements-0-name_vi": "Số liệu", "elements-0-value_type": "integer",
            "elements-0-aggregate": "sum", "elements-0-required": "on", "elements-0-active": "on",
            "rules-TOTAL_FORMS": "0", "rules-INITIAL_FORMS": "0"}  # fmt: skip
    response = c.post("/quan-tri/reporting/reportform/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = ReportForm.objects.get(code="bc.thu")
    assert list(made.elements.values_list("code", flat=True)) == ["SO_LIEU"] and made.origin == ""
    entry = AuditEntry.objects.get(action="report.form_create", object_id=str(made.pk))
    assert entry.after == {"elements": ["SO_LIEU"], "rules": []} and entry.actor_label == "admin-68"
