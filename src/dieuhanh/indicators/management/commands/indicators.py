"""`dieuhanh indicators list [--json]` and `dieuhanh indicators check [PATH …]` (validate packs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import Problem, UserError
from dieuhanh.indicators.engine import load_catalog
from dieuhanh.indicators.services import indicator_catalog, pack_dirs


class Command(DieuhanhCommand):
    help = "Danh sách và kiểm tra định nghĩa chỉ số / list and check indicator definitions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the loaded indicators")
        listing.add_argument("--json", action="store_true")
        check = sub.add_parser("check", help="load packs and report every refused definition (exit 2 if any)")
        check.add_argument(
            "paths", nargs="*", type=Path, help="pack directories or YAML files (default: all)"
        )
        check.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "list":
            catalog = indicator_catalog()
            items = [{"code": d.code, "pack": d.pack, "kind": d.kind, "unit": d.unit, "name": d.name.vi,
                      "name_en": d.name.en, "regimes": list(d.regimes)} for d in catalog]  # fmt: skip
            if opts["json"]:
                self.emit_json(items)
                return
            for i in items:
                self.stdout.write(f"{i['code']:<42} {i['unit']:<8} {i['name']}")
            return
        catalog = load_catalog(opts["paths"] or pack_dirs())
        problems = [str(p) for p in catalog.problems]
        if opts["json"] and not problems:
            self.emit_json({"loaded": len(catalog), "problems": []})
            return
        if problems:
            raise UserError(
                "definition.refused",
                f"{len(problems)} định nghĩa bị từ chối (đã nạp {len(catalog)}).",
                f"{len(problems)} definition(s) refused ({len(catalog)} loaded).",
                problems=[
                    Problem(p.code, p.message_vi, p.message_en, file=p.where()) for p in catalog.problems
                ],
            )
        self.stdout.write(f"{len(catalog)} chỉ số hợp lệ / valid indicators.")
