"""Every way in as one thing: `TextRows`, chunks of an Arrow table of text with row numbers.

Validation (`dieuhanh.ingest.validation`) takes only `TextRows`: columns are strings named by
the sender's headers as sent (not yet mapped to declared columns), and ``__row`` (int64) holds
the row number that messages name: a file's header is row 1, so its first record is row 2; JSON
records count from 1. A null value means the record had no such key (JSON); files give "" for
an empty cell.

- CSV: read by Arrow (``pyarrow.csv``) in chunks of about `CHUNK_ROWS` rows, every column as
  text, with the dialect `core.tabular.sniff_dialect` guesses (delimiter , ; or tab, quoting)
  and values stripped like `core.tabular.TableFile` strips them. A file that is not UTF-8 (a
  cp1258/cp1252 export) or that Arrow reads differently from Python's `csv` (a row with too few
  or too many cells, a dialect Arrow cannot express) is read by `TableFile` instead, the
  reference reader, so both give the same rows.
- XLSX: openpyxl through `TableFile`, a chunk at a time.
- JSON and MQTT records, ``(row number, {key: value})``: `TextRows.from_records`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dieuhanh.core.errors import UserError
from dieuhanh.core.tabular import TableFile, check_table_path, normalize_header, sniff_dialect

ROW = "__row"
CHUNK_ROWS = 200_000
_SAMPLE_BYTES = 1 << 16


class Reread(Exception):
    """The fast reader found out mid-way that it cannot give the reference rows: start again
    from `rows` (the validator discards what it had)."""

    def __init__(self, rows: TextRows) -> None:
        super().__init__("reread")
        self.rows = rows


@dataclass
class TextRows:
    """Rows of text in chunks. ``headers`` name the columns of every chunk (then ``__row``).

    ``header_sets`` lists the distinct key sets of JSON records, in order of first appearance
    (headers are checked per key set, as records arrive); None for files, whose rows all have
    every header. ``stripped``: values have no surrounding whitespace already. ``total``: an
    estimate of the number of rows, for a progress bar. ``progress`` is called with the last
    row number of each chunk validated.
    """

    headers: list[str]
    chunks: Iterable[pa.Table]
    header_sets: list[tuple[str, ...]] | None = None
    stripped: bool = False
    total: int | None = None
    progress: Callable[[int], None] | None = None

    @classmethod
    def from_records(
        cls, records: Iterable[tuple[int, Mapping[str, Any]]], *, chunk_rows: int = CHUNK_ROWS
    ) -> TextRows:
        """Records as sent: a value is kept as ``str(value)`` ("" for None), a missing key is null."""
        headers: dict[str, None] = {}
        sets: dict[tuple[str, ...], None] = {}
        numbers: list[int] = []
        rows: list[Mapping[str, Any]] = []
        for number, record in records:
            keys = tuple(record)
            if keys not in sets:
                sets[keys] = None
                headers.update(dict.fromkeys(keys))
            numbers.append(number)
            rows.append(record)
        names = list(headers)

        def chunks() -> Iterator[pa.Table]:
            for start in range(0, len(rows), chunk_rows):
                part = rows[start : start + chunk_rows]
                columns = [
                    pa.array([_text(r[h]) if h in r else None for r in part], pa.string()) for h in names
                ]
                columns.append(pa.array(numbers[start : start + chunk_rows], pa.int64()))
                yield pa.Table.from_arrays(columns, names=[*names, ROW])

        return cls(names, chunks(), header_sets=list(sets), total=len(rows))

    @classmethod
    def from_table(cls, table: pa.Table) -> TextRows:
        """A table of text columns (other types are cast to text); rows numbered from 1 unless it
        has ``__row``."""
        headers = [n for n in table.column_names if n != ROW]
        return cls(headers, [_text_chunk(table, headers, 1)], total=table.num_rows)

    @classmethod
    def from_tables(cls, tables: Iterable[pa.Table | pa.RecordBatch]) -> TextRows:
        """Chunks with the same columns, as `from_table`; numbering goes on across chunks."""
        items = iter(tables)
        first = next(items)
        headers = [n for n in first.column_names if n != ROW]

        def chunks() -> Iterator[pa.Table]:
            start = 1
            for table in itertools.chain([first], items):
                if isinstance(table, pa.RecordBatch):
                    table = pa.Table.from_batches([table])
                yield _text_chunk(table, headers, start)
                start += table.num_rows

        return cls(headers, chunks())


def _text_chunk(table: pa.Table, headers: list[str], start: int) -> pa.Table:
    if ROW in table.column_names:
        numbers = table.column(ROW).cast(pa.int64())
    else:
        numbers = pa.array(range(start, start + table.num_rows), pa.int64())
    columns = [table.column(h).cast(pa.string()) for h in headers]
    return pa.Table.from_arrays([*columns, numbers], names=[*headers, ROW])


def _text(value: Any) -> str:
    return "" if value is None else str(value)


Records: TypeAlias = TextRows | pa.Table | Iterable[pa.Table] | Iterable[tuple[int, Mapping[str, Any]]]


def as_text_rows(records: Records) -> TextRows:
    """`TextRows` from what callers have: `TextRows`; a table of text (numbered from 1 unless it
    has ``__row``); an iterator of such tables with the same columns (chunks, each with its own
    ``__row``, or numbered on across chunks); or (row number, {header: value}) records."""
    if isinstance(records, TextRows):
        return records
    if isinstance(records, pa.Table | pa.RecordBatch):
        return TextRows.from_table(
            pa.Table.from_batches([records]) if isinstance(records, pa.RecordBatch) else records
        )
    items = iter(records)
    first = next(items, None)
    if isinstance(first, pa.Table | pa.RecordBatch):
        return TextRows.from_tables(itertools.chain([first], items))
    return TextRows.from_records(itertools.chain([] if first is None else [first], items))


# --- files -------------------------------------------------------------------------------------
def file_records(path: Path) -> tuple[TextRows, int | None]:
    """The rows of a CSV/XLSX with their original headers, and (for CSV) a row-count estimate."""
    path = Path(path)
    if check_table_path(path) == ".xlsx":
        return _reference_rows(TableFile(path, {})), None
    rows = csv_rows(path)
    return rows, rows.total


def _kept_columns(raw_headers: Sequence[str]) -> tuple[list[int], list[str]]:
    """Like `TableFile`: headers are folded; of headers folding alike the last one is kept, at the
    place of the first; an empty header is dropped. Returns column indices and headers as sent."""
    last: dict[str, int] = {}
    for i, header in enumerate(raw_headers):
        key = normalize_header(header)
        if key:
            last[key] = i
    indices = list(last.values())
    return indices, [raw_headers[i] for i in indices]


def _reference_rows(table: TableFile, *, total: int | None = None) -> TextRows:
    """Rows of `TableFile` (XLSX, and CSV that Arrow cannot read like Python's csv), in chunks."""
    original = dict(zip(table.columns, table.raw_headers, strict=False))
    keys = [k for k in dict.fromkeys(table.columns) if k]
    headers = [original[k] for k in keys]

    def chunks() -> Iterator[pa.Table]:
        values: list[list[str]] = [[] for _ in keys]
        numbers: list[int] = []
        for row in table:
            for column, key in zip(values, keys, strict=True):
                column.append(row.values.get(key, ""))
            numbers.append(row.number)
            if len(numbers) >= CHUNK_ROWS:
                yield _chunk(headers, values, numbers)
                values, numbers = [[] for _ in keys], []
        if numbers:
            yield _chunk(headers, values, numbers)

    return TextRows(headers, chunks(), stripped=True, total=total)


def _chunk(headers: list[str], values: list[list[str]], numbers: list[int]) -> pa.Table:
    arrays = [pa.array(v, pa.string()) for v in values]
    return pa.Table.from_arrays([*arrays, pa.array(numbers, pa.int64())], names=[*headers, ROW])


def csv_rows(path: Path) -> TextRows:
    """A CSV file read by Arrow, or by `TableFile` when Arrow would read it differently."""
    path = Path(path)
    check_table_path(path)
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    size = path.stat().st_size

    def reference() -> TextRows:
        return _reference_rows(TableFile(path, {}), total=total)

    try:
        sample = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) == size)
    except UnicodeDecodeError:
        sample = ""
    lines = max(head.count(b"\n"), 1)
    total = max(round(size / (len(head) / lines)) - 1, 0) if head else 0
    dialect = sniff_dialect(sample)
    header = next(csv.reader(io.StringIO(sample, newline=""), dialect), None) if sample else None
    if (
        not header
        or dialect.skipinitialspace
        or dialect.quoting not in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE)
        or len(dialect.delimiter) != 1
    ):
        return reference()  # not UTF-8, empty, or a dialect Arrow cannot express
    raw_headers = [h.strip() for h in header]
    indices, headers = _kept_columns(raw_headers)
    invalid: list[int] = []

    def on_invalid(row: Any) -> str:
        invalid.append(1)
        return "skip"

    row_bytes = len(head) / lines
    parse = pacsv.ParseOptions(
        delimiter=dialect.delimiter,
        quote_char=(dialect.quotechar or False) if dialect.quoting != csv.QUOTE_NONE else False,
        double_quote=dialect.doublequote,
        escape_char=dialect.escapechar or False,
        newlines_in_values=True,
        ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    try:
        items = _stream(path, header, row_bytes, parse, indices, headers, invalid)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        items = None
    if items is None:
        return reference()

    def chunks() -> Iterator[pa.Table]:
        yield from _prefetched(items)
        if invalid:
            raise Reread(replace(reference(), progress=rows.progress))

    rows = TextRows(headers, chunks(), stripped=True, total=total)
    return rows


def _convert_options(names: list[str]) -> Any:
    return pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _stream(
    path: Path,
    header: list[str],
    row_bytes: float,
    parse: Any,
    indices: list[int],
    headers: list[str],
    invalid: list[int],
) -> Iterator[pa.Table] | None:
    """Arrow's streaming reader (values may hold line breaks); None if it reads another header."""
    block = min(max(int(row_bytes * CHUNK_ROWS), 1 << 20), 1 << 26)
    read = pacsv.ReadOptions(block_size=block, use_threads=True)
    reader = pacsv.open_csv(
        path, read_options=read, parse_options=parse, convert_options=_convert_options(header)
    )
    if [n.replace("\ufeff", "") for n in reader.schema.names] != header:
        reader.close()
        return None

    def produce() -> Iterator[pa.Table]:
        done = 0
        try:
            for batch in reader:
                if invalid:
                    return
                yield _csv_chunk(batch, indices, headers, first=done + 2)
                done += batch.num_rows
        except (pa.ArrowInvalid, UnicodeDecodeError):
            invalid.append(1)
        finally:
            reader.close()

    return produce()


def _prefetched(items: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """``items`` produced one ahead in a thread: Arrow parses and strips the next chunk (without
    the GIL) while the caller validates this one."""
    ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ahead.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(("end", None))
        except BaseException as exc:  # handed to the caller
            ahead.put(("error", exc))

    thread = threading.Thread(target=work, name="dieuhanh-csv-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = ahead.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        items.close()  # type: ignore[attr-defined]


def _csv_chunk(batch: pa.RecordBatch, indices: list[int], headers: list[str], *, first: int) -> pa.Table:
    n = batch.num_rows
    numbers = pa.array(range(first, first + n), pa.int64())
    trimmed = {i: pc.utf8_trim_whitespace(batch.column(i)) for i in indices}
    # A row whose cells are all blank is skipped (its number is not reused), like TableFile does.
    first_blank = pc.equal(_trimmed(batch, trimmed, 0), "")
    table = pa.Table.from_arrays([*(trimmed[i] for i in indices), numbers], names=[*headers, ROW])
    if pc.any(first_blank).as_py():
        blank = first_blank
        for i in range(1, batch.num_columns):
            blank = pc.and_(blank, pc.equal(_trimmed(batch, trimmed, i), ""))
        if pc.any(blank).as_py():
            table = table.filter(pc.invert(blank))
    return table


def _trimmed(batch: pa.RecordBatch, trimmed: dict[int, Any], i: int) -> Any:
    return trimmed[i] if i in trimmed else pc.utf8_trim_whitespace(batch.column(i))


# --- JSON --------------------------------------------------------------------------------------
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
