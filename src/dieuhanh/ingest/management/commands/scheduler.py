"""`dieuhanh scheduler`: enqueue what is due; `dieuhanh db_worker` processes run it.

Every tick (--interval seconds): the pull connectors that are due, and the environment
stations' "source silent" check (run in the scheduler itself: a few queries). Once a day from
DIEUHANH_DAILY_AT (local time, default 07:00): the steering job (new recurring periods, the
e-mail digest of tasks due soon and overdue), the reporting job (report reminders, completeness)
and the registry's figures for the current periods, each idempotent. Run one
scheduler and any number of workers.
"""

from __future__ import annotations

import os
import time as clock
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.ingest.pull import pulls_enqueue

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def daily_due(now: datetime, last_day: date | None, at: time) -> bool:
    local = now.astimezone(LOCAL)
    return local.time() >= at and last_day != local.date()


class Command(DieuhanhCommand):
    help = "Enqueue scheduled work (pulls, the daily steering digest, report reminders); --once for one tick."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from dieuhanh.environment.services import stations_silent_check
        from dieuhanh.registry.services import registry_figures_schedule
        from dieuhanh.reporting.tasks import reporting_daily_task
        from dieuhanh.steering.tasks import steering_daily_task

        at = time.fromisoformat(os.environ.get("DIEUHANH_DAILY_AT", "07:00"))
        last_day: date | None = None
        while True:
            codes = pulls_enqueue()
            if codes:
                self.stdout.write(f"enqueued pulls: {', '.join(codes)}")
            silent = stations_silent_check()
            if silent:
                self.stdout.write(f"source silent: {', '.join(silent)}")
            now = datetime.now(LOCAL)
            if daily_due(now, last_day, at):
                steering_daily_task.enqueue(now.date().isoformat())
                reporting_daily_task.enqueue(now.date().isoformat())
                registry_figures_schedule()  # a new month, quarter or year gets the registry's figures
                last_day = now.date()
                self.stdout.write(f"enqueued the daily steering and reporting jobs for {now.date():%d/%m/%Y}")
            self.stdout.flush()
            if opts["once"]:
                return
            clock.sleep(opts["interval"])
