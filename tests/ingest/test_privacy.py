"""No personal data: a column or value that looks like a citizen's data refuses the whole batch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dieuhanh.audit.services import Actor
from dieuhanh.ingest.models import BatchStatus, RejectedRow, Source
from dieuhanh.ingest.privacy import personal_value
from dieuhanh.ingest.readers import file_records
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.lake import Lake
from tests.ingest.conftest import HEADER

pytestmark = pytest.mark.django_db
GOOD = "G1,24820,1.1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,\n"


def _ingest(path: Path, source: Source) -> object:
    records, _ = file_records(path)
    return batch_ingest(actor=Actor.system("t"), source=source, table="dossiers", records=records,
                        file_name=path.name).batch  # fmt: skip


@pytest.mark.parametrize("header", ["Họ tên", "Số điện thoại", "Email", "Số CCCD", "Ngày sinh"])
def test_a_personal_data_column_refuses_the_batch(
    header: str, write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    path = write_csv("pii.csv", HEADER.strip() + f",{header}\n" + GOOD.strip() + ",x\n")
    batch = _ingest(path, source)
    assert batch.status == BatchStatus.REFUSED and batch.accepted == 0  # type: ignore[attr-defined]
    problem = RejectedRow.objects.get(batch=batch)
    assert problem.code == "privacy.column" and problem.field == header
    assert "dữ liệu cá nhân" in problem.message_vi and "personal data" in problem.message_en
    assert not lake.exists("dossiers"), "nothing of the batch may be written, not even its good rows"


@pytest.mark.parametrize(
    ("value", "what"),
    [("nguyen.van.a@gmail.com", "e-mail"), ("0912 345 678", "phone"), ("+84912345678", "phone"),
     ("079203001234", "ID-card"), ("123456789", "ID-card"), ("Nguyễn Văn An", "name"), ("Trần Thị Bích Ngọc", "name")],
)  # fmt: skip
def test_a_personal_value_refuses_the_batch_and_is_not_kept(
    value: str, what: str, write_csv: Callable[[str, str], Path], source: Source, lake: Lake
) -> None:
    bad = f"{value},24820,1.1,online,2026-01-02T08:00:00+07:00,,,processing,,,,,,\n"
    batch = _ingest(write_csv("v.csv", HEADER + GOOD + bad), source)
    assert batch.status == BatchStatus.REFUSED  # type: ignore[attr-defined]
    problem = RejectedRow.objects.get(batch=batch)
    assert (problem.row, problem.field, problem.code) == (3, "record_id", "privacy.value")
    assert what in problem.message_en
    assert problem.raw["record_id"] == "***"  # the value itself is not stored
    assert value not in str(list(RejectedRow.objects.values_list("raw", "message_vi", "message_en")))
    assert not lake.exists("dossiers")


@pytest.mark.parametrize(
    "value",
    ["000.00.21.H35-260105-0001", "1.004227", "H35.22-250701-0001", "12/UBND-VP", "DL01", "2026", "Xã Lạc Dương",
     "Cấp giấy phép xây dựng", "Sở Y tế", "12345678"],
)  # fmt: skip
def test_ordinary_codes_and_names_of_things_pass(value: str) -> None:
    assert personal_value(value) is None
