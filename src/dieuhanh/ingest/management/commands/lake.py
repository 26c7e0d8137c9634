"""`dieuhanh lake history [TABLE] [--limit N] [--json]`: the versions of the fact tables and the batches
that produced them — what the lake held when ("what did we know on 1 March?"; read a figure as it
stood then with `dieuhanh value … --as-of 2026-03-01`)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.ingest.selectors import lake_history
from dieuhanh.lake import TABLES

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


class Command(DieuhanhCommand):
    help = "Lịch sử phiên bản của kho dữ liệu / the fact lake's version history."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        hist = sub.add_parser("history", help="versions of a table (or of every table), newest first")
        hist.add_argument("table", nargs="?", help=f"one of {', '.join(TABLES)} (default: all)")
        hist.add_argument("--limit", type=int, default=None, help="only the N latest versions of each table")
        hist.add_argument("--json", action="store_true", help="print one JSON list")

    def handle(self, *args: Any, **opts: Any) -> None:
        tables = [opts["table"]] if opts["table"] else list(TABLES)
        versions = [v for t in tables for v in lake_history(table=t, limit=opts["limit"])]
        if opts["json"]:
            self.emit_json([v.as_dict() for v in versions])
            return
        current = None
        for v in versions:
            if v.table != current:
                current = v.table
                self.stdout.write(f"{v.table}:")
            counts = "" if v.inserted is None else f"+{v.inserted} mới/new ~{v.updated or 0} sửa/updated"
            b = v.batch
            who = (
                f"lô/batch {b.pk} · {b.source.code} · {b.channel}{' · ' + b.file_name if b.file_name else ''}"
                f" · {b.actor_label}"
                if b is not None
                else (f"lô/batch {v.batch_id}" if v.batch_id else "")
            )
            when = v.timestamp.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M:%S")
            self.stdout.write(f"  v{v.version:<5} {when}  {v.operation:<8} {counts:<28} {who}")
        if not versions:
            self.stdout.write("Chưa có dữ liệu / nothing stored yet")
