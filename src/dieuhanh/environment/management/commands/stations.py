"""`dieuhanh stations import PATH [--json]` and `dieuhanh stations list [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.environment.models import Station
from dieuhanh.environment.services import station_import
from dieuhanh.environment.stations_file import read_stations_file


class Command(DieuhanhCommand):
    help = "Import (CSV/XLSX) and list the environment monitoring stations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="create or update stations from a CSV or XLSX file")
        imp.add_argument("path", type=Path)
        imp.add_argument("--json", action="store_true", help="print one JSON object")
        ls = sub.add_parser("list", help="list the stations")
        ls.add_argument("--json", action="store_true", help="print one JSON list")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "import":
            name, rows, problems = read_stations_file(opts["path"])
            result = station_import(actor=Actor.system("cli"), rows=rows, file=name, problems=problems)
            if opts["json"]:
                self.emit_json(result.as_dict())
                return
            self.stdout.write(f"{name}: {result.created} mới / new, {result.updated} cập nhật / updated, "
                              f"{result.unchanged} không đổi / unchanged, "
                              f"{result.rejected} dòng bị từ chối / rows refused")  # fmt: skip
            for p in result.problems:
                self.stdout.write(f"  - {p}")
            return
        stations = [
            {"code": s.code, "name": s.name, "unit": s.unit.code, "latitude": s.latitude, "longitude": s.longitude,
             "parameters": s.parameters, "interval_minutes": s.interval_minutes, "active": s.active,
             "last_seen_at": s.last_seen_at.isoformat() if s.last_seen_at else None, "latest_aqi": s.latest_aqi}
            for s in Station.objects.select_related("unit")
        ]  # fmt: skip
        if opts["json"]:
            self.emit_json(stations)
            return
        for s in stations:
            self.stdout.write(f"{s['code']:<10} {s['unit']:<8} {','.join(s['parameters']):<28} {s['name']}")
