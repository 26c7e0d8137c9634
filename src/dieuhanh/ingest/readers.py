"""Records from files (CSV, XLSX) and JSON payloads, as (row number, {header: value}) pairs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dieuhanh.core.errors import UserError
from dieuhanh.core.tabular import TableFile


def file_records(path: Path) -> tuple[Iterator[tuple[int, dict[str, str]]], int | None]:
    """The rows of a CSV/XLSX with their original headers, and (for CSV) a row-count estimate."""
    table = TableFile(path, {})
    original = dict(zip(table.columns, table.raw_headers, strict=False))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for row in table:
            yield row.number, {original.get(k, k): v for k, v in row.values.items()}

    estimate = None
    if path.suffix.lower() == ".csv":
        with path.open("rb") as fh:
            estimate = max(sum(1 for _ in fh) - 1, 0)
    return rows(), estimate


def json_records(payload: Any, *, name: str = "payload") -> Iterator[tuple[int, Mapping[str, Any]]]:
    """A JSON list of objects, or {"records": [...]}. Row numbers count from 1."""
    records = payload.get("records") if isinstance(payload, dict) else payload
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UserError(
            "ingest.bad_payload",
            f'{name}: cần một danh sách bản ghi JSON, hoặc {{"records": [...]}}.',
            f'{name}: expected a JSON list of records, or {{"records": [...]}}.',
        )
    yield from enumerate(records, start=1)


def json_file_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("file.unreadable", f"Không đọc được {path.name}: {exc}",
                        f"Cannot read {path.name}: {exc}") from exc  # fmt: skip
    return json_records(payload, name=path.name)
