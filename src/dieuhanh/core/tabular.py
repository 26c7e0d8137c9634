"""Reading CSV and XLSX files with Vietnamese or English headers.

Vietnamese systems export spreadsheets with headers such as "Mã hồ sơ" or "Ngày tiếp nhận",
written with precomposed or combining diacritics, in any case, sometimes with trailing notes.
`read_rows` folds every header to a key (`normalize_header`) and maps it through the aliases
the caller declares, so a column is found whatever spelling the exporting system used.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from dieuhanh.core.errors import UserError

_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label: "Mã  Hồ sơ " -> "ma ho so"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.casefold().replace("_", " ").split())


def normalize_header(text: str) -> str:
    return fold(text.replace("\ufeff", ""))


#: Encodings tried in order: UTF-8 (with or without a BOM), then the Windows code pages that
#: older Vietnamese systems export (cp1258, then cp1252).
CSV_ENCODINGS = ("utf-8-sig", "cp1258", "cp1252")


def check_table_path(path: Path) -> str:
    """The lower-case suffix of a readable CSV/XLSX file, or a `UserError` saying what is wrong."""
    if not path.is_file():
        raise UserError(
            "file.unreadable",
            f"Không đọc được tệp {path}: tệp không tồn tại.",
            f"Cannot read {path}: no such file.",
        )
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx", ".txt"}:
        raise UserError(
            "file.unsupported",
            f"Tệp {path.name}: chỉ nhận CSV hoặc XLSX (đuôi .csv, .xlsx).",
            f"{path.name}: only CSV or XLSX files are accepted (.csv, .xlsx).",
        )
    return suffix


def unknown_encoding(name: str) -> UserError:
    return UserError(
        "file.encoding",
        f"Tệp {name}: không nhận ra bảng mã (hãy lưu dạng UTF-8).",
        f"{name}: unknown text encoding (save it as UTF-8).",
    )


def sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect (delimiter , ; or tab, quoting) guessed from the first 4096 characters."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


@dataclass(frozen=True)
class Row:
    number: int  # 1-based line of the file, the header being line 1
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


class TableFile:
    """The rows of a CSV or XLSX file, with headers mapped to canonical column names."""

    def __init__(self, path: Path, aliases: Mapping[str, str], *, sheet: str | None = None) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self._aliases = {normalize_header(k): v for k, v in aliases.items()}
        self._sheet = sheet
        suffix = check_table_path(self.path)
        self._raw_rows = self._read_xlsx() if suffix == ".xlsx" else self._read_csv()
        header = next(self._raw_rows, None)
        if header is None:
            raise UserError(
                "file.empty",
                f"Tệp {self.name} rỗng: không có dòng tiêu đề.",
                f"{self.name} is empty: no header row.",
            )
        self.raw_headers = [str(h or "").strip() for h in header]
        self.columns = [self._aliases.get(normalize_header(h), normalize_header(h)) for h in self.raw_headers]

    def _read_csv(self) -> Iterator[list[str]]:
        data = self.path.read_bytes()
        for encoding in CSV_ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - cp1252 decodes almost anything
            raise unknown_encoding(self.name)
        yield from csv.reader(io.StringIO(text, newline=""), sniff_dialect(text))

    def _read_xlsx(self) -> Iterator[list[str]]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise UserError(
                "file.unreadable",
                f"Không đọc được tệp Excel {self.name}: {exc}",
                f"Cannot read the Excel file {self.name}: {exc}",
            ) from exc
        sheet = book[self._sheet] if self._sheet else book.worksheets[0]

        def cell(v: object) -> str:
            if v is None:
                return ""
            if isinstance(v, datetime):
                return v.isoformat()
            if isinstance(v, date):
                return v.isoformat()
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v)

        try:
            for values in sheet.iter_rows(values_only=True):
                yield [cell(v) for v in values]
        finally:
            book.close()

    def missing(self, required: list[str]) -> list[str]:
        return [c for c in required if c not in self.columns]

    def __iter__(self) -> Iterator[Row]:
        for number, raw in enumerate(self._raw_rows, start=2):
            if not any(str(v).strip() for v in raw):
                continue
            values = {
                col: str(raw[i]).strip() if i < len(raw) else "" for i, col in enumerate(self.columns) if col
            }
            yield Row(number, values)
