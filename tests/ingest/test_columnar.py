"""The columnar validator agrees with its scalar references, value by value and row by row.

`personal_value`, `parse_timestamp`, `parse_float` and `TableFile` are the references; the
vectorised paths (RE2 over Arrow, Arrow casts, Arrow's CSV reader) must give the same answers,
including for the values they hand back to the references.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.core.tabular import TableFile
from dieuhanh.ingest import readers
from dieuhanh.ingest.convert import floats, timestamps
from dieuhanh.ingest.models import IngestBatch, RejectedRow, Source
from dieuhanh.ingest.privacy import WHITESPACE, personal_value, personal_values
from dieuhanh.ingest.readers import ROW, TextRows, csv_rows, file_records
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.ingest.validation import parse_float, parse_timestamp
from dieuhanh.lake import Lake
from tests.ingest.conftest import HEADER

SPACES = " \t\xa0\u2003\u3000\x1c\n"
ALPHABET = (
    "0123456789" * 3 + "٠١٢" + "abcxyzAHNTLPVDBMCK" + "ĐđăâêôơưÀÁẢÃẠàáảãạẾếỆệỘộỨứ" + "\u0302\u0303\u0301"
    + "@.-+()_/," + SPACES
)  # fmt: skip


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - test data
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 24))) for _ in range(n)]


def test_the_whitespace_class_is_pythons() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    matched = pc.match_substring_regex(pa.array(chars), f"^[{WHITESPACE}]$").to_pylist()
    assert [c for c, m in zip(chars, matched, strict=True) if m] == [c for c in chars if c.isspace()]


PERSONAL = [
    "nguyen.van.a@gmail.com", "a@b.co", "x@y", "@x.y", "ai@đà.vn", "0912 345 678", "+84912345678", "+84 (912) 345-678",
    "079203001234", "123456789", "12345678", "1234567890123", "٠٩١٢٣٤٥٦٧٨٩", "0912\xa0345\xa0678", "Nguyễn Văn An",
    "Trần Thị Bích Ngọc", "Nguyễn\xa0Văn\xa0An", "Nguye\u0302\u0303n Văn An", "NGUYỄN VĂN AN", "nguyễn văn an",
    "Lê-Văn Tám", "Lê Văn Tám Bốn Năm Sáu", "Đặng Thu Thảo", "Đỗ Hùng", "Cấp giấy phép", "Sở Y tế", "Xã Lạc Dương",
    "000.00.21.H35-260105-0001", "1.004227", "H35.22-250701-0001", "12/UBND-VP", "DL01", "2026", "Cao Bằng", "Hà Nội",
    "Lâm Đồng 2", "Mai Anh-", "Ton That Thuyet", "Kieu", "Phan\u2003Bội\u2003Châu",
]  # fmt: skip


def _reference_guard(values: list[str]) -> dict[int, tuple[str, str]]:
    return {i: w for i, v in enumerate(values) if (w := personal_value(v)) is not None}


def test_the_personal_data_guard_agrees_with_its_reference() -> None:
    values = PERSONAL + _random_texts(20_000, seed=13)
    values = [v.strip() for v in values]
    expected = _reference_guard(values)
    assert personal_values(pa.array(values)) == expected
    # Columns of few distinct values take another way (each distinct value once): same answers.
    repeated = [values[i % 500] for i in range(30_000)]
    assert personal_values(pa.array(repeated)) == _reference_guard(repeated)
    assert len(expected) > 30  # the corpus does hold personal data of every kind
    assert {w[1] for w in expected.values()} == {"an e-mail address", "a phone number", "an ID-card number",
                                                  "a person's name"}  # fmt: skip


def _reference(fn: Callable[[str], Any], values: list[str | None]) -> list[Any]:
    out = []
    for v in values:
        try:
            out.append(None if v is None else fn(v))
        except (ValueError, OverflowError):
            out.append(None)
    return out


TIMES = [
    "2026-01-02T08:00:00+07:00", "2026-01-02 08:00:00+07:00", "2026-01-02T08:00+07:00", "2026-01-02T08:00:00Z",
    "2026-01-31 22:00", "2026-02-01T06:30", "05/01/2026 10:00", "5/1/2026 9:05", "12/01/2026 17:00:30", "12/01/2026",
    "2026-01-02T08:00:00.5+07:00", "2026-01-02T08:00:00+0700", "2026-01-02T08", "2026-01-02",
    "2025-12-31T23:59:59-05:00",
    "2026-01-02t08:00:00+07:00", "2026-01-02T08:00:00,5", "20260102T080000", "2026-W01-1", "2026-01-02T08:00:00+07:60",
    "2026-01-02T08:00:00.1234567", "03/02/2026T08:00", "1960-06-01T00:00:00", "1975-06-12T23:30", "0001-01-01T00:00",
    "9999-12-31T23:59:59-07:00", "2026-13-02T08:00:00", "2026-02-30T08:00:00+07:00", "2026-01-02T24:00:00", "abc",
    "31/02/2026 10:00", "2026-1-2", "01/13/2026", "2026-01-02T08:00:00z", "١٢/٠١/٢٠٢٦", "2026/01/02", "12/01/26 10:00",
    "0000-01-01T00:00:00", "2024-02-29T00:00", "2025-02-29T00:00", "29/02/2024 23:59:59", "2200-01-01T00:00Z", None,
]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_timestamps_agree_with_parse_timestamp(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data
    start = datetime(2020, 1, 1, tzinfo=UTC)
    good = [(start + timedelta(seconds=rng.randrange(10**9))).isoformat() for _ in range(5000)]
    for values in (
        TIMES,
        [rng.choice(TIMES) for _ in range(3000)],  # mixed formats everywhere
        [*good[:2500], rng.choice(TIMES), *good[2500:]],  # one odd value in thousands
        [v.replace("+00:00", "") for v in good],  # all local time
    ):
        got, refused = timestamps(pa.array(values, pa.string()), parse_timestamp)
        expected = _reference(parse_timestamp, values)
        assert got.to_pylist() == expected
        assert refused == [
            i for i, (v, e) in enumerate(zip(values, expected, strict=True)) if v and e is None
        ]


NUMBERS = ["12,5", "1.234,5", "1 234", "-3", "abc", "inf", "nan", "1e5", "1_000", "", "١٢", "35.2", "-0.5", "+4.5",
           ".5", "5.", "1,2,3", "1e999", "-1e999", "Infinity", "0x10", "1.2.3", "1e-999", "-0", " 7 ",
           None]  # fmt: skip


def test_floats_agree_with_parse_float() -> None:
    rng = random.Random(5)  # noqa: S311 - test data
    many = [f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 6)}f}" for _ in range(4000)]
    for values in (NUMBERS, [*many[:2000], "x", *many[2000:]], [rng.choice(NUMBERS) for _ in range(2000)]):
        values = [v.strip() or None if v is not None else None for v in values]
        got, refused = floats(pa.array(values, pa.string()), parse_float)
        expected = _reference(parse_float, values)
        assert [repr(x) for x in got.to_pylist()] == [repr(x) for x in expected]  # -0.0 too
        assert refused == [
            i for i, (v, e) in enumerate(zip(values, expected, strict=True)) if v and e is None
        ]


def _rows(rows: TextRows) -> tuple[list[str], list[tuple[Any, ...]]]:
    out = []
    for chunk in rows.chunks:
        columns = [chunk.column(i).to_pylist() for i in range(chunk.num_columns)]
        out.extend(zip(*columns, strict=True))
    return rows.headers, out


def _reference_rows(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    return _rows(readers._reference_rows(TableFile(path, {})))


CSV_VARIANTS: dict[str, bytes] = {
    "plain": b"a,b,c\n1,2,3\n4,5,6\n",
    "quoted": b'a,b,c\n"x, y","he said ""hi""",3\n" padded ",  ,\n',
    "newline in quotes": b'a,b\n"line 1\nline 2",2\n3,4\n',
    "semicolons, BOM, CRLF": b"\xef\xbb\xbfM\xc3\xa3 h\xe1\xbb\x93 s\xc6\xa1;b\r\n1;2\r\n3;4\r\n",
    "tabs": b"a\tb\n1\t2\n",
    "carriage returns": b"a,b\r1,2\r3,4\r",
    "blank lines": b"a,b\n1,2\n\n,\n \t, \n3,4\n\n\n",
    "short row": b"a,b,c\n1,2,3\n4\n5,6,7\n",
    "long row": b"a,b\n1,2\n3,4,5\n",
    "only a long row blank": b"a,b\n,,x\n1,2\n",
    "cp1258": "Mã hồ sơ,Đơn vị\nA,Xã Lạc Dương\n".encode("cp1258", errors="replace"),
    "cp1252": "a,b\ncafé Š,1\n".encode("cp1252"),  # Š (0x8a) is not in cp1258
    "no encoding fits": b"a,b\n\x81,1\n",
    "same header twice": b"Ma ho so,x,M\xc3\xa3 h\xe1\xbb\x93 s\xc6\xa1,,y\n1,2,3,4,5\n",
    "header only": b"a,b\n",
    "no newline at the end": b"a,b\n1,2",
    "whitespace values": "a,b\n\xa0x\u3000,\x1cy\n".encode(),
}


