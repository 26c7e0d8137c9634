"""Alert thresholds managed by the environment's officers in the app, not only in the back office:
who may change which, every check with its reason, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.environment.models import AlertRule, Station
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/moi-truong/nguong-canh-bao/"


def login(make_user: Callable[[str, str], User], role: str, unit: str) -> Client:
    client = Client()
    assert client.login(username=make_user(role, unit).username, password=PASSWORD)
    return client


def form(**changes: str) -> dict[str, str]:
    data = {"name": "PM2.5 > 100 trong 3 giờ", "metric": "pm25", "operator": "gt", "value": "100",
            "consecutive_hours": "3", "station": "", "recipients": "moitruong@lamdong.gov.vn",
            "active": "on"}  # fmt: skip
    return {**data, **changes}


def test_a_province_manager_sets_a_threshold_on_every_station_audited(
    stations: dict[str, Station], make_user: Callable[[str, str], User]
) -> None:
    client = login(make_user, Role.MANAGER, "68")
    page = client.get(URL).content.decode()
    assert "Chưa có ngưỡng cảnh báo nào." in page and 'name="value"' in page
    assert client.post(URL, form()).status_code == 302
    rule = AlertRule.objects.get()
    got = (rule.metric, rule.operator, rule.value, rule.consecutive_hours, rule.station)
    assert got == ("pm25", "gt", 100, 3, None)
    entry = AuditEntry.objects.get(action="alert_rule.create")
    assert entry.after["value"] == 100 and entry.actor_label.startswith("manager-68")
    # Changed later: the change is audited with what it was before.
    assert client.post(f"{URL}{rule.pk}/", form(value="80", active="")).status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.active) == (80, False)
    change = AuditEntry.objects.get(action="alert_rule.update")
    assert (change.before["value"], change.after["value"], change.after["active"]) == (100, 80, False)
    assert "PM2.5 &gt; 100 trong 3 giờ" in client.get(URL).content.decode()


def test_a_commune_manager_watches_only_its_own_station(
    stations: dict[str, Station], make_user: Callable[[str, str], User]
) -> None:
    everywhere = AlertRule.objects.create(name="AQI > 150", metric="aqi", operator="gt", value=150)
    other = AlertRule.objects.create(name="Đà Lạt NO2", metric="no2", operator="ge", value=200,
                                     station=stations["DL01"])  # fmt: skip
    commune = login(make_user, Role.MANAGER, "24820")  # Lạc Dương: station LD02 only
    page = commune.get(URL).content.decode()
    assert "AQI &gt; 150" in page and "Đà Lạt NO2" not in page  # the rule on every station watches LD02 too
    assert f"{URL}{everywhere.pk}/" not in page  # but it is not this commune's to change
    assert commune.get(f"{URL}{everywhere.pk}/").status_code == 404
    assert commune.get(f"{URL}{other.pk}/").status_code == 404
    assert commune.post(URL, form()).status_code == 403  # every station: beyond its subtree
    assert (
        commune.post(URL, form(station=str(stations["LD02"].pk), name="Lạc Dương PM2.5")).status_code == 302
    )
    assert AlertRule.objects.filter(station=stations["LD02"]).count() == 1
    # A viewer reads the thresholds and changes none.
    viewer = login(make_user, Role.VIEWER, "68")
    assert 'name="value"' not in viewer.get(URL).content.decode()
    assert viewer.post(URL, form(name="x")).status_code == 403
    assert AlertRule.objects.count() == 3


def test_every_check_has_its_reason_and_nothing_is_saved(
    stations: dict[str, Station], make_user: Callable[[str, str], User]
) -> None:
    client = login(make_user, Role.MANAGER, "68")
    page = client.post(URL, form(value="-5", consecutive_hours="0", recipients="moitruong@\nok@lamdong.gov.vn"),
                       follow=True).content.decode()  # fmt: skip
    for reason in ("Ngưỡng phải là một số không âm.", "Số giờ liên tiếp phải từ 1 đến 72.",
                   "Địa chỉ thư điện tử không hợp lệ: moitruong@."):  # fmt: skip
        assert reason in page
    assert (
        not AlertRule.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="alert_rule").exists()
    )
