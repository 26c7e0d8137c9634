"""`dieuhanh scheduler`: every minute, enqueue what is due (source pulls); workers run it.

Run one scheduler and any number of `dieuhanh db_worker` processes.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.ingest.pull import pulls_enqueue


class Command(DieuhanhCommand):
    help = "Enqueue scheduled work (pull connectors) every --interval seconds; --once for a single tick."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            codes = pulls_enqueue()
            if codes:
                self.stdout.write(f"enqueued pulls: {', '.join(codes)}")
                self.stdout.flush()
            if opts["once"]:
                return
            time.sleep(opts["interval"])
