"""`dieuhanh mqtt`: a long-running MQTT subscriber that stores observations in small batches.

Zero loss of acknowledged messages rests on three choices:
- a persistent session (fixed client id, clean session off, QoS 1): while we are away the broker
  keeps our messages, and after a broker restart it redelivers what we had not acknowledged;
- manual acknowledgement: a message is acknowledged (PUBACK) only after the batch that holds it
  is committed to the lake and recorded, so a crash before that means redelivery, never loss
  (and redelivered duplicates change nothing: observations are upserted by key);
- paho's network loop never blocks: `on_message` only appends to a queue; a writer thread
  validates and writes in batches of up to `batch_size` messages or every `max_wait` seconds.

The broker must not drop what it queues for us: see docs/connect.md (Mosquitto:
`max_queued_messages 0`, `max_inflight_messages 0`, `persistence true`).

Topic: `dieuhanh/observations/<station>` (any suffix). Payload: one JSON object or a list of
objects with station_code, unit_code, parameter, observed_at, value, uom.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from dieuhanh.audit.services import Actor
from dieuhanh.indicators.services import indicator_values_schedule_after_batch
from dieuhanh.ingest.hooks import fill_records
from dieuhanh.ingest.models import Channel, Source
from dieuhanh.ingest.services import batch_ingest

log = logging.getLogger(__name__)


@dataclass
class Stats:
    received: int = 0
    written: int = 0
    unchanged: int = 0
    rejected: int = 0
    batches: int = 0
    bad_payloads: int = 0
    connects: int = 0
    subscribed: threading.Event = field(default_factory=threading.Event)
    last_batch_at: float = 0.0
    errors: list[str] = field(default_factory=list)


class ObservationSubscriber:
    def __init__(
        self,
        *,
        url: str,
        source: Source,
        topic: str = "dieuhanh/observations/#",
        client_id: str = "dieuhanh-ingest",
        batch_size: int = 5000,
        max_wait: float = 0.5,
        table: str = "observations",
    ) -> None:
        parsed = urlparse(url)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 1883
        self.username, self.password = parsed.username, parsed.password
        self.source = source
        self.topic = topic
        self.table = table
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.stats = Stats()
        self._queue: deque[mqtt.MQTTMessage] = deque()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True
        )
        if self.username:
            self.client.username_pw_set(self.username, self.password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=15)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self._writer = threading.Thread(target=self._write_loop, name="dieuhanh-mqtt-writer", daemon=True)

    # paho's thread: never block here.
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("MQTT connect refused: %s", reason)
            return
        self.stats.connects += 1
        client.subscribe(self.topic, qos=1)
        log.info("MQTT connected to %s:%s, subscribed to %s", self.host, self.port, self.topic)

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any, props: Any) -> None:
        self.stats.subscribed.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        log.warning("MQTT disconnected (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._queue.append(message)
        if len(self._queue) >= self.batch_size:
            self._wake.set()

    # Writer thread.
    def _write_loop(self) -> None:
        from django.db import close_old_connections

        while not self._stop.is_set() or self._queue:
            self._wake.wait(self.max_wait)
            self._wake.clear()
            if not self._queue:
                continue
            messages = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            try:
                close_old_connections()
                self._write(messages)
            except Exception as exc:  # keep running: unacknowledged messages come back after a reconnect
                log.exception("writing an MQTT batch failed; its messages stay unacknowledged")
                self.stats.errors.append(str(exc))
                self._queue.extendleft(reversed(messages))
                time.sleep(1)

    def _write(self, messages: list[mqtt.MQTTMessage]) -> None:
        records: list[tuple[int, dict[str, Any]]] = []
        n = 0
        for message in messages:
            try:
                payload = json.loads(message.payload)
            except ValueError:
                self.stats.bad_payloads += 1
                continue
            items = payload if isinstance(payload, list) else [payload]
            if any(not isinstance(item, dict) for item in items):
                self.stats.bad_payloads += sum(1 for item in items if not isinstance(item, dict))
            for item in fill_records(self.table, [item for item in items if isinstance(item, dict)]):
                n += 1
                records.append((n, item))
        if records:
            result = batch_ingest(
                actor=Actor.system(f"mqtt:{self.source.code}"), source=self.source, table=self.table,
                records=records, channel=Channel.MQTT, file_name=f"mqtt {self.topic}",
            )  # fmt: skip
            self.stats.written += result.batch.accepted
            self.stats.unchanged += result.batch.unchanged
            self.stats.rejected += result.batch.rejected
            self.stats.batches += 1
            indicator_values_schedule_after_batch(batch=result.batch)
        # Stored (or refused with reasons): now the broker may forget them.
        for message in messages:
            if message.qos > 0:
                self.client.ack(message.mid, message.qos)
        self.stats.received += len(messages)
        self.stats.last_batch_at = time.time()

    def start(self) -> None:
        self._writer.start()
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self, timeout: float = 30.0) -> None:
        """Write what was received, acknowledge it, then disconnect."""
        self._stop.set()
        self._wake.set()
        self._writer.join(timeout)
        self.client.disconnect()
        self.client.loop_stop()
