"""Packs of YAML definitions → a :class:`~.model.Catalog`, refusing bad definitions with file, line
and reason, and keeping the previously loaded version of a refused definition working.

A pack is a directory (``src/dieuhanh/packs/<pack>/``) of ``*.yaml`` files, each a mapping::

    pack: public_services          # optional, defaults to the directory name
    defaults: {regimes: [month, quarter, year], unit: "%"}   # optional, merged into each indicator
    indicators:
      - code: dvc.online_share
        ...

See ``docs/indicators.md`` for every key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from .errors import DefinitionError, DefinitionProblem
from .fields import (
    LEVELS,
    _composite,
    _confidence,
    _data,
    _err,
    _legal,
    _line,
    _number,
    _record,
    _regimes,
    _targets,
    _text,
)
from .model import Catalog, Definition, Text
from .yamlio import LineDict, load_yaml

PACKS_DIR = Path(__file__).resolve().parents[2] / "packs"
_COMMON = {
    "code", "kind", "name", "description", "unit", "decimals", "direction", "legal_basis", "regimes",
    "targets", "rank", "null_reason", "confidence", "notes", "levels", "factor", "zero_denominator",
}  # fmt: skip
_KEYS = {
    "record": _COMMON | {"table", "period_by", "numerator", "denominator"},
    "data": _COMMON | {"numerator", "denominator", "aggregate", "rollup_from"},
    "composite": _COMMON | {"components", "max", "cap"},
}
_LABEL_KEYS = ("name", "description", "legal_basis", "notes", "null_reason", "confidence")


def parse_definition(node: Any, *, pack: str, file: str, defaults: Mapping[str, Any]) -> Definition:
    """One indicator mapping → a :class:`Definition` (raises :class:`DefinitionError`)."""
    if not isinstance(node, LineDict):
        raise _err("definition.not_mapping", "Mỗi chỉ số phải là một ánh xạ.", "Each indicator must be a mapping.",
                   _line(node))  # fmt: skip
    merged = LineDict()
    merged.line = node.line
    for k, v in defaults.items():
        merged[k] = v
        merged.lines[k] = node.line
    for k, v in node.items():
        merged[k] = v
        merged.lines[k] = node.line_of(k)
    code = merged.get("code")
    if not isinstance(code, str) or not code.strip() or any(ch.isspace() for ch in code):
        raise _err("definition.code", "Thiếu mã chỉ số (code) hoặc mã có khoảng trắng.",
                   "Missing indicator code, or a code with spaces.", node.line)  # fmt: skip
    kind = merged.get("kind", "record")
    if kind not in _KEYS:
        raise _err("definition.kind", f"Loại chỉ số không hợp lệ: {kind!r} (record, data, composite).",
                   f"Unknown kind {kind!r} (record, data, composite).", merged.line_of("kind"))  # fmt: skip
    for key in merged:
        if key not in _KEYS[kind] and key not in defaults:
            raise _err("definition.unknown_key", f"Khoá lạ {key!r} cho chỉ số loại {kind}.",
                       f"Unknown key {key!r} for a {kind} indicator.", merged.line_of(key))  # fmt: skip
    record = _record(merged) if kind == "record" else None
    data = _data(merged) if kind == "data" else None
    composite = _composite(merged) if kind == "composite" else None
    direction = {"higher": "higher_is_better", "lower": "lower_is_better"}.get(
        merged.get("direction", "higher_is_better"), merged.get("direction", "higher_is_better")
    )
    if direction not in ("higher_is_better", "lower_is_better", "none"):
        raise _err("definition.direction", "direction: higher_is_better | lower_is_better | none.",
                   "direction must be higher_is_better, lower_is_better or none.",
                   merged.line_of("direction"))  # fmt: skip
    decimals = merged.get("decimals", 1)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise _err("definition.decimals", "decimals phải là số nguyên 0–6.", "decimals must be an integer 0–6.",
                   merged.line_of("decimals"))  # fmt: skip
    levels = merged.get("levels", [])
    if not isinstance(levels, list) or any(lv not in LEVELS for lv in levels):
        raise _err("definition.level", f"levels chỉ gồm: {', '.join(LEVELS)}.",
                   f"levels may only be: {', '.join(LEVELS)}.", merged.line_of("levels"))  # fmt: skip
    zero: Literal["null", "zero"] | None = {
        None: "null",
        "null": "null",
        0: "zero",
        "0": "zero",
        "zero": "zero",
    }.get(merged.get("zero_denominator", "null"))  # type: ignore[assignment]
    if zero is None:
        raise _err("definition.zero_denominator", "zero_denominator: null | 0.", "zero_denominator: null or 0.",
                   merged.line_of("zero_denominator"))  # fmt: skip
    factor = _number(merged.get("factor", 1), "factor", merged.line_of("factor"))
    unit = merged.get("unit")
    if not isinstance(unit, str) or not unit:
        raise _err(
            "definition.unit", "Thiếu đơn vị tính (unit).", "Missing unit of measure (unit).", merged.line
        )
    name = _text(None, "name", merged, required=True)
    assert name is not None
    description = _text(None, "description", merged, required=False) or Text("", "")
    labels = {k: merged[k] for k in _LABEL_KEYS if k in merged}
    return Definition(
        code=code, pack=pack, file=file, line=node.line, kind=kind, name=name, description=description,
        unit=unit, decimals=decimals, direction=direction, regimes=_regimes(merged, record.placement if record
        else None), legal_basis=_legal(merged), targets=_targets(merged), record=record, data=data,
        composite=composite, factor=factor, zero_denominator=zero, levels=tuple(levels),
        rank=bool(merged.get("rank", False)), null_reason=_text(None, "null_reason", merged, required=False),
        confidence=_confidence(merged.get("confidence", ""), merged.line_of("confidence")),
        notes=str(merged.get("notes", "")), labels=labels,
    )  # fmt: skip


def _file_definitions(path: Path, pack: str, rel: str) -> tuple[list[Definition], list[DefinitionProblem]]:
    try:
        doc = load_yaml(path)
    except DefinitionError as exc:
        return [], [exc.at(rel)]
    if not isinstance(doc, LineDict) or not isinstance(doc.get("indicators"), list):
        err = _err("definition.file", "Tệp cần khoá indicators: danh sách chỉ số.",
                   "The file needs an indicators: list.", getattr(doc, "line", 1))  # fmt: skip
        return [], [err.at(rel)]
    pack = str(doc.get("pack", pack))
    defaults = doc.get("defaults") or {}
    out: list[Definition] = []
    problems: list[DefinitionProblem] = []
    for node in doc["indicators"]:
        code = node.get("code", "") if isinstance(node, Mapping) else ""
        try:
            out.append(parse_definition(node, pack=pack, file=rel, defaults=defaults))
        except DefinitionError as exc:
            if exc.line is None:
                exc.line = _line(node)
            problems.append(exc.at(rel, str(code)))
    return out, problems


def pack_files(roots: Iterable[Path]) -> list[tuple[Path, str, str]]:
    """(path, pack name, path shown in messages) of every YAML file under the pack roots."""
    out = []
    for root in roots:
        root = Path(root)
        files = [root] if root.is_file() else sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")])
        for f in files:
            if f.parent.name == "forms" and f != root:
                continue  # report forms (dieuhanh.reporting), not indicators
            pack = f.parent.name
            try:
                shown = str(f.relative_to(PACKS_DIR.parent))
            except ValueError:
                shown = str(f)
            out.append((f, pack, shown))
    return out


def load_catalog(roots: Iterable[Path] | None = None, *, previous: Catalog | None = None) -> Catalog:
    """Load every pack under ``roots`` (default: the packs shipped with dieuhanh).

    A refused definition is left out, with a problem saying where and why; if ``previous`` had
    a definition with the same code, that one stays in use (a problem says so too).
    """
    defs: dict[str, Definition] = {}
    problems: list[DefinitionProblem] = []
    refused_codes: set[str] = set()
    refused_files: set[str] = set()
    for path, pack, shown in pack_files([PACKS_DIR] if roots is None else roots):
        found, file_problems = _file_definitions(path, pack, shown)
        problems += file_problems
        if any(p.indicator == "" for p in file_problems):
            refused_files.add(shown)
        refused_codes |= {p.indicator for p in file_problems if p.indicator}
        for d in found:
            if d.code in defs:
                first = defs[d.code]
                problems.append(
                    _err("definition.duplicate_code", f"Mã {d.code} đã được định nghĩa ở {first.file}:{first.line}.",
                         f"Code {d.code} is already defined at {first.file}:{first.line}.", d.line).at(d.file, d.code)
                )  # fmt: skip
                continue
            defs[d.code] = d
    problems += _check_references(defs)
    refused_codes |= {p.indicator for p in problems if p.indicator} - set(defs)
    if previous is not None:
        for old in previous.definitions.values():
            keep = old.code not in defs and (old.code in refused_codes or old.file in refused_files)
            if keep:
                defs[old.code] = old
                problems.append(
                    DefinitionProblem(old.file, old.line, "definition.kept_previous",
                                      "Giữ phiên bản đã nạp trước của chỉ số này.",
                                      "The previously loaded version of this indicator stays in use.", old.code)
                )  # fmt: skip
        problems += _check_references(defs)
    return Catalog(defs, tuple(problems))


def _check_references(defs: dict[str, Definition]) -> list[DefinitionProblem]:
    """Refuse (remove from ``defs``) composites using unknown codes, wrong uses, or cycles."""
    problems: list[DefinitionProblem] = []
    changed = True
    while changed:
        changed = False
        for d in list(defs.values()):
            for comp in d.composite.components if d.composite else ():
                dep = defs.get(comp.indicator)
                err = None
                if dep is None:
                    err = _err("definition.unknown_indicator", f"Thành phần dùng chỉ số không có: {comp.indicator}.",
                               f"A component uses an unknown indicator: {comp.indicator}.", d.line)  # fmt: skip
                elif comp.use == "ratio" and not dep.is_ratio:
                    err = _err("definition.component_use",
                               f"{comp.indicator} không phải tỷ lệ: dùng use: value.",
                               f"{comp.indicator} is not a ratio: use use: value.", d.line)  # fmt: skip
                if err is not None:
                    problems.append(err.at(d.file, d.code))
                    del defs[d.code]
                    changed = True
                    break
    for code in _cycles(defs):
        d = defs.pop(code)
        problems.append(
            _err("definition.circular", f"Chỉ số tổng hợp {code} phụ thuộc vòng tròn vào chính nó.",
                 f"Composite {code} depends on itself (circular).", d.line).at(d.file, code)
        )  # fmt: skip
    return problems


def _cycles(defs: Mapping[str, Definition]) -> list[str]:
    """Codes on a dependency cycle (or depending on one)."""
    state: dict[str, int] = {}
    bad: set[str] = set()

    def visit(code: str, stack: list[str]) -> bool:
        if state.get(code) == 1:
            bad.update(stack[stack.index(code) :])
            return True
        if state.get(code) == 2 or code not in defs:
            return code in bad
        state[code] = 1
        hit = False
        for dep in defs[code].depends_on:
            hit = visit(dep, [*stack, dep]) or hit
        state[code] = 2
        if hit:
            bad.add(code)
        return hit

    for code in sorted(defs):
        visit(code, [code])
    return sorted(bad)


def with_pack(definition: Definition, pack: str) -> Definition:
    return replace(definition, pack=pack)
