"""End to end on the real broker: a station gateway publishes over MQTT with QoS 1, the
subscriber (the class `dieuhanh mqtt` runs) stores the observations, the VN_AQI and an alert
appear in the lake, the database, the e-mail and the live panel."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.core import mail
from django.test import Client
from paho.mqtt.enums import CallbackAPIVersion

from dieuhanh.accounts.models import Role, User
from dieuhanh.environment.models import AlertEpisode, AlertRule, Station
from dieuhanh.ingest.models import Source
from dieuhanh.ingest.mqtt import ObservationSubscriber
from dieuhanh.lake import Lake
from tests.conftest import PASSWORD
from tests.environment.test_derive import VN
from tests.services import Broker

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def test_publish_to_the_broker_and_see_the_aqi_and_an_alert(
    broker: Broker,
    stations: dict[str, Station],
    sensors: Source,
    lake: Lake,
    make_user: Callable[[str, str], User],
) -> None:
    AlertRule.objects.create(name="AQI > 150 trong 2 giờ", metric="aqi", operator="gt", value=150,
                             consecutive_hours=2, recipients="moitruong@lamdong.gov.vn")  # fmt: skip
    sub = ObservationSubscriber(url=broker.url, source=sensors, client_id="test-env-e2e", max_wait=0.2)
    sub.start()
    assert sub.stats.subscribed.wait(30)
    gateway = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-env-gateway")
    gateway.connect("127.0.0.1", broker.port)
    gateway.loop_start()
    try:
        t = datetime(2026, 3, 1, 0, tzinfo=VN)
        for h in (1, 2, 3):  # one message per hour; no unit_code: the registry gives it
            payload: list[dict[str, Any]] = [
                {"station_code": "DL01", "parameter": p, "observed_at": (t + timedelta(hours=h)).isoformat(),
                 "value": v, "uom": "µg/m³"} for p, v in (("pm25", 100.0), ("no2", 40.0))
            ]  # fmt: skip
            gateway.publish("dieuhanh/observations/DL01", json.dumps(payload), qos=1).wait_for_publish(10)
        assert wait_until(lambda: AlertEpisode.objects.filter(kind="threshold").exists())
    finally:
        gateway.disconnect()
        gateway.loop_stop()
        sub.stop()
    assert sub.stats.written == 6 and sub.stats.rejected == 0
    # PM2.5 NowCast 100 → 150 + 50/70 × 20 = 164.3 → 164 at 02:00 and 03:00 (see test_derive).
    rows = (
        lake.connect()
        .sql("select hour_end, aqi, unit_code from aqi_hourly where aqi is not null order by 1")
        .fetchall()
    )
    assert [(r[0].astimezone(VN).hour, r[1], r[2]) for r in rows] == [
        (2, 164.0, "24781"),
        (3, 164.0, "24781"),
    ]
    (episode,) = AlertEpisode.objects.all()
    start = datetime(2026, 3, 1, 1, tzinfo=VN)
    assert (episode.started_at, episode.ended_at, episode.peak_value) == (start, None, 164)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["moitruong@lamdong.gov.vn"]
    client = Client()
    assert client.login(username=make_user(Role.VIEWER, "68").username, password=PASSWORD)
    page = client.get("/moi-truong/truc-tiep/").content.decode()
    assert ">164<" in page and 'class="env-alert open"' in page and "AQI &gt; 150 trong 2 giờ" in page
