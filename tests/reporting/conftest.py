"""A test form (monthly, communes and wards) loaded from YAML, a lake, and a one-stop-shop source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from dieuhanh.audit.services import Actor
from dieuhanh.ingest.models import Source
from dieuhanh.ingest.services import source_create
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.models import ReportForm
from dieuhanh.reporting.services import report_forms_sync

FORM_YAML = """
forms:
  - code: test.thang
    name: {vi: "Báo cáo tháng thử nghiệm", en: "Test monthly report"}
    regime: month
    first_period: 2025M07
    submitters: {kinds: [commune, ward]}
    deadline: {working_days: 5}
    lock_after_days: 10
    remind_before_days: 3
    title: "Tình hình thực hiện chuyển đổi số"
    legal_basis: "Quyết định số 749/QĐ-TTg ngày 03/6/2020"
    recipients: ["Sở Khoa học và Công nghệ;", "Lưu: VT."]
    elements:
      - {code: DVC_TIEP_NHAN, name: {vi: "Số hồ sơ tiếp nhận", en: "Dossiers received"}, type: integer,
         uom: "hồ sơ", prefill: dvc.received}
      - {code: HSCV_TOTAL, name: {vi: "Số hồ sơ công việc", en: "Work records"}, type: integer, uom: "hồ sơ",
         target: 100}
      - {code: HSCV_ONLINE, name: {vi: "Hồ sơ công việc xử lý trên mạng", en: "Work records online"},
         type: integer, uom: "hồ sơ"}
      - {code: TO_CNSCD, name: {vi: "Đã có tổ công nghệ số cộng đồng", en: "Team set up"}, type: boolean}
      - {code: TO_CNSCD_THANH_VIEN, name: {vi: "Số thành viên tổ", en: "Team members"}, type: integer,
         uom: "người", max: 500}
      - {code: TY_LE, name: {vi: "Tỷ lệ tự đánh giá", en: "Self-assessed share"}, type: percent, required: false}
    rules:
      - code: online_le_total
        left: HSCV_ONLINE
        op: "<="
        right: HSCV_TOTAL
        message:
          vi: "Hồ sơ xử lý trên mạng không được lớn hơn tổng số."
          en: "Online records cannot exceed all records."
      - code: team_has_members
        left: TO_CNSCD_THANH_VIEN
        op: ">="
        right: 3 * TO_CNSCD
        message: {vi: "Tổ cần ít nhất 3 thành viên.", en: "A team needs at least 3 members."}
      - code: members_need_team
        left: TO_CNSCD_THANH_VIEN
        op: "<="
        right: 500 * TO_CNSCD
        missing: never_skip
        message: {vi: "Có thành viên nhưng chưa có tổ.", en: "Members but no team."}
"""


@pytest.fixture
def lake_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "lake"
    with override_settings(LAKE_DIR=path):
        yield path


@pytest.fixture
def form(province: dict[str, OrgUnit], lake_dir: Path, tmp_path: Path, actor: Actor) -> ReportForm:
    forms_dir = tmp_path / "pack" / "forms"
    forms_dir.mkdir(parents=True)
    (forms_dir / "test.yaml").write_text(FORM_YAML, encoding="utf-8")
    result = report_forms_sync(actor=actor, roots=[tmp_path / "pack"])
    assert result.problems == [] and result.created == 1
    return ReportForm.objects.get(code="test.thang")


@pytest.fixture
def motcua(province: dict[str, OrgUnit], actor: Actor) -> Source:
    return source_create(
        actor=actor, code="motcua", name="Một cửa", owner=province["68"], units=[province["68"]]
    )
