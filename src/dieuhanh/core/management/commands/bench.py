"""`dieuhanh bench NAME [--json]`: measure a path against a baseline run in the same go.

Each benchmark lives in its app as a module with ``add_arguments(parser)``, ``run(opts) -> dict``
and ``render(result) -> str``; it is imported by name, so the core still imports no app.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand

BENCHES = {
    "ingest": "dieuhanh.ingest.bench",  # files and MQTT into the lake (issue 3)
    "engine": "dieuhanh.indicators.bench",  # indicator engine vs hand-written DuckDB and pandas (issue 4)
    "web": "dieuhanh.dashboards.bench",  # IOC pages under 20 clients vs /healthz (issue 5)
    "aqi": "dieuhanh.environment.bench",  # broker → stored VN_AQI vs one NumPy pass; publish → panel (issue 7)
}


class Command(DieuhanhCommand):
    help = "Run a benchmark and print seconds, rows per second and ratios to its baseline."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="name", required=True)
        for name, module in BENCHES.items():
            bench = sub.add_parser(name, help=(import_module(module).__doc__ or "").split("\n")[0])
            bench.add_argument("--json", action="store_true", help="print one JSON object")
            import_module(module).add_arguments(bench)

    def handle(self, *args: Any, **opts: Any) -> None:
        module = import_module(BENCHES[opts["name"]])
        result = module.run(opts)
        if opts["json"]:
            self.emit_json(result)
        else:
            self.stdout.write(module.render(result))
