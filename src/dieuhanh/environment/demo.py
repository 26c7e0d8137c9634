"""Demo stations around Đà Lạt, Bảo Lộc and Phan Thiết (the codes `ingest.demo` sends
observations for), the demo alert rule, and a live replay of observations through the broker."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from dieuhanh.audit.services import Actor
from dieuhanh.environment.services import StationImportResult, alert_rule_default, station_import
from dieuhanh.environment.stations_file import StationRow

SIX = ("pm25", "pm10", "o3", "no2", "so2", "co")
#: code, unit (as in `ingest.demo.STATIONS`), name, latitude, longitude
DEMO_STATIONS = [
    ("DL01", "24781", "Trạm quan trắc Đà Lạt (Xuân Hương)", 11.9404, 108.4583),
    ("BL01", "24823", "Trạm quan trắc Bảo Lộc", 11.5480, 107.8077),
    ("PT01", "22945", "Trạm quan trắc Phan Thiết", 10.9289, 108.1021),
]


def environment_demo(actor: Actor) -> StationImportResult:
    rows = [StationRow(i, code, name, unit, lat, lon, SIX, 60, True)
            for i, (code, unit, name, lat, lon) in enumerate(DEMO_STATIONS, start=2)]  # fmt: skip
    result = station_import(actor=actor, rows=rows, file="demo")
    alert_rule_default(actor=actor)
    return result


def replay(
    *, url: str, hours: int, speed: float, start: datetime, at: datetime | None = None,
    report: Callable[[str], None] = lambda _: None,
) -> int:  # fmt: skip
    """Publish ``hours`` hours of the demo series from ``start``, stamped from ``at`` on (default:
    ``start``), one message per station and hour, to ``dieuhanh/observations/<station>`` with QoS 1,
    ``speed`` hours per second (0: as fast as the broker takes them). The Phan Thiết pollution
    episode is in the demo series (`ingest.demo.EPISODE`): replaying it onto the last hours makes the
    AQI climb and an alert rise on the live panel. Returns the messages published."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from dieuhanh.ingest.demo import observations

    parsed = urlparse(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"dieuhanh-replay-{time.time_ns()}")
    if parsed.username:
        client.username_pw_set(parsed.username, parsed.password)
    client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883)
    client.loop_start()
    sent = 0
    try:
        for h in range(hours):
            moment = start + timedelta(hours=h)
            stamp = (at or start) + timedelta(hours=h)
            by_station: dict[str, list[dict[str, Any]]] = {}
            for row in observations(moment, moment + timedelta(hours=1)):
                row = {**row, "observed_at": stamp.isoformat()}
                by_station.setdefault(row["station_code"], []).append(row)
            infos = [client.publish(f"dieuhanh/observations/{s}", json.dumps(rows), qos=1)
                     for s, rows in by_station.items()]  # fmt: skip
            for info in infos:
                info.wait_for_publish(30)
            sent += len(infos)
            report(f"{stamp.isoformat()}: {sum(len(r) for r in by_station.values())} observations")
            if speed > 0:
                time.sleep(1 / speed)
    finally:
        client.disconnect()
        client.loop_stop()
    return sent
