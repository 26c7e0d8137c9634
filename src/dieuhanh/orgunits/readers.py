"""Turning the national list and units files into `UnitSpec` / `LineageSpec` rows.

Three file layouts are recognised from their headers (Vietnamese or English):
- a units list: Mã, Tên, Cấp, Mã cấp trên, Hiệu lực từ, Hiệu lực đến, Tên tiếng Anh;
- the statistics office's export (danhmuchanhchinh.gso.gov.vn): Mã TP, Tỉnh / Thành Phố,
  [Mã QH, Quận Huyện,] Mã PX, Phường Xã, Cấp — one row per commune, its province (and district)
  repeated on every row;
- a lineage file: Mã cũ, Mã mới, Tỷ lệ, Ngày hiệu lực, Ghi chú.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dieuhanh.core.errors import ProblemList, UserError
from dieuhanh.core.tabular import Row, TableFile, fold
from dieuhanh.orgunits.models import Kind
from dieuhanh.orgunits.services import REFORM_2025, LineageSpec, UnitSpec

ALIASES = {
    # units list
    "mã": "code", "mã đơn vị": "code", "ma dvhc": "code", "code": "code",
    "tên": "name", "tên đơn vị": "name", "name": "name",
    "tên tiếng anh": "name_en", "name en": "name_en", "english name": "name_en",
    "cấp": "kind", "loại": "kind", "loại đơn vị": "kind", "kind": "kind",
    "mã cấp trên": "parent", "mã đơn vị cấp trên": "parent", "mã đơn vị cha": "parent", "parent": "parent",
    "parent code": "parent",
    "hiệu lực từ": "valid_from", "ngày hiệu lực": "valid_from", "valid from": "valid_from",
    "hiệu lực đến": "valid_to", "ngày hết hiệu lực": "valid_to", "valid to": "valid_to",
    # statistics office layout
    "mã tp": "gso_province_code", "tỉnh thành phố": "gso_province_name", "tỉnh / thành phố": "gso_province_name",
    "tỉnh/thành phố": "gso_province_name",
    "mã qh": "gso_district_code", "quận huyện": "gso_district_name", "quận / huyện": "gso_district_name",
    "mã px": "gso_commune_code", "phường xã": "gso_commune_name", "phường / xã": "gso_commune_name",
    "xã / phường": "gso_commune_name",
    # lineage
    "mã cũ": "predecessor", "mã đơn vị cũ": "predecessor", "predecessor": "predecessor",
    "mã mới": "successor", "mã đơn vị mới": "successor", "successor": "successor",
    "tỷ lệ": "share", "tỉ lệ": "share", "share": "share",
    "ngày hiệu lực sắp xếp": "effective", "effective": "effective",
    "ghi chú": "note", "note": "note",
}  # fmt: skip

_KIND_WORDS = {
    "province": Kind.PROVINCE, "tinh": Kind.PROVINCE, "thanh pho trung uong": Kind.PROVINCE,
    "department": Kind.DEPARTMENT, "agency": Kind.DEPARTMENT, "so": Kind.DEPARTMENT, "ban": Kind.DEPARTMENT,
    "nganh": Kind.DEPARTMENT, "so, ban, nganh": Kind.DEPARTMENT, "co quan": Kind.DEPARTMENT,
    "district": Kind.DISTRICT, "huyen": Kind.DISTRICT, "quan": Kind.DISTRICT, "thi xa": Kind.DISTRICT,
    "thanh pho thuoc tinh": Kind.DISTRICT,
    "commune": Kind.COMMUNE, "xa": Kind.COMMUNE, "thi tran": Kind.COMMUNE,
    "ward": Kind.WARD, "phuong": Kind.WARD,
    "special zone": Kind.SPECIAL_ZONE, "special_zone": Kind.SPECIAL_ZONE, "dac khu": Kind.SPECIAL_ZONE,
}  # fmt: skip


def parse_kind(text: str, *, has_parent: bool) -> str | None:
    key = fold(text)
    if key == "thanh pho":  # a city is a province when it has no parent, else a district-level city
        return Kind.DISTRICT if has_parent else Kind.PROVINCE
    kind = _KIND_WORDS.get(key)
    return kind.value if kind else None


def parse_date(text: str) -> date:
    """ISO (2025-07-01) or Vietnamese day-first (01/07/2025, 1-7-2025) dates."""
    text = text.strip()
    if "T" in text:  # a spreadsheet date cell read as a datetime
        return datetime.fromisoformat(text).date()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    return date.fromisoformat(text)


def parse_share(text: str) -> Decimal:
    raw = text.strip().replace(" ", "")
    percent = raw.endswith("%")
    raw = raw.rstrip("%").replace(",", ".")
    value = Decimal(raw)
    return value / 100 if percent or value > 1 else value


def units_from_national_list(province_code: str) -> list[UnitSpec]:
    """The province and its communes from the `vietnam-provinces` package (list of 1 July 2025)."""
    from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

    try:
        pcode = ProvinceCode(int(province_code))
    except ValueError as exc:
        raise UserError(
            "unit.unknown_province",
            f"Không có tỉnh/thành phố mã {province_code} trong danh mục 01/7/2025 (34 tỉnh, thành phố).",
            f"No province with code {province_code} in the list of 1 July 2025 (34 provinces and cities).",
        ) from exc
    province = Province.from_code(pcode)
    pc = f"{int(pcode):02d}"
    kinds = {
        VietNamDivisionType.XA: Kind.COMMUNE,
        VietNamDivisionType.PHUONG: Kind.WARD,
        VietNamDivisionType.DAC_KHU: Kind.SPECIAL_ZONE,
    }
    out = [UnitSpec(code=pc, name=_province_title(province), kind=Kind.PROVINCE, valid_from=None)]
    for ward in Ward.iter_by_province(pcode):
        out.append(
            UnitSpec(
                code=f"{int(ward.code):05d}",
                name=ward.name,
                kind=kinds.get(ward.division_type, Kind.COMMUNE),
                parent_code=pc,
                valid_from=REFORM_2025,
            )
        )
    return out


def _province_title(province: object) -> str:
    name = str(getattr(province, "name", ""))
    dtype = str(getattr(getattr(province, "division_type", None), "value", ""))
    prefix = "Thành phố" if "thành phố" in dtype else "Tỉnh"
    return f"{prefix} {name}"


def read_units_file(
    path: Path, *, default_valid_from: date | None = REFORM_2025
) -> tuple[list[UnitSpec], list[LineageSpec]]:
    """Read a units, statistics-office or lineage file. Raises `InputRejected` listing every bad row."""
    table = TableFile(path, ALIASES)
    cols = set(table.columns)
    problems = ProblemList(table.name)
    if {"predecessor", "successor"} <= cols:
        return [], _read_lineage(table, problems)
    if "gso_commune_code" in cols and "gso_province_code" in cols:
        return _read_gso(table, problems, default_valid_from), []
    missing = table.missing(["code", "name", "kind"])
    if missing:
        raise UserError(
            "file.bad_layout",
            f"Tệp {table.name} thiếu cột: {', '.join(missing)}. Cần các cột Mã, Tên, Cấp (và Mã cấp trên, "
            "Hiệu lực từ, Hiệu lực đến), hoặc bố cục của Tổng cục Thống kê (Mã TP, Mã PX, …), "
            "hoặc tệp kế thừa (Mã cũ, Mã mới, Tỷ lệ, Ngày hiệu lực).",
            f"{table.name} lacks the column(s) {', '.join(missing)}. Expected code, name, kind (and parent, "
            "valid_from, valid_to), or the statistics office layout (Mã TP, Mã PX, …), or a lineage file "
            "(predecessor, successor, share, effective).",
        )
    units: list[UnitSpec] = []
    for row in table:
        units_row = _unit_row(row, problems, default_valid_from)
        if units_row:
            units.append(units_row)
    problems.raise_if_any(source=table.name)
    return units, []


def _date_field(row: Row, name: str, problems: ProblemList) -> date | None:
    raw = row.get(name)
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        problems.add(
            "value.bad_date",
            f"Ngày không hợp lệ: {raw!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).",
            f"Invalid date {raw!r} (use dd/mm/yyyy or yyyy-mm-dd).",
            row=row.number,
            field=name,
        )
        return None


def _required(row: Row, name: str, problems: ProblemList) -> str:
    value = row.get(name)
    if not value:
        problems.add("value.required", "Thiếu giá trị bắt buộc.", "A required value is missing.",
                     row=row.number, field=name)  # fmt: skip
    return value


def _unit_row(row: Row, problems: ProblemList, default_valid_from: date | None) -> UnitSpec | None:
    before = len(problems.problems)
    code = _required(row, "code", problems)
    name = _required(row, "name", problems)
    parent = row.get("parent") or None
    kind_text = _required(row, "kind", problems)
    kind = parse_kind(kind_text, has_parent=parent is not None) if kind_text else None
    if kind_text and kind is None:
        problems.add(
            "unit.bad_kind",
            f"Cấp đơn vị không nhận ra: {kind_text!r} (Tỉnh, Sở/ngành, Huyện, Xã, Phường, Đặc khu).",
            f"Unknown unit kind {kind_text!r} (province, department, district, commune, ward, special zone).",
            row=row.number,
            field="kind",
        )
    valid_from = _date_field(row, "valid_from", problems)
    valid_to = _date_field(row, "valid_to", problems)
    if "valid_from" not in row.values and kind != Kind.PROVINCE:
        valid_from = default_valid_from
    if len(problems.problems) > before or kind is None:
        return None
    return UnitSpec(
        code=code, name=name, kind=kind, parent_code=parent, valid_from=valid_from, valid_to=valid_to,
        name_en=row.get("name_en"), row=row.number,
    )  # fmt: skip


def _read_gso(table: TableFile, problems: ProblemList, valid_from: date | None) -> list[UnitSpec]:
    units: dict[str, UnitSpec] = {}
    for row in table:
        pcode = _required(row, "gso_province_code", problems)
        ccode = _required(row, "gso_commune_code", problems)
        cname = _required(row, "gso_commune_name", problems)
        if not (pcode and ccode and cname):
            continue
        pcode, ccode = pcode.zfill(2), ccode.zfill(5)
        if pcode not in units:
            units[pcode] = UnitSpec(code=pcode, name=row.get("gso_province_name") or pcode,
                                    kind=Kind.PROVINCE, row=row.number)  # fmt: skip
        parent = pcode
        dcode = row.get("gso_district_code")
        if dcode:
            dcode = dcode.zfill(3)
            parent = dcode
            if dcode not in units:
                units[dcode] = UnitSpec(code=dcode, name=row.get("gso_district_name") or dcode,
                                        kind=Kind.DISTRICT, parent_code=pcode, valid_from=valid_from,
                                        row=row.number)  # fmt: skip
        level = row.get("kind") or cname.split(" ")[0]
        kind = parse_kind(level, has_parent=True) or parse_kind(cname.split(" ")[0], has_parent=True)
        if kind is None:
            problems.add("unit.bad_kind", f"Cấp đơn vị không nhận ra: {level!r}.", f"Unknown unit kind {level!r}.",
                         row=row.number, field="kind")  # fmt: skip
            continue
        if ccode in units:
            problems.add("unit.duplicate_code", f"Mã đơn vị {ccode} trùng với dòng {units[ccode].row}.",
                         f"Unit code {ccode} repeats row {units[ccode].row}.", row=row.number,
                         field="gso_commune_code")  # fmt: skip
            continue
        units[ccode] = UnitSpec(code=ccode, name=cname, kind=kind, parent_code=parent, valid_from=valid_from,
                                row=row.number)  # fmt: skip
    problems.raise_if_any(source=table.name)
    return list(units.values())


def _read_lineage(table: TableFile, problems: ProblemList) -> list[LineageSpec]:
    out: list[LineageSpec] = []
    for row in table:
        before = len(problems.problems)
        pred = _required(row, "predecessor", problems)
        succ = _required(row, "successor", problems)
        share = Decimal(1)
        if row.get("share"):
            try:
                share = parse_share(row.get("share"))
            except InvalidOperation:
                problems.add("value.bad_number", f"Tỷ lệ không hợp lệ: {row.get('share')!r}.",
                             f"Invalid share {row.get('share')!r}.", row=row.number, field="share")  # fmt: skip
        # "Ngày hiệu lực" reads as valid_from in a units list; in a lineage file it is the effective date.
        eff_col = "effective" if row.get("effective") else "valid_from"
        effective = _date_field(row, eff_col, problems) or REFORM_2025
        if len(problems.problems) > before:
            continue
        out.append(LineageSpec(pred, succ, share, effective, row.get("note"), row=row.number))
    problems.raise_if_any(source=table.name)
    return out


def read_geojson(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (WGS 84 lon/lat)."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("file.unreadable", f"Không đọc được tệp GeoJSON {path}: {exc}",
                        f"Cannot read the GeoJSON file {path}: {exc}") from exc  # fmt: skip
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise UserError("geo.bad_layout", f"{Path(path).name}: cần một FeatureCollection.",
                        f"{Path(path).name}: expected a FeatureCollection.")  # fmt: skip
    return [f for f in features if isinstance(f, dict)]
