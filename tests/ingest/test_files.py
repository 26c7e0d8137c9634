"""Files into the lake: types and Vietnamese exports, every kind of bad row, idempotent re-send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import BatchStatus, IngestBatch, RejectedRow, Source
from dieuhanh.ingest.readers import file_records
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.lake import Lake
from tests.ingest.conftest import HEADER

pytestmark = pytest.mark.django_db


def ingest(path: Path, source: Source, table: str = "dossiers") -> IngestBatch:
    records, _ = file_records(path)
    return batch_ingest(actor=Actor.system("test"), source=source, table=table, records=records,
                        file_name=path.name).batch  # fmt: skip


def rows(lake: Lake, sql: str) -> list[tuple[object, ...]]:
    return lake.connect().execute(sql).fetchall()


def test_csv_rows_are_typed_and_placed_in_local_months(
    write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    path = write_csv(
        "hs.csv",
        HEADER
        + "H1,24820,1.004227,online,2026-02-01T06:30:00+07:00,2026-02-05T17:00:00+07:00,2026-02-03T10:00:00+07:00,"
        "finished,true,true,có,1,satisfied,2026-02-03T10:00:00+07:00\n"
        + "H2,25270,1.004227,direct,2026-01-31 22:00,,,processing,false,0,không,0,,\n",
    )
    batch = ingest(path, source)
    assert (batch.status, batch.received, batch.accepted, batch.rejected) == ("done", 2, 2, 0)
    got = rows(lake, "select record_id, month, received_day, received_at, digitized, paid_online, source "
                     "from dossiers order by record_id")  # fmt: skip
    # 06:30 on 1 February in Vietnam is still 31 January in UTC: the month is local.
    assert got[0][:3] == ("H1", "2026-02", datetime(2026, 2, 1).date())
    assert got[0][3] == datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert got[0][4:] == (True, True, "motcua")
    # No offset given: Vietnam local time.
    assert got[1][3] == datetime(2026, 1, 31, 15, 0, tzinfo=UTC) and got[1][1] == "2026-01"
    assert sorted(batch.months) == ["2026-01", "2026-02"] and batch.units_touched == ["24820", "25270"]


def test_vietnamese_headers_and_labels_from_an_xlsx_export(
    tmp_path: Path, source: Source, lake: Lake
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Mã đơn vị", "Mã thủ tục", "Kênh nộp", "Ngày tiếp nhận", "Ngày hẹn trả",
                  "Trạng thái", "Đánh giá", "Ghi chú nội bộ"])  # fmt: skip
    sheet.append(["000.00.21.H35-260105-0001", "24781", "2.001234", "Trực tuyến", datetime(2026, 1, 5, 9, 15),
                  "12/01/2026 17:00", "Đang xử lý", "Hài lòng", "x"])  # fmt: skip
    sheet.append(["000.00.21.H35-260105-0002", "24781", "2.001234", "Bưu chính công ích", "05/01/2026 10:00",
                  None, "Đang xử lý", None, None])  # fmt: skip
    path = tmp_path / "motcua.xlsx"
    book.save(path)
    batch = ingest(path, source)
    assert (batch.accepted, batch.rejected) == (2, 0)
    assert "Ghi chú nội bộ" in batch.message  # an unknown column is ignored and said so
    got = rows(lake, "select channel, status, rating, received_at from dossiers order by record_id")
    assert got[0][:3] == ("online", "processing", "satisfied")
    assert got[0][3] == datetime(2026, 1, 5, 2, 15, tzinfo=UTC)
    assert got[1][0] == "postal"


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        ("B1,24820,1.1,online,,,,processing,,,,,,", "received_at", "value.required"),
        ("B1,24820,1.1,fax,2026-01-02T08:00:00+07:00,,,processing,,,,,,", "channel", "value.bad_enum"),
        ("B1,24820,1.1,online,2026-13-02T08:00:00,,,processing,,,,,,", "received_at", "value.bad_timestamp"),
        ("B1,24820,1.1,online,2026-01-02T08:00:00+07:00,,,processing,maybe,,,,,", "fee_required", "value.bad_bool"),
        ("B1,99999,1.1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,", "unit_code", "unit.unknown"),
        ("B1,24820,1.1,online,2025-06-02T08:00:00+07:00,,,processing,,,,,,", "unit_code", "unit.not_valid"),
        ("B1,24820,1.1,online,2026-01-02T08:00:00+07:00,2026-01-01T08:00:00+07:00,,processing,,,,,,", "due_at",
         "value.time_order"),
        ("B1,24820,1.1,online,2026-01-02T08:00:00+07:00,,2026-01-01T08:00:00+07:00,finished,,,,,,", "finished_at",
         "value.time_order"),
        ("B1,24820,1.1,online,2026-01-02T08:00:00+07:00,,,finished,,,,,,", "finished_at", "value.required"),
        ("B1,24820,1.1,online,2099-01-02T08:00:00+07:00,,,processing,,,,,,", "received_at", "value.future"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_row_is_quarantined_and_the_good_rows_stored(
    line: str, field: str, code: str, write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    good = "G1,25270,1.1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,\n"
    batch = ingest(write_csv("mixed.csv", HEADER + good + line + "\n"), source)
    assert (batch.status, batch.accepted, batch.rejected) == ("done", 1, 1)
    problem = RejectedRow.objects.get(batch=batch)
    assert (problem.row, problem.field, problem.code) == (3, field, code)
    assert problem.message_vi and problem.message_en and problem.message_vi != problem.message_en
    assert problem.raw["record_id"] == "B1"  # the row as sent, to fix and re-send
    assert rows(lake, "select record_id from dossiers") == [("G1",)]


def test_a_source_writes_only_for_its_units(
    write_csv: Callable[[str, str], Path], commune_source: Source, lake: Lake
) -> None:
    text = HEADER + "A,24820,1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,\n"
    text += "B,25270,1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,\n"
    batch = ingest(write_csv("x.csv", text), commune_source)
    assert (batch.accepted, batch.rejected) == (1, 1)
    assert RejectedRow.objects.get(batch=batch).code == "unit.out_of_scope"


def test_resending_changes_nothing_and_newer_updates_win(
    write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    first = (
        HEADER + "R1,24820,1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,2026-01-02T08:00:00+07:00\n"
    )
    path = write_csv("r.csv", first)
    b1 = ingest(path, source)
    version = lake.version("dossiers")
    b2 = ingest(path, source)
    assert (b2.accepted, b2.unchanged, b2.rejected) == (0, 1, 0)
    assert lake.version("dossiers") == version, "a re-sent batch must not create a new lake version"
    finished = (
        HEADER + "R1,24820,1,online,2026-01-02T08:00:00+07:00,,2026-01-04T08:00:00+07:00,finished,,,,,,"
        "2026-01-04T08:00:00+07:00\n"
    )
    b3 = ingest(write_csv("r2.csv", finished), source)
    assert (b3.inserted, b3.updated) == (0, 1)
    stale = ingest(path, source)  # the old version sent again loses to the newer one
    assert stale.unchanged == 1
    assert rows(lake, "select status, count(*) over () from dossiers") == [("finished", 1)]
    assert b1.lake_version == 0 and b3.lake_version == version + 1  # type: ignore[operator]


def test_an_all_bad_file_is_refused_and_writes_nothing(
    write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    batch = ingest(
        write_csv("bad.csv", HEADER + "X,00000,1,online,2026-01-02T08:00:00+07:00,,,,,,,,,\n"), source
    )
    assert (batch.status, batch.accepted, batch.rejected) == (BatchStatus.REFUSED, 0, 1)
    assert not lake.exists("dossiers")
    assert AuditEntry.objects.filter(action="batch.refused", object_id=str(batch.pk)).exists()


def test_missing_required_column_refuses_the_file(
    write_csv: Callable[[str, str], Path], source: Source
) -> None:
    with pytest.raises(UserError) as err:
        ingest(write_csv("cols.csv", "record_id,unit_code\nA,24820\n"), source)
    assert err.value.code == "ingest.missing_columns" and "received_at" in err.value.message_en


def test_other_tables(write_csv: Callable[[str, str], Path], source: Source, lake: Lake) -> None:
    docs = write_csv("vb.csv", "Số ký hiệu,Mã đơn vị,Chiều,Ngày gửi,Điện tử,Ký số,Liên thông\n"
                               "12/UBND-VP,68,Đi,02/01/2026 09:00,có,có,không\n")  # fmt: skip
    assert ingest(docs, source, "documents").accepted == 1
    svc = write_csv("tthc.csv", "Mã thủ tục,Mã đơn vị,Tên thủ tục,Mức độ,Có phí\n"
                                "1.004227,68-SKHCN,Cấp giấy phép,Toàn trình,có\n")  # fmt: skip
    assert ingest(svc, source, "services").accepted == 1
    dv = write_csv("bc.csv", "Mã chỉ tiêu,Mã đơn vị,Kỳ báo cáo,Giá trị\nTCNSCD,24820,2026M01,\"12,5\"\n"
                             "TCNSCD,24820,2026M13,3\n")  # fmt: skip
    batch = ingest(dv, source, "data_values")
    assert (batch.accepted, batch.rejected) == (1, 1)
    assert RejectedRow.objects.get(batch=batch).field == "period"
    obs = write_csv("qt.csv", "Mã trạm,Mã đơn vị,Thông số,Thời điểm quan trắc,Giá trị,Đơn vị đo\n"
                              "DL01,24781,PM2.5,2026-01-02T08:00:00+07:00,35.2,µg/m³\n"
                              "DL01,24781,PM10,2026-01-02T08:00:00+07:00,-3,µg/m³\n")  # fmt: skip
    batch = ingest(obs, source, "observations")
    assert (batch.accepted, batch.rejected) == (1, 1)
    assert RejectedRow.objects.get(batch=batch).code == "value.range"
    assert rows(lake, "select parameter, value from observations") == [("pm25", 35.2)]
    assert rows(lake, "select value from data_values") == [(12.5,)]