@pytest.mark.parametrize("name", list(CSV_VARIANTS))
def test_the_csv_reader_gives_the_reference_rows(name: str, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(CSV_VARIANTS[name])

    def fast() -> Any:
        try:
            return _rows(csv_rows(path))
        except readers.Reread as again:  # the fast reader handed over mid-way
            return _rows(again.rows)

    assert _outcome(fast) == _outcome(lambda: _reference_rows(path))


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except UserError as exc:
        return exc.code


def test_a_large_csv_with_a_bad_row_at_the_end_is_reread_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 20_000)  # blocks of 1 MB, the smallest
    path = tmp_path / "big.csv"
    lines = [f'R{i},"a, {i}",{i}' for i in range(400_000)]
    lines[5] = 'R5,"two\nlines",5'
    lines[-2] = "R-short,1"  # too few cells, after several chunks have been read
    path.write_text("id,text,n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    rows = csv_rows(path)
    seen = []
    with pytest.raises(readers.Reread) as again:
        for chunk in rows.chunks:
            seen.append(chunk.num_rows)
    assert len(seen) >= 1, "the first chunks came from Arrow"
    assert _rows(again.value.rows) == _reference_rows(path)


@pytest.mark.django_db
def test_a_few_bad_values_among_many_are_named_by_row_and_value(
    write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    good = "{i},24820,1.1,online,2026-01-02T08:{m:02d}:00+07:00,,,processing,true,có,0,,,\n"
    lines = [good.format(i=f"G{i}", m=i % 60) for i in range(30_000)]
    lines[4] = "B5,24820,1.1,online,2026-02-30T08:00:00+07:00,,,processing,,,,,,\n"  # row 6
    lines[12_345] = "B2,24820,1.1,online,02/01/2026 08:00,,,processing,maybe,,,,,\n"  # row 12347
    lines[29_998] = "B3,24820,1.1,fax,2026-01-02 08:00,,,processing,,,,,,\n"  # row 30000
    path = write_csv("many.csv", HEADER + "".join(lines))
    records, _ = file_records(path)
    batch = batch_ingest(actor=Actor.system("t"), source=source, table="dossiers", records=records,
                         file_name=path.name).batch  # fmt: skip
    assert (batch.received, batch.accepted, batch.rejected) == (30_000, 29_997, 3)
    got = list(
        RejectedRow.objects.filter(batch=batch)
        .order_by("row")
        .values_list("row", "field", "code", "message_en")
    )
    assert got == [
        (6, "received_at", "value.bad_timestamp",
         "Invalid time '2026-02-30T08:00:00+07:00' (ISO 8601 or dd/mm/yyyy hh:mm)."),
        (12347, "fee_required", "value.bad_bool", "'maybe' is not a boolean (true/false, 1/0, có/không)."),
        (30000, "channel", "value.bad_enum", "Invalid value 'fax'; expected one of: online, direct, postal."),
    ]  # fmt: skip
    stored = lake.connect().execute("select count(*), min(received_at), bool_and(paid_online) from dossiers")
    assert stored.fetchone() == (29_997, datetime(2026, 1, 2, 1, 0, tzinfo=UTC), True)


@pytest.mark.django_db
def test_a_table_of_text_and_records_with_missing_keys(source: Source, lake: Lake) -> None:
    table = pa.table({"Mã hồ sơ": ["T1", "T2"], "unit_code": ["24820", "24820"],
                      "received_at": ["2026-01-02T08:00:00Z", "02/01/2026 08:00"],
                      "digitized": ["có", "x"]})  # fmt: skip
    batch = batch_ingest(actor=Actor.system("t"), source=source, table="dossiers", records=table).batch
    assert (batch.accepted, batch.rejected) == (2, 0)
    # Chunks of text from an iterator: row numbers go on from chunk to chunk.
    chunks = iter([table.slice(0, 1), table.slice(1, 1).set_column(2, "received_at", pa.array(["bad"]))])
    batch = batch_ingest(actor=Actor.system("t"), source=source, table="dossiers", records=chunks).batch
    assert (batch.accepted, batch.unchanged, batch.rejected) == (0, 1, 1)
    assert RejectedRow.objects.get(batch=batch).row == 2
    records = [
        (1, {"record_id": "J1", "unit_code": 24820, "received_at": "2026-01-02T08:00:00Z", "rating": None}),
        (2, {"record_id": "J2", "unit_code": "24820", "received_at": " "}),  # a required value missing
        (3, {"unit_code": "24820", "record_id": "J3", "received_at": "2026-01-03", "digitized": True}),
    ]
    batch = batch_ingest(actor=Actor.system("t"), source=source, table="dossiers", records=records).batch
    assert (batch.accepted, batch.rejected) == (2, 1)
    problem = RejectedRow.objects.get(batch=batch)
    assert (problem.row, problem.field, problem.code) == (2, "received_at", "value.required")
    assert problem.raw == {"record_id": "J2", "unit_code": "24820", "received_at": " "}  # as sent
    got = lake.connect().execute("select record_id, digitized from dossiers order by record_id").fetchall()
    assert got == [("J1", None), ("J3", True), ("T1", True), ("T2", True)]
    # A record without a required key refuses the call, as a file without the column does.
    with pytest.raises(UserError) as err:
        batch_ingest(
            actor=Actor.system("t"), source=source, table="dossiers", records=[(1, {"record_id": "J4"})]
        )
    assert err.value.code == "ingest.missing_columns"


@pytest.mark.django_db
def test_a_file_found_unusable_while_read_fails_its_batch(
    tmp_path: Path, source: Source, lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 20_000)  # blocks of 1 MB: the bad byte is a few blocks on
    # UTF-8 headers, then a byte that is not UTF-8 far down: read again as cp1258, whose
    # headers no longer name the columns (as the row-by-row reader did).
    path = tmp_path / "mixed.csv"
    head = "Mã hồ sơ,Mã đơn vị,Ngày tiếp nhận\n".encode()
    path.write_bytes(head + b"A,24820,2026-01-02T08:00:00+07:00\n" * 100_000 + b"\xff,24820,x\n")
    records, _ = file_records(path)
    with pytest.raises(UserError) as err:
        batch_ingest(
            actor=Actor.system("t"), source=source, table="dossiers", records=records, file_name="mixed.csv"
        )
    assert err.value.code == "ingest.missing_columns"
    batch = IngestBatch.objects.get(file_name="mixed.csv")
    assert batch.status == "failed" and "missing" in batch.message
    assert not lake.exists("dossiers")


def test_rows_of_a_chunk_are_numbered_like_the_file(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text("a,b\n1,2\n\n3,4\n,\n5,6\n", encoding="utf-8")
    rows, total = file_records(path)
    assert total == 5
    (chunk,) = list(rows.chunks)
    assert chunk.column(ROW).to_pylist() == [2, 4, 6]
