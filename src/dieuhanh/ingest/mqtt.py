"""`dieuhanh mqtt`: a long-running MQTT subscriber that stores observations in small batches.

Zero loss of acknowledged messages rests on three choices:
- a persistent session (fixed client id, clean session off, QoS 1): while we are away the broker
  keeps our messages, and after a broker restart it redelivers what we had not acknowledged;
- manual acknowledgement: a message is acknowledged (PUBACK) only after the batch that holds it
  is committed to the lake and recorded, so a crash before that means redelivery, never loss
  (and redelivered duplicates change nothing: observations are upserted by key);
- the network thread never blocks: it only appends what it reads to a queue; a writer thread
  validates and writes in batches of up to `batch_size` messages or every `max_wait` seconds.
  When the queue holds `backlog` messages, the network thread stops reading and the broker keeps
  the rest. The MQTT client is our own lean one (`mqttwire`): paho's per-message cost capped the
  feed at 7–9k messages per second on the reference machine.

The broker must not drop what it queues for us: see docs/connect.md (Mosquitto:
`max_queued_messages 0`, `max_inflight_messages 0`, `persistence true`).

Topic: `dieuhanh/observations/<station>` (any suffix). Payload: one JSON object or a list of
objects with station_code, unit_code, parameter, observed_at, value, uom.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.indicators.services import indicator_catalog, indicator_values_schedule_after_batch
from dieuhanh.ingest.hooks import Stored, after_batches, fill_records
from dieuhanh.ingest.models import Channel, Source
from dieuhanh.ingest.mqttwire import Message, Subscription
from dieuhanh.ingest.services import batch_ingest

log = logging.getLogger(__name__)


@dataclass
class Stats:
    received: int = 0
    written: int = 0
    unchanged: int = 0
    rejected: int = 0
    batches: int = 0
    derived: int = 0  # batches whose after-batch work (VN_AQI, alerts) is done
    bad_payloads: int = 0
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
        backlog: int = 0,
        derive_every: float = 1.0,
        ca_file: str = "",
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts"):
            raise UserError("mqtt.url", f"Địa chỉ MQTT phải bắt đầu bằng mqtt:// hoặc mqtts://: {url}",
                            f"An MQTT address starts with mqtt:// or mqtts://: {url}")  # fmt: skip
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (8883 if parsed.scheme == "mqtts" else 1883)
        self.username, self.password = parsed.username, parsed.password
        tls = None
        if parsed.scheme == "mqtts":  # the system's trusted authorities, or the province's own CA
            tls = ssl.create_default_context(cafile=ca_file or None)
        self.source = source
        self.topic = topic
        self.table = table
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.backlog = backlog or 20 * batch_size
        self.derive_every = derive_every
        self.stats = Stats()
        self._queue: deque[Message] = deque()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._writer_done = threading.Event()
        self.subscription = Subscription(
            host=self.host, port=self.port, client_id=client_id, topic=topic, deliver=self._deliver,
            username=self.username, password=self.password, paused=self._paused, tls=tls,
        )  # fmt: skip
        self.stats.subscribed = self.subscription.subscribed
        self._writer = threading.Thread(target=self._write_loop, name="dieuhanh-mqtt-writer", daemon=True)
        self._stored: deque[Stored] = deque()
        self._derive_wake = threading.Event()
        self._writing = self._deriving = False
        self._deriver = threading.Thread(target=self._derive_loop, name="dieuhanh-mqtt-derive", daemon=True)

    # The network thread: never block here.
    def _deliver(self, messages: list[Message]) -> None:
        self._queue.extend(messages)
        if len(self._queue) >= self.batch_size:
            self._wake.set()

    def _paused(self) -> bool:
        """Leave the backlog with the broker while we are behind or stopping."""
        return self._stop.is_set() or len(self._queue) >= self.backlog

    # Writer thread.
    def _write_loop(self) -> None:
        from django.db import close_old_connections

        while not self._stop.is_set() or self._queue:
            if len(self._queue) < self.batch_size:  # a full batch waiting is written at once
                self._wake.wait(self.max_wait)
            self._wake.clear()
            if not self._queue:
                continue
            self._writing = True
            messages = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            try:
                close_old_connections()
                self._write(messages)
            except Exception as exc:  # keep running: unacknowledged messages come back after a reconnect
                log.exception("writing an MQTT batch failed; its messages stay unacknowledged")
                self.stats.errors.append(str(exc))
                self._queue.extendleft(reversed(messages))
                time.sleep(1)
            finally:
                self._writing = False

    def _write(self, messages: list[Message]) -> None:
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
                records=records, channel=Channel.MQTT, file_name=f"mqtt {self.topic}", after=False,
            )  # fmt: skip
            self.stats.written += result.batch.accepted
            self.stats.unchanged += result.batch.unchanged
            self.stats.rejected += result.batch.rejected
            self.stats.batches += 1
            if result.changed_lake and result.rows is not None:
                self._stored.append(Stored(result.batch, result.rows))
                self._derive_wake.set()
        # Stored (or refused with reasons): now the broker may forget them.
        self.subscription.ack(messages)
        self.stats.received += len(messages)
        self.stats.last_batch_at = time.time()

    # Derive thread: the after-batch hooks (VN_AQI, alerts) and the indicator refresh, for every
    # batch stored since the last pass at once, so that the feed never waits for them.
    def _derive_loop(self) -> None:
        from django.db import close_old_connections

        last = 0.0
        while not self._writer_done.is_set() or self._stored:
            self._derive_wake.wait(self.max_wait)
            self._derive_wake.clear()
            # At most one pass per `derive_every` seconds: under a fast feed, a pass covers
            # several batches, and the feed keeps the CPU it would spend deriving each one.
            pause = last + self.derive_every - time.monotonic()
            if pause > 0 and not self._writer_done.is_set():
                self._writer_done.wait(pause)
            self._deriving = True  # before taking them: `settled` must never see them nowhere
            stored = [self._stored.popleft() for _ in range(len(self._stored))]
            if not stored:
                self._deriving = False
                continue
            last = time.monotonic()
            try:
                close_old_connections()
                after_batches(self.table, stored)  # never raises
                for item in stored:
                    indicator_values_schedule_after_batch(batch=item.batch)
            finally:
                self.stats.derived += len(stored)
                self._deriving = False

    def settled(self) -> bool:
        """Nothing received is waiting to be stored, nor anything stored to be derived."""
        return not self._queue and not self._writing and not self._stored and not self._deriving

    def start(self) -> None:
        indicator_catalog()  # loaded once, before the feed starts rather than on its first batch
        self._writer.start()
        self._deriver.start()
        self.subscription.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Write what was received, acknowledge it, then disconnect."""
        self._stop.set()
        self._wake.set()
        self._writer.join(timeout)
        self._writer_done.set()
        self._derive_wake.set()
        self.subscription.stop()
        self._deriver.join(timeout)
