"""Values in the operational store: full compute, refresh after a batch (= full recompute), a logic
change recomputing only its indicator, one value for the CLI contract, and the records behind it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dieuhanh.core.errors import NotFound, UserError
from dieuhanh.indicators.engine import PACKS_DIR, load_catalog
from dieuhanh.indicators.models import ComputeRun, IndicatorDefinition, IndicatorValue
from dieuhanh.indicators.selectors import indicator_records, indicator_value_lookup
from dieuhanh.indicators.services import indicator_values_compute, indicator_values_refresh_after_batch
from dieuhanh.ingest.models import Source
from dieuhanh.lake import Lake
from tests.indicators.conftest import ingest

pytestmark = pytest.mark.django_db

FIRST = [
    # 24820: H1 online, finished on time in July; H2 direct, finished late on 4/8.
    {"record_id": "H1", "unit_code": "24820", "channel": "online", "received_at": "2025-07-02T09:00:00+07:00",
     "due_at": "2025-07-10T17:00:00+07:00", "finished_at": "2025-07-05T10:00:00+07:00", "status": "finished",
     "fee_required": "true", "paid_online": "true", "digitized": "true", "e_result": "true", "rating": "satisfied"},
    {"record_id": "H2", "unit_code": "24820", "channel": "direct", "received_at": "2025-07-03T09:00:00+07:00",
     "due_at": "2025-07-20T17:00:00+07:00", "finished_at": "2025-08-04T10:00:00+07:00", "status": "finished",
     "fee_required": "true", "paid_online": "false", "digitized": "false"},
    # 25270: H3 online, still open.
    {"record_id": "H3", "unit_code": "25270", "channel": "online", "received_at": "2025-07-15T09:00:00+07:00",
     "due_at": "2025-12-31T17:00:00+07:00", "status": "processing"},
    # A department: H4 by post, 06:30 on 1/8 (31/7 in UTC), finished on time.
    {"record_id": "H4", "unit_code": "68-SKHCN", "channel": "postal", "received_at": "2025-08-01T06:30:00+07:00",
     "due_at": "2025-08-10T17:00:00+07:00", "finished_at": "2025-08-05T10:00:00+07:00", "status": "finished"},
]  # fmt: skip
SECOND = [
    # H2's finishing date corrected from 4/8 to 2/9: August and September both change.
    {**FIRST[1], "finished_at": "2025-09-02T10:00:00+07:00", "updated_at": "2025-09-02T10:00:00+07:00"},
    {"record_id": "H5", "unit_code": "24781", "channel": "online", "received_at": "2025-09-03T09:00:00+07:00",
     "due_at": "2025-09-10T17:00:00+07:00", "finished_at": "2025-09-04T10:00:00+07:00", "status": "finished"},
]  # fmt: skip


def figures() -> dict[tuple[str, str, str], tuple[Any, ...]]:
    return {
        (v.indicator.code, v.unit.code, v.period): (v.regime, v.numerator, v.denominator, v.value, v.reason, v.target,
                                                    v.status, v.rank, v.rank_of, v.components)
        for v in IndicatorValue.objects.select_related("indicator", "unit")
    }  # fmt: skip


def value(code: str, unit: str, period: str) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__code=code, unit__code=unit, period=period)


def test_full_compute_stores_sums_up_the_tree(source: Source, lake: Lake) -> None:
    ingest(source, "dossiers", FIRST)
    run = indicator_values_compute(full=True)
    assert (run.status, run.mode) == ("done", "full") and run.written > 0
    v = value("dvc.online_share", "68", "2025M07")  # H1, H2, H3 (H4 is August, local time)
    assert (v.numerator, v.denominator, v.value) == (2, 3, pytest.approx(200 / 3))
    assert (v.regime, v.lake_versions["dossiers"]) == ("month", 0)
    assert value("dvc.online_share", "24820", "2025M07").value == 50
    assert (value("dvc.on_time_share", "68", "2025M08").numerator, value("dvc.on_time_share", "68", "2025M08")
            .denominator) == (1, 2)  # fmt: skip
    assert value("dvc.online_share", "68", "R09-2025M08").denominator == 2  # 15/7–14/8: H3, H4
    assert IndicatorDefinition.objects.get(code="dvc.online_share").computed_hash
    # Ranks among units of the same level: 24820 (50%) and 25270 (100%) in July.
    assert (value("dvc.online_share", "25270", "2025M07").rank, value("dvc.online_share", "24820", "2025M07")
            .rank) == (1, 2)  # fmt: skip
    # Groups the records cannot support: null with the reason, never a number.
    total = value("cs766.total", "68", "2025M07")
    assert total.value is None and total.reason.startswith("missing_components:cs766.transparency")
    shown = indicator_value_lookup(code="cs766.total", unit_code="68", period_key="2025M07")["reason_text"]
    assert shown["vi"].startswith("Thiếu thành phần: Chỉ số 766 — Công khai, minh bạch (18 điểm); ")
    assert shown["en"].startswith("Missing components: Index 766 — transparency (of 18); ")
    # Running again changes nothing.
    again = indicator_values_compute(full=True)
    assert again.written == 0 and again.unchanged == run.written and again.deleted == 0


def test_refresh_after_a_batch_equals_a_full_recompute(source: Source, lake: Lake) -> None:
    ingest(source, "dossiers", FIRST)
    indicator_values_compute(full=True)
    batch = ingest(source, "dossiers", SECOND)
    assert batch.months == ["2025-07", "2025-09"]  # the received months: August is not among them
    run = indicator_values_refresh_after_batch(batch=batch)
    assert run is not None and (run.mode, run.status, run.batch_id) == ("batch", "done", str(batch.pk))
    assert "all" not in run.periods.values()
    assert {"2025M07", "2025M08", "2025M09"} <= set(run.periods["month"])  # August from H2's old version
    assert "2025M10" not in run.periods["month"] and run.units == ["24781", "24820"]
    on_time = value("dvc.on_time_share", "68", "2025M08")
    assert (on_time.numerator, on_time.denominator) == (1, 1)  # only H4 finished in August now
    assert value("dvc.on_time_share", "68", "2025M09").denominator == 2  # H2 (late) and H5
    incremental = figures()
    IndicatorValue.objects.all().delete()
    IndicatorDefinition.objects.update(computed_hash="")
    indicator_values_compute(full=True)
    assert figures() == incremental


def test_a_logic_change_recomputes_that_indicator_a_label_change_nothing(
    source: Source, lake: Lake, tmp_path: Path
) -> None:
    ingest(source, "dossiers", FIRST)
    indicator_values_compute(full=True)
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs)
    path = packs / "public_services" / "dossiers.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Tỷ lệ hồ sơ nộp trực tuyến", "Tỷ lệ hồ sơ nộp qua mạng"), encoding="utf-8")
    relabelled = load_catalog([packs])
    run = indicator_values_compute(catalog=relabelled)
    assert (run.indicators, run.written) == ([], 0)
    assert IndicatorDefinition.objects.get(code="dvc.online_share").name_vi == "Tỷ lệ hồ sơ nộp qua mạng"
    path.write_text(text.replace("{count: \"channel = 'online'\"}", "{count: \"channel IN ('online', 'postal')\"}"),
                    encoding="utf-8")  # fmt: skip
    changed = load_catalog([packs])
    run = indicator_values_compute(catalog=changed)
    assert run.indicators == ["dvc.online_share"] and run.written > 0
    assert value("dvc.online_share", "68", "2025M08").value == 100  # H4 came by post


def test_value_lookup_stored_live_and_refusals(source: Source, lake: Lake) -> None:
    ingest(source, "dossiers", FIRST)
    indicator_values_compute(full=True)
    out = indicator_value_lookup(code="dvc.online_share", unit_code="68", period_key="2025M07")
    assert {k: out[k] for k in ("indicator", "unit", "period", "numerator", "denominator", "value")} == {
        "indicator": "dvc.online_share", "unit": "68", "period": "2025M07", "numerator": 2, "denominator": 3,
        "value": 66.7,
    }  # fmt: skip
    assert out["display"] == {"vi": "66,7%", "en": "66.7%"} and out["stored"] is True
    # A day is not stored: computed now from the lake.
    day = indicator_value_lookup(code="dvc.online_share", unit_code="24820", period_key="2025-07-02")
    assert (day["numerator"], day["denominator"], day["value"], day["stored"]) == (1, 1, 100, False)
    empty = indicator_value_lookup(code="dvc.online_share", unit_code="24781", period_key="2025M07")
    got = (empty["numerator"], empty["denominator"], empty["value"], empty["reason"])
    assert got == (0, 0, None, "zero_denominator")
    assert empty["reason_text"]["en"].startswith("Zero denominator")
    for kwargs, code in [
        ({"code": "dvc.nope", "unit_code": "68", "period_key": "2025M07"}, "indicator.not_found"),
        ({"code": "dvc.online_share", "unit_code": "99999", "period_key": "2025M07"}, "unit.not_found"),
        ({"code": "dvc.online_share", "unit_code": "68", "period_key": "2025M13"}, "period.invalid_key"),
        ({"code": "cs766.progress", "unit_code": "68", "period_key": "2025-07-02"}, "indicator.regime"),
    ]:
        with pytest.raises(UserError) as err:
            indicator_value_lookup(**kwargs)  # type: ignore[arg-type]
        assert err.value.code == code and err.value.message_vi and err.value.message_en


def test_records_behind_a_figure(source: Source, lake: Lake) -> None:
    ingest(source, "dossiers", FIRST)
    page = indicator_records(user=None, code="dvc.online_share", unit_code="68", period_key="2025M07",
                             part="numerator")  # fmt: skip
    assert page.total == 2 and [r[0] for r in page.rows] == ["H1", "H3"]
    assert page.columns[:2] == ["record_id", "unit_code"]
    den = indicator_records(user=None, code="dvc.online_share", unit_code="68", period_key="2025M07",
                            part="denominator", limit=2, offset=2)  # fmt: skip
    assert (den.total, [r[0] for r in den.rows]) == (3, ["H3"])
    progress = indicator_records(user=None, code="cs766.progress", unit_code="24820", period_key="2025M08",
                                 part="denominator")  # fmt: skip
    assert [r[0] for r in progress.rows] == ["H2"]  # handled in August (finished 4/8)
    with pytest.raises(UserError):
        indicator_records(user=None, code="cs766.total", unit_code="68", period_key="2025M07")
    with pytest.raises(NotFound):
        indicator_records(user=None, code="dvc.nope", unit_code="68", period_key="2025M07")


def test_past_catalogue_snapshots_are_kept(source: Source, lake: Lake) -> None:
    ingest(source, "services", [
        {"procedure_code": "1.001", "unit_code": "68-SKHCN", "online_level": "full"},
        {"procedure_code": "1.002", "unit_code": "68-SKHCN", "online_level": "partial"},
    ])  # fmt: skip
    run = indicator_values_compute(full=True)
    assert run.status == "done"
    current = IndicatorValue.objects.filter(
        indicator__code="dvc.full_online_services_share", unit__code="68", regime="month"
    )
    (now,) = current
    assert (now.numerator, now.denominator, now.value) == (1, 2, 50)
    past = IndicatorValue.objects.create(
        indicator=now.indicator, unit=now.unit, regime="month", period="2025M01", value=10, numerator=1,
        denominator=10, computed_at=datetime(2025, 2, 1, tzinfo=UTC),
    )  # fmt: skip
    indicator_values_compute(full=True)
    assert IndicatorValue.objects.filter(pk=past.pk).exists()
    assert ComputeRun.objects.filter(status="done").count() == 2
