"""`dieuhanh mqtt` against a real Mosquitto: every acknowledged message stored, through a broker
restart and a subscriber killed mid-stream."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from dieuhanh.lake import Lake
from tests.services import CLI, Broker, cli_env, run_cli, subprocess_database

pytestmark = pytest.mark.mqtt
START = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with subprocess_database(tmp_path) as url:
        environment = cli_env(tmp_path / "data", url)
        for args in (["migrate", "-v0"], ["units", "import", "--province", "68"]):
            done = run_cli(args, environment)
            assert done.returncode == 0, done.stderr
        yield environment


def observation(i: int) -> bytes:
    station = f"DL{i % 4:02d}"
    return json.dumps(
        {
            "station_code": station,
            "unit_code": "24781",
            "parameter": ["pm25", "pm10", "co"][i % 3],
            "observed_at": (START + timedelta(minutes=i)).isoformat(),
            "value": round(10 + (i % 97) * 0.5, 1),
            "uom": "µg/m³",
        }
    ).encode()


class Publisher:
    def __init__(self, broker: Broker) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-station-gateway",
                                  clean_session=False)  # fmt: skip
        self.client.reconnect_delay_set(0.2, 1)
        self.client.max_queued_messages_set(0)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def send(self, numbers: range) -> None:
        """Publish with QoS 1 and wait for every PUBACK. While the broker is away paho keeps the
        messages (rc "not connected") and sends them after it reconnects."""
        infos = [
            self.client.publish(f"dieuhanh/observations/{i % 4}", observation(i), qos=1) for i in numbers
        ]
        deadline = time.monotonic() + 90
        for info in infos:
            while not info._published and time.monotonic() < deadline:  # acknowledged by the broker
                time.sleep(0.01)
            assert info._published, f"message {info.mid} never acknowledged by the broker"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def start_subscriber(env: dict[str, str], broker: Broker, *, wait: bool = True) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [str(CLI), "mqtt", "--url", broker.url, "--batch-size", "500", "--max-wait", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    if wait:  # the first subscription creates the persistent session: before it, nothing is kept for us
        assert proc.stdout is not None
        for line in proc.stdout:
            if "subscribed: ready" in line:
                break
    return proc


def stored(env: dict[str, str]) -> int:
    lake = Lake(Path(env["DIEUHANH_DATA_DIR"]) / "lake")
    return int(lake.connect().execute("select count(*) from observations").fetchone()[0])  # type: ignore[index]


def wait_for(env: dict[str, str], expected: int, seconds: float = 90) -> int:
    deadline = time.monotonic() + seconds
    count = stored(env)
    while count < expected and time.monotonic() < deadline:
        time.sleep(0.3)
        count = stored(env)
    return count


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return out


def test_every_message_is_stored_through_a_broker_restart(env: dict[str, str], broker: Broker) -> None:
    sub = start_subscriber(env, broker)
    pub = Publisher(broker)
    try:
        pub.send(range(0, 2000))
        broker.restart()  # the subscriber and the publisher reconnect by themselves
        pub.send(range(2000, 4000))
        assert wait_for(env, 4000) == 4000
        pub.send(range(0, 500))  # duplicates change nothing
        time.sleep(1.5)
        assert stored(env) == 4000
    finally:
        pub.close()
        out = stop(sub)
    # Redeliveries after the restart are expected (at-least-once); they change nothing.
    assert "written 4000" in out, out


def test_messages_sent_while_the_subscriber_is_down_or_killed_are_not_lost(
    env: dict[str, str], broker: Broker
) -> None:
    # First run registers the persistent session, then the subscriber goes away.
    sub = start_subscriber(env, broker)
    pub = Publisher(broker)
    try:
        pub.send(range(0, 100))
        assert wait_for(env, 100) == 100
        stop(sub)
        pub.send(range(100, 3000))  # queued by the broker for our session
        sub = start_subscriber(env, broker, wait=False)
        time.sleep(3)
        sub.kill()  # SIGKILL in the middle: what was not acknowledged comes back
        sub.wait()
        pub.send(range(3000, 5000))
        sub = start_subscriber(env, broker)
        assert wait_for(env, 5000) == 5000
    finally:
        pub.close()
        stop(sub)
