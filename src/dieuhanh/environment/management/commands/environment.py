"""`dieuhanh environment replay [--hours N] [--speed H] [--from ISO]` and `dieuhanh environment silent`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils import timezone

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.environment.services import stations_silent_check


class Command(DieuhanhCommand):
    help = "Environment sector: replay demo observations live through the MQTT broker; check silent stations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rp = sub.add_parser("replay", help="publish demo observations to the broker, hour by hour")
        rp.add_argument("--url", default=settings.MQTT_URL, help="mqtt://[user:password@]host:port")
        rp.add_argument(
            "--hours", type=int, default=24, help="hours to replay (≤ 24: older is refused as out of order)"
        )
        rp.add_argument("--speed", type=float, default=1.0, help="hours of data per second (0: no pause)")
        rp.add_argument(
            "--from",
            dest="start",
            help="first hour of the demo series to replay (ISO 8601); "
            "default: the demo's pollution episode − 6 h",
        )
        rp.add_argument(
            "--at",
            help="time stamp of the first replayed hour (ISO 8601); "
            "default: so that the last replayed hour is the current hour",
        )
        sub.add_parser("silent", help="raise 'source silent' alerts now (the scheduler does it every tick)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "silent":
            codes = stations_silent_check()
            self.stdout.write(f"source silent: {', '.join(codes) or '—'}")
            return
        from dieuhanh.environment.demo import replay
        from dieuhanh.ingest.demo import EPISODE

        try:
            start = datetime.fromisoformat(opts["start"]) if opts["start"] else EPISODE - timedelta(hours=6)
        except ValueError as exc:
            raise UserError("replay.bad_start", f"Thời điểm không hợp lệ: {opts['start']!r}.",
                            f"Invalid start {opts['start']!r}.") from exc  # fmt: skip
        now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        try:
            at = (
                datetime.fromisoformat(opts["at"]) if opts["at"] else now - timedelta(hours=opts["hours"] - 1)
            )
        except ValueError as exc:
            raise UserError("replay.bad_at", f"Thời điểm không hợp lệ: {opts['at']!r}.",
                            f"Invalid time {opts['at']!r}.") from exc  # fmt: skip
        if start.tzinfo is None or at.tzinfo is None:
            raise UserError(
                "replay.naive_start", "Cần múi giờ, ví dụ +07:00.", "Give a time zone, e.g. +07:00."
            )

        def report(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        n = replay(
            url=opts["url"], hours=opts["hours"], speed=opts["speed"], start=start, at=at, report=report
        )
        self.stdout.write(f"published {n} messages")
