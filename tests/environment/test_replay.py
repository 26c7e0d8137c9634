"""The demo: its stations and alert rule, and a live replay of its pollution episode through the broker."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from dieuhanh.audit.services import Actor
from dieuhanh.environment.demo import DEMO_STATIONS, environment_demo, replay
from dieuhanh.environment.models import AlertEpisode, AlertRule, Station
from dieuhanh.ingest.demo import EPISODE, STATIONS
from dieuhanh.ingest.mqtt import ObservationSubscriber
from dieuhanh.ingest.services import source_default
from dieuhanh.lake import Lake
from dieuhanh.orgunits.readers import units_from_national_list
from dieuhanh.orgunits.services import orgunit_import
from tests.environment.test_derive import VN
from tests.services import Broker

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]


def test_demo_stations_are_those_the_demo_observations_use() -> None:
    assert [(c, u) for c, u, *_ in DEMO_STATIONS] == [(c, u) for c, u, *_ in STATIONS]


def test_replay_publishes_the_episode_and_an_alert_rises_at_phan_thiet(broker: Broker, lake: Lake) -> None:
    actor = Actor.system("test")
    orgunit_import(actor=actor, units=units_from_national_list("68"), source="vietnam-provinces")
    result = environment_demo(actor)
    assert (result.created, result.rejected) == (3, 0)
    assert environment_demo(actor).unchanged == 3 and AlertRule.objects.count() == 1  # idempotent
    source = source_default(code="cam-bien-mqtt", name="MQTT")
    sub = ObservationSubscriber(url=broker.url, source=source, client_id="test-replay", max_wait=0.2)
    sub.start()
    assert sub.stats.subscribed.wait(30)
    lines: list[str] = []
    try:
        at = datetime(2026, 3, 1, 0, tzinfo=VN)
        # 2 quiet hours, then the first 10 hours of the episode (PM2.5 at Phan Thiết × 4.2 or so).
        sent = replay(url=broker.url, hours=12, speed=0, start=EPISODE - timedelta(hours=2), at=at,
                      report=lines.append)  # fmt: skip
        assert sent == 36 and len(lines) == 12
        deadline = time.monotonic() + 60
        while sub.stats.received < sent and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        sub.stop()
    assert (sub.stats.written, sub.stats.rejected) == (216, 0)  # 12 hours × 3 stations × 6 pollutants
    assert all(s.latest_aqi is not None for s in Station.objects.all())
    alerted = set(AlertEpisode.objects.filter(kind="threshold").values_list("station__code", flat=True))
    assert alerted == {"PT01"}
    episode = AlertEpisode.objects.get(kind="threshold")
    assert at + timedelta(hours=1) <= episode.started_at <= at + timedelta(hours=6)
    assert episode.peak_value is not None and episode.peak_value > 150


def test_the_replay_command_refuses_a_time_without_an_offset(lake: Lake) -> None:
    from dieuhanh.core.errors import UserError

    with pytest.raises(UserError) as exc:
        call_command("environment", "replay", "--from", "2026-11-10T06:00", stdout=io.StringIO())
    assert exc.value.code == "replay.naive_start"
