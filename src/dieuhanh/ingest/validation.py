"""Turning rows of text (files, API payloads, MQTT messages) into typed lake rows, or reasons.

Every way in goes through `Validator.validate`: declared types, required fields, enumerations
(with the Vietnamese labels source systems export), units known and valid on the record's date
and inside the sender's scope, time order, values in range, and the personal-data guard.

Validation is columnar: it takes `TextRows` (chunks of an Arrow table of text, see `readers`)
and works a chunk at a time with Arrow compute. Labels are mapped once per distinct value; times
and numbers are read by Arrow's casts, with the scalar references below (`parse_timestamp`,
`parse_float`, `privacy.personal_value`) deciding only for the values the casts refuse
(`convert`). A `Problem` is built only for a bad row, and the rows come out as the typed Arrow
table the lake takes (`declared_schema`). The rules, their order within a row and every message
are those of the row-by-row validator this replaced (see `rules`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dieuhanh.core.errors import Problem, UserError
from dieuhanh.core.tabular import fold
from dieuhanh.ingest.aliases import HEADER_ALIASES, VALUE_ALIASES
from dieuhanh.ingest.hooks import RowChecks
from dieuhanh.ingest.privacy import personal_header
from dieuhanh.ingest.readers import Records, Reread, TextRows, as_text_rows
from dieuhanh.ingest.rules import (
    FUTURE_TOLERANCE,
    HAPPENED,
    LOCAL,
    NON_NEGATIVE,
    NOT_GUARDED,
    UPPER,
    Outcome,
    Rules,
    parse_float,
    parse_timestamp,
)
from dieuhanh.lake import TABLES, TableSpec, declared_schema

__all__ = [
    "FUTURE_TOLERANCE", "HAPPENED", "HEADER_ALIASES", "LOCAL", "NON_NEGATIVE", "NOT_GUARDED", "UPPER",
    "VALUE_ALIASES", "Outcome", "UnitInfo", "Validator", "parse_float", "parse_timestamp", "table_spec",
]  # fmt: skip


INGESTED = [name for name, spec in TABLES.items() if spec.derived_from is None]


def table_spec(table: str) -> TableSpec:
    spec = TABLES.get(table)
    if spec is None or spec.derived_from is not None:
        raise UserError(
            "ingest.unknown_table",
            f"Không có bảng dữ liệu {table!r}. Các bảng: {', '.join(INGESTED)}.",
            f"No fact table {table!r}. Tables: {', '.join(INGESTED)}.",
        )
    return spec


@dataclass(frozen=True)
class UnitInfo:
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


class Validator:
    """Validates rows of one table for one sender. Build once per batch (it loads the units)."""

    def __init__(
        self,
        table: str,
        *,
        units: Mapping[str, UnitInfo],
        allowed_units: set[str] | None,
        file: str = "",
        now: datetime | None = None,
        checks: list[RowChecks] | None = None,
    ) -> None:
        self.spec = table_spec(table)
        self.checks = list(checks or [])
        self.units = units
        self.allowed = allowed_units
        self.file = file
        self.now = now or datetime.now(UTC)
        self._aliases = {fold(k): v for k, v in HEADER_ALIASES.items()}

    def canonical_columns(self, headers: Iterable[str]) -> tuple[dict[str, str], list[Problem], list[str]]:
        """Map headers to declared columns; refuse personal-data headers; list ignored ones."""
        mapping: dict[str, str] = {}
        problems: list[Problem] = []
        ignored: list[str] = []
        declared = set(self.spec.declared_names)
        for header in headers:
            key = fold(header)
            name = self._aliases.get(key, key.replace(" ", "_"))
            if name in declared:
                mapping[header] = name
            elif personal_header(header):
                problems.append(self._problem("privacy.column", None, header,
                    f"Cột {header!r} chứa dữ liệu cá nhân của công dân: xóa cột này khỏi tệp rồi gửi lại.",
                    f"Column {header!r} holds citizens' personal data: remove it and send again."))  # fmt: skip
            else:
                ignored.append(header)
        missing = [c.name for c in self.spec.columns if c.required and c.name not in mapping.values()]
        if missing:
            raise UserError(
                "ingest.missing_columns",
                f"{self.file or self.spec.name}: thiếu cột bắt buộc {', '.join(missing)}.",
                f"{self.file or self.spec.name}: required column(s) missing: {', '.join(missing)}.",
            )
        return mapping, problems, ignored

    def _problem(self, code: str, row: int | None, fld: str, vi: str, en: str) -> Problem:
        return Problem(code, vi, en, file=self.file, row=row, field=fld)

    def check_headers(self, rows: TextRows) -> tuple[dict[str, str], list[Problem], list[str]]:
        """The headers of every key set: their mapping, personal-data problems, ignored headers.

        Raises `UserError` (ingest.missing_columns) if a key set lacks a required column.
        """
        sets = rows.header_sets if rows.header_sets is not None else [tuple(rows.headers)]
        mapping: dict[str, str] = {}
        problems: list[Problem] = []
        ignored: list[str] = []
        for keys in sets:
            found, refused, unknown = self.canonical_columns(keys)
            mapping.update(found)
            problems.extend(refused)
            ignored.extend(h for h in unknown if h not in ignored)
        return mapping, problems, ignored

    def validate(self, records: Records) -> Outcome:
        """Validate `TextRows` (or a table of text, or (row number, {header: value}) records)."""
        rows = as_text_rows(records)
        while True:
            try:
                return self._validate(rows)
            except Reread as again:  # the fast reader gave up: start again from the reference reader
                rows = again.rows

    def _validate(self, rows: TextRows) -> Outcome:
        out = Outcome(schema=declared_schema(self.spec))
        mapping, problems, out.ignored_columns = self.check_headers(rows)
        if problems:
            out.problems.extend(problems)
            out.personal = True
        # Where several headers name one column, a record's last one wins: coalesce from the end.
        sources = {
            name: [i for i, h in enumerate(rows.headers) if mapping.get(h) == name][::-1]
            for name in self.spec.declared_names
        }
        rules = Rules(self)
        for chunk in rows.chunks:
            if chunk.num_rows == 0:
                continue
            rules.chunk(chunk, sources, out, stripped=rows.stripped)
            if rows.progress is not None:
                rows.progress(int(chunk.column(chunk.num_columns - 1)[-1].as_py()))
        return out
