"""`dieuhanh systems import PATH [--json]`, `dieuhanh systems list [--unit CODE] [--unapproved] [--json]`
`dieuhanh systems export PATH [--unapproved] [--unit CODE]` and `dieuhanh systems figures [--json]`
(write the registry's figures into the lake now and recompute their indicators)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.registry.exports import export_inventory, export_unapproved
from dieuhanh.registry.readers import read_systems_file
from dieuhanh.registry.selectors import system_as_dict, systems_all, systems_filter
from dieuhanh.registry.services import registry_figures_publish, system_import


class Command(DieuhanhCommand):
    help = "Import, list and export the inventory of information systems and their security levels."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import an inventory (XLSX or CSV with Vietnamese headers)")
        imp.add_argument("path", type=Path)
        imp.add_argument("--json", action="store_true", help="print one JSON object")
        ls = sub.add_parser("list", help="list systems")
        ls.add_argument("--unit", help="only systems owned in this unit's subtree")
        ls.add_argument("--unapproved", action="store_true", help="only systems without an approved level")
        ls.add_argument("--json", action="store_true", help="print one JSON list")
        ex = sub.add_parser("export", help="write the inventory (or the unapproved list) to an XLSX file")
        ex.add_argument("path", type=Path)
        ex.add_argument("--unit", help="only systems owned in this unit's subtree")
        ex.add_argument("--unapproved", action="store_true", help="the systems lacking an approved level")
        fig = sub.add_parser("figures", help="write the registry's figures into the lake and recompute them")
        fig.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _import(self, opts: dict[str, Any]) -> None:
        name, rows, problems = read_systems_file(opts["path"])
        result = system_import(actor=Actor.system("cli"), rows=rows, file=name, problems=problems)
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{name}: {result.created} mới / new, {result.updated} cập nhật / updated, "
            f"{result.unchanged} không đổi / unchanged, {result.rejected} dòng bị từ chối / rows refused"
        )
        for p in result.problems:
            self.stdout.write(f"  - {p}")

    def _systems(self, opts: dict[str, Any]) -> Any:
        unit = orgunit_get(code=opts["unit"]) if opts.get("unit") else None
        return systems_filter(systems_all(), unit=unit, unapproved=opts["unapproved"])

    def _list(self, opts: dict[str, Any]) -> None:
        systems = [system_as_dict(s) for s in self._systems(opts)]
        if opts["json"]:
            self.emit_json(systems)
            return
        for s in systems:
            level = s["level"] or "—"
            decision = (
                f"{s['decision_number']} ({s['decision_date']})"
                if s["decision_number"]
                else s["approval_status"]
            )
            self.stdout.write(
                f"{s['code']:<16} {s['owner_unit']:<10} cấp độ/level {level:<2} {decision:<30} {s['name']}"
            )

    def _export(self, opts: dict[str, Any]) -> None:
        systems = list(self._systems(opts))
        data = export_unapproved(systems) if opts["unapproved"] else export_inventory(systems)
        path: Path = opts["path"]
        path.write_bytes(data)
        self.stdout.write(f"{path}: {len(systems)} hệ thống / systems")

    def _figures(self, opts: dict[str, Any]) -> None:
        result = registry_figures_publish(actor=Actor.system("cli"))
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        if not result.sent:
            self.stdout.write(f"Không có gì thay đổi / nothing changed ({', '.join(result.periods)})")
            return
        self.stdout.write(
            f"{result.sent} giá trị / values → data_values (lô / batch {result.batch}, phiên bản / version "
            f"{result.lake_version}); kỳ / periods {', '.join(result.periods)}; tính lại / recomputed: "
            f"{result.run_status or '—'}"
        )
