"""`dieuhanh units import --province CODE | --file PATH` and `dieuhanh units list [--parent CODE] [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.readers import read_geojson, read_units_file, units_from_national_list
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.orgunits.services import orgunit_geometry_import, orgunit_import


class Command(DieuhanhCommand):
    help = "Import and list administrative units and agencies."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import units: the national list of a province, or a file")
        src = imp.add_mutually_exclusive_group(required=True)
        src.add_argument("--province", help="GSO code of a province (national list of 1 July 2025)")
        src.add_argument(
            "--file", type=Path, help="CSV/XLSX: units list, statistics office layout, or lineage"
        )
        imp.add_argument("--json", action="store_true", help="print one JSON object")
        geo = sub.add_parser(
            "geometry", help="attach boundaries from a GeoJSON file (matched by code, else name)"
        )
        geo.add_argument("path", type=Path)
        geo.add_argument(
            "--attribution", default="", help="text shown under maps drawn from these boundaries"
        )
        geo.add_argument("--json", action="store_true")
        ls = sub.add_parser("list", help="list units")
        ls.add_argument("--parent", help="only the units directly under this code")
        ls.add_argument("--all", action="store_true", help="include former units (ended validity)")
        ls.add_argument("--json", action="store_true", help="print one JSON list")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "import":
            self._import(opts)
        elif opts["action"] == "geometry":
            self._geometry(opts)
        else:
            self._list(opts)

    def _import(self, opts: dict[str, Any]) -> None:
        actor = Actor.system("cli")
        if opts["province"]:
            units = units_from_national_list(opts["province"])
            result = orgunit_import(actor=actor, units=units, source="vietnam-provinces 2025.10.1")
            what = f"province {opts['province']}"
        else:
            path: Path = opts["file"]
            units, lineage = read_units_file(path)
            result = orgunit_import(
                actor=actor, units=units, lineage=lineage, source=path.name, file=path.name
            )
            what = path.name
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{what}: {result.created} đơn vị mới / new, {result.updated} cập nhật / updated, "
            f"{result.unchanged} không đổi / unchanged"
            + (
                f"; kế thừa / lineage: {result.lineage_created} mới / new, {result.lineage_updated} cập nhật / "
                f"updated, {result.lineage_unchanged} không đổi / unchanged"
                if result.lineage_created or result.lineage_updated or result.lineage_unchanged
                else ""
            )
        )

    def _geometry(self, opts: dict[str, Any]) -> None:
        path: Path = opts["path"]
        result = orgunit_geometry_import(
            actor=Actor.system("cli"),
            features=read_geojson(path),
            source=path.name,
            attribution=opts["attribution"],
        )
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{path.name}: {result.matched} đơn vị có ranh giới / units with boundaries "
            f"({result.created} mới/new, {result.updated} cập nhật/updated)"
        )
        for file_code, code, name in result.by_name:
            self.stdout.write(f"  ! {name}: mã {file_code} trong tệp, {code} trong danh mục — ghép theo tên / "
                              f"code {file_code} in the file, {code} in the list — matched by name")  # fmt: skip
        for file_code, name in result.unmatched:
            self.stderr.write(f"  ✗ {name} ({file_code}): không tìm thấy đơn vị / no such unit")

    def _list(self, opts: dict[str, Any]) -> None:
        qs = OrgUnit.objects.select_related("parent").order_by("kind", "code")
        if opts["parent"]:
            parent = orgunit_get(code=opts["parent"])
            qs = qs.filter(parent=parent)
        if not opts["all"]:
            qs = qs.current()
        units = list(qs)
        if opts["json"]:
            self.emit_json(
                [
                    {
                        "code": u.code,
                        "name": u.name,
                        "kind": u.kind,
                        "parent": u.parent.code if u.parent else None,
                        "valid_from": u.valid_from,
                        "valid_to": u.valid_to,
                    }
                    for u in units
                ]
            )
            return
        if not units:
            raise UserError(
                "unit.none",
                "Chưa có đơn vị nào: chạy `dieuhanh units import --province 68` trước.",
                "No units yet: run `dieuhanh units import --province 68` first.",
            )
        for u in units:
            self.stdout.write(f"{u.code:<10} {u.kind:<13} {u.name}")
