"""`dieuhanh mqtt`: subscribe to the broker (DIEUHANH_MQTT_URL) and store observations until stopped."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.ingest.mqtt import ObservationSubscriber
from dieuhanh.ingest.services import batch_reconcile, source_default


class Command(DieuhanhCommand):
    help = "Subscribe to the MQTT broker and store observations in the lake (runs until stopped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.MQTT_URL, help="mqtt[s]://[user:password@]host:port")
        parser.add_argument(
            "--ca-file",
            default=settings.MQTT_CA_FILE,
            help="for mqtts://: the authority to trust (default: the system's)",
        )
        parser.add_argument("--topic", default="dieuhanh/observations/#")
        parser.add_argument("--source", default="cam-bien-mqtt", help="source system code")
        parser.add_argument(
            "--client-id", default="dieuhanh-ingest", help="keep it stable: the session is persistent"
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--max-wait", type=float, default=0.5, help="seconds before a partial batch is written"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        batch_reconcile()
        source = source_default(code=opts["source"], name="Cảm biến qua MQTT / sensors over MQTT")
        sub = ObservationSubscriber(
            url=opts["url"], source=source, topic=opts["topic"], client_id=opts["client_id"],
            batch_size=opts["batch_size"], max_wait=opts["max_wait"], ca_file=opts["ca_file"],
        )  # fmt: skip
        done = threading.Event()

        def _stop(signum: int, frame: Any) -> None:
            done.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        sub.start()
        self.stdout.write(
            f"dieuhanh mqtt: {opts['url']} {opts['topic']} → {source.code} (Ctrl+C để dừng / to stop)"
        )
        self.stdout.flush()
        while not done.is_set() and not sub.stats.subscribed.wait(1):
            pass
        self.stdout.write("subscribed: ready")
        self.stdout.flush()
        while not done.wait(10):
            s = sub.stats
            sys.stdout.write(
                f"received {s.received} written {s.written} unchanged {s.unchanged} rejected {s.rejected} "
                f"batches {s.batches}\n"
            )
            sys.stdout.flush()
        sub.stop()
        self.stdout.write(f"stopped: received {sub.stats.received}, written {sub.stats.written}")
