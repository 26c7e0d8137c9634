"""Writes to the unit hierarchy: imports (national list, files) and the closure table.

An import is validated whole before anything is written, then applied in one transaction that
also writes its audit rows; running the same import twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from dieuhanh.audit.services import Actor, audit_record, snapshot
from dieuhanh.core.errors import InputRejected, Problem
from dieuhanh.orgunits.models import Kind, OrgUnit, OrgUnitClosure, OrgUnitLineage

# The national list of 1 July 2025 (Resolution 202/2025/QH15 and the NA Standing Committee's
# resolutions on commune-level arrangement) takes effect on this day.
REFORM_2025 = date(2025, 7, 1)

_UNIT_FIELDS = ["code", "name", "name_en", "kind", "parent", "valid_from", "valid_to", "source"]


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    name_en: str = ""
    row: int | None = None  # where it came from, for error messages


@dataclass(frozen=True)
class LineageSpec:
    predecessor: str
    successor: str
    share: Decimal
    effective: date
    note: str = ""
    row: int | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lineage_created: int = 0
    lineage_updated: int = 0
    lineage_unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "lineage_created": self.lineage_created,
            "lineage_updated": self.lineage_updated,
            "lineage_unchanged": self.lineage_unchanged,
        }


def _validate(units: list[UnitSpec], lineage: list[LineageSpec], file: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(code: str, vi: str, en: str, row: int | None, fld: str) -> None:
        problems.append(Problem(code, vi, en, file=file, row=row, field=fld))

    seen: dict[str, UnitSpec] = {}
    for u in units:
        if u.code in seen:
            first = seen[u.code].row
            add(
                "unit.duplicate_code",
                f"Mã đơn vị {u.code} trùng với dòng {first}.",
                f"Unit code {u.code} repeats row {first}.",
                u.row,
                "code",
            )
            continue
        seen[u.code] = u
        if u.kind not in Kind.values:
            add(
                "unit.bad_kind",
                f"Cấp đơn vị không hợp lệ: {u.kind!r}.",
                f"Unknown unit kind {u.kind!r}.",
                u.row,
                "kind",
            )
        if u.valid_from and u.valid_to and u.valid_to <= u.valid_from:
            add(
                "unit.bad_validity",
                f"Ngày hết hiệu lực {u.valid_to:%d/%m/%Y} phải sau ngày bắt đầu {u.valid_from:%d/%m/%Y}.",
                f"valid_to {u.valid_to} must be after valid_from {u.valid_from}.",
                u.row,
                "valid_to",
            )

    existing_parent = dict(OrgUnit.objects.values_list("code", "parent__code"))
    parent_of: dict[str, str | None] = dict(existing_parent)
    for u in seen.values():
        parent_of[u.code] = u.parent_code
    for u in seen.values():
        if u.parent_code is None:
            continue
        if u.parent_code not in parent_of:
            add(
                "unit.unknown_parent",
                f"Đơn vị cấp trên {u.parent_code} không có trong tệp và chưa có trong hệ thống.",
                f"Parent unit {u.parent_code} is neither in the file nor already known.",
                u.row,
                "parent",
            )
            continue
        # Walk up from this unit: meeting it again is a cycle.
        walk: set[str] = {u.code}
        node: str | None = u.parent_code
        steps = 0
        while node is not None and steps < 10_000:
            if node in walk:
                add(
                    "unit.cycle",
                    f"Quan hệ cấp trên tạo vòng lặp: {u.code} nằm dưới chính nó.",
                    f"Parent links form a cycle: {u.code} would be its own ancestor.",
                    u.row,
                    "parent",
                )
                break
            walk.add(node)
            node = parent_of.get(node)
            steps += 1

    known = set(parent_of)
    shares: dict[str, Decimal] = {}
    pairs: set[tuple[str, str]] = set()
    for ln in lineage:
        for fld, code in (("predecessor", ln.predecessor), ("successor", ln.successor)):
            if code not in known:
                add(
                    "lineage.unknown_unit",
                    f"Mã đơn vị {code} chưa có trong hệ thống.",
                    f"Unit code {code} is unknown.",
                    ln.row,
                    fld,
                )
        if ln.predecessor == ln.successor:
            add(
                "lineage.self",
                "Đơn vị cũ và đơn vị mới trùng nhau.",
                "Predecessor and successor are the same unit.",
                ln.row,
                "successor",
            )
        if not (Decimal(0) < ln.share <= Decimal(1)):
            add(
                "lineage.bad_share",
                f"Tỷ lệ {ln.share} phải lớn hơn 0 và không quá 1 (100%).",
                f"Share {ln.share} must be above 0 and at most 1 (100%).",
                ln.row,
                "share",
            )
        if (ln.predecessor, ln.successor) in pairs:
            add(
                "lineage.duplicate",
                f"Cặp {ln.predecessor} → {ln.successor} lặp lại.",
                f"The pair {ln.predecessor} → {ln.successor} repeats.",
                ln.row,
                "successor",
            )
        pairs.add((ln.predecessor, ln.successor))
        shares[ln.predecessor] = shares.get(ln.predecessor, Decimal(0)) + ln.share
    for pred, total in shares.items():
        if total > Decimal(1):
            row = next(ln.row for ln in lineage if ln.predecessor == pred)
            add(
                "lineage.shares_exceed",
                f"Tổng tỷ lệ chia của đơn vị {pred} là {total}, vượt quá 1 (100%).",
                f"The shares of {pred} add up to {total}, more than 1 (100%).",
                row,
                "share",
            )
    return problems


def _topological(units: Iterable[UnitSpec]) -> list[UnitSpec]:
    """Parents before children (validated input has no cycle)."""
    by_code = {u.code: u for u in units}
    ordered: list[UnitSpec] = []
    done: set[str] = set()

    def visit(u: UnitSpec) -> None:
        if u.code in done:
            return
        if u.parent_code in by_code:
            visit(by_code[u.parent_code])
        done.add(u.code)
        ordered.append(u)

    for u in by_code.values():
        visit(u)
    return ordered


def orgunit_closure_rebuild() -> int:
    """Recompute the closure table from the parent links. Returns the number of pairs."""
    parent_of: dict[int, int | None] = dict(OrgUnit.objects.values_list("id", "parent_id"))
    rows: list[OrgUnitClosure] = []
    for uid in parent_of:
        node: int | None = uid
        depth = 0
        while node is not None:
            rows.append(OrgUnitClosure(ancestor_id=node, descendant_id=uid, depth=depth))
            node = parent_of[node]
            depth += 1
    OrgUnitClosure.objects.all().delete()
    OrgUnitClosure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def orgunit_import(
    *,
    actor: Actor,
    units: list[UnitSpec],
    lineage: list[LineageSpec] = (),  # type: ignore[assignment]
    source: str,
    file: str = "",
) -> ImportResult:
    """Create or update units and lineage links; all or nothing, audited, idempotent."""
    lineage = list(lineage)
    problems = _validate(units, lineage, file)
    if problems:
        raise InputRejected.from_problems(problems, source=file or source)

    result = ImportResult()
    with transaction.atomic():
        by_code = {u.code: u for u in OrgUnit.objects.select_related("parent")}
        for spec in _topological(units):
            parent = by_code[spec.parent_code] if spec.parent_code else None
            values: dict[str, Any] = {
                "name": spec.name,
                "name_en": spec.name_en,
                "kind": spec.kind,
                "parent": parent,
                "valid_from": spec.valid_from,
                "valid_to": spec.valid_to,
                "source": source,
            }
            unit = by_code.get(spec.code)
            if unit is None:
                unit = OrgUnit.objects.create(code=spec.code, **values)
                by_code[spec.code] = unit
                audit_record(
                    actor=actor,
                    action="orgunit.create",
                    obj=unit,
                    unit=unit,
                    after=snapshot(unit, _UNIT_FIELDS),
                )
                result.created += 1
            else:
                before = snapshot(unit, _UNIT_FIELDS)
                for k, v in values.items():
                    setattr(unit, k, v)
                after = snapshot(unit, _UNIT_FIELDS)
                if {k: v for k, v in before.items() if k != "source"} == {
                    k: v for k, v in after.items() if k != "source"
                }:
                    result.unchanged += 1
                    continue
                unit.save()
                audit_record(
                    actor=actor, action="orgunit.update", obj=unit, unit=unit, before=before, after=after
                )
                result.updated += 1
            result.codes.append(spec.code)

        for ln in lineage:
            pred, succ = by_code[ln.predecessor], by_code[ln.successor]
            link = OrgUnitLineage.objects.filter(predecessor=pred, successor=succ).first()
            values_l: dict[str, Any] = {"share": ln.share, "effective": ln.effective, "note": ln.note}
            if link is None:
                link = OrgUnitLineage.objects.create(predecessor=pred, successor=succ, **values_l)
                audit_record(
                    actor=actor,
                    action="orgunit.lineage_create",
                    obj=link,
                    unit=succ,
                    after=snapshot(link),
                )
                result.lineage_created += 1
                continue
            before = snapshot(link)
            if link.share == ln.share and link.effective == ln.effective and link.note == ln.note:
                result.lineage_unchanged += 1
                continue
            for k, v in values_l.items():
                setattr(link, k, v)
            link.save()
            audit_record(
                actor=actor,
                action="orgunit.lineage_update",
                obj=link,
                unit=succ,
                before=before,
                after=snapshot(link),
            )
            result.lineage_updated += 1

        if result.created or result.updated:
            orgunit_closure_rebuild()
    return result


@dataclass
class GeometryResult:
    matched: int = 0
    by_name: list[tuple[str, str, str]] = field(default_factory=list)  # (file code, unit code, name)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file code, name)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "matched_by_name": [{"file_code": f, "unit": c, "name": n} for f, c, n in self.by_name],
            "unmatched": [{"file_code": f, "name": n} for f, n in self.unmatched],
        }


def orgunit_geometry_import(
    *, actor: Actor, features: list[dict[str, Any]], source: str, attribution: str = ""
) -> GeometryResult:
    """Attach GeoJSON geometries to current units: by code, else by name (accents and case folded).

    A code that disagrees with the national list but whose name matches one unit is attached and
    reported (e.g. Xã Hàm Liêm: 23095 in the boundaries, 23098 in the list); nothing is dropped
    silently.
    """
    from dieuhanh.core.tabular import fold
    from dieuhanh.orgunits.models import OrgUnitGeometry

    current = list(OrgUnit.objects.filter(valid_to__isnull=True))
    by_code = {u.code: u for u in current}
    by_name: dict[str, list[OrgUnit]] = {}
    for u in current:
        by_name.setdefault(fold(u.name), []).append(u)
    result = GeometryResult()
    with transaction.atomic():
        for feature in features:
            props = feature.get("properties") or {}
            code = str(props.get("code") or feature.get("id") or "")
            name = str(props.get("fullName") or props.get("name") or "")
            unit = by_code.get(code) or by_code.get(code.zfill(5))
            if unit is None:
                candidates = by_name.get(fold(name), [])
                if len(candidates) == 1:
                    unit = candidates[0]
                    result.by_name.append((code, unit.code, name))
                else:
                    result.unmatched.append((code, name))
                    continue
            geometry = feature.get("geometry")
            existing = OrgUnitGeometry.objects.filter(unit=unit).first()
            if existing is None:
                OrgUnitGeometry.objects.create(
                    unit=unit, geojson=geometry, source=source, attribution=attribution
                )
                result.created += 1
            elif existing.geojson != geometry or existing.attribution != attribution:
                existing.geojson, existing.source, existing.attribution = geometry, source, attribution
                existing.save()
                result.updated += 1
            else:
                result.unchanged += 1
            result.matched += 1
        if result.created or result.updated:
            audit_record(actor=actor, action="orgunit.geometry_import", object_type="orgunits.orgunitgeometry",
                         object_repr=source[:300], after=result.as_dict())  # fmt: skip
    return result
