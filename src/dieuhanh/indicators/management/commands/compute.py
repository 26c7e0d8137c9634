"""`dieuhanh compute [--full] [--months YYYY-MM …] [--indicator CODE …] [--json]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.indicators.services import indicator_catalog, indicator_values_compute


class Command(DieuhanhCommand):
    help = (
        "Tính các chỉ số / compute indicator values: indicators whose definition changed in full, "
        "and with --months the periods overlapping those months; --full recomputes everything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="recompute every indicator and period")
        parser.add_argument("--months", nargs="*", default=[], help="local months YYYY-MM to recompute")
        parser.add_argument("--indicator", nargs="*", default=None, help="only these indicator codes")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        catalog = indicator_catalog()
        run = indicator_values_compute(full=opts["full"], months=opts["months"], codes=opts["indicator"],
                                       catalog=catalog)  # fmt: skip
        summary = {
            "run": run.pk, "mode": run.mode, "status": run.status, "seconds": round(run.seconds or 0, 3),
            "indicators": len(run.indicators), "written": run.written, "unchanged": run.unchanged,
            "deleted": run.deleted, "periods": {r: (k if k == "all" else len(k)) for r, k in run.periods.items()},
            "lake_versions": run.lake_versions, "unplaced_units": run.unplaced, "problems": run.problems,
        }  # fmt: skip
        if opts["json"]:
            self.emit_json(summary)
            return
        self.stdout.write(
            f"Đã tính {summary['indicators']} chỉ số / computed {summary['indicators']} indicators "
            f"({run.mode}, {summary['seconds']} s): {run.written} giá trị ghi / written, {run.unchanged} không đổi / "
            f"unchanged, {run.deleted} xoá / deleted."
        )
        for p in run.problems:
            self.stderr.write(f"  ! {p}")
        if run.unplaced:
            self.stderr.write(
                "  ! Đơn vị đã giải thể không có đơn vị kế thừa / ended units with no successor: "
                + ", ".join(run.unplaced)
            )
