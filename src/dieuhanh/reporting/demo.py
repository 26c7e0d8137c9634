"""Demo periodic reports: the monthly commune form and the quarterly department form, with a few
periods accepted, one period under way, some reports late, one returned and some missing.

Runs after the demo records and the first computation, so the values the records hold are read
from the stored indicator values (one query) rather than recomputed for each unit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dieuhanh.audit.services import Actor, audit_record
from dieuhanh.core.periods import TZ, Period
from dieuhanh.indicators.models import IndicatorValue
from dieuhanh.indicators.services import indicator_values_refresh_after_batch
from dieuhanh.ingest.models import Channel
from dieuhanh.ingest.services import batch_ingest, source_default
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.models import (
    FormElement,
    Origin,
    ReportForm,
    Submission,
    SubmissionStatus,
    SubmissionValue,
)
from dieuhanh.reporting.selectors import deadline, expected_units, form_elements, form_periods
from dieuhanh.reporting.services import SOURCE_CODE, SOURCE_NAME, completeness_publish, report_forms_sync

SEED = 2026
RETURN_COMMENT = (
    "Số hồ sơ công việc xử lý trên mạng chưa khớp với hệ thống quản lý văn bản; đề nghị rà soát lại."
)


def _moment(day: Any, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=TZ)


def _entered(form: ReportForm, unit: OrgUnit, index: int, rng: random.Random) -> dict[str, float]:
    """Plausible entered figures for a unit and the index-th period of the form."""
    size = 0.5 + (sum(map(ord, unit.code)) % 17) / 10
    if form.regime == "month":
        total = round((180 + 40 * size) * rng.uniform(0.9, 1.1))
        online = round(total * min(0.97, 0.55 + 0.06 * index + rng.uniform(-0.05, 0.05)))
        team = 1.0 if index >= 1 or rng.random() < 0.8 else 0.0
        return {
            "HSCV_TOTAL": total,
            "HSCV_ONLINE": online,
            "TO_CNSCD": team,
            "TO_CNSCD_THANH_VIEN": team * rng.randint(5, 14),
            "CDS_HUONG_DAN": round(rng.uniform(40, 400) * size),
            "CDS_TAP_HUAN_CBCC": float(rng.randint(0, 25)),
        }
    total = round((2400 + 900 * size) * rng.uniform(0.9, 1.1))
    budget = round(800 + 1500 * size, -1)
    return {
        "HSCV_TOTAL": total,
        "HSCV_ONLINE": round(total * rng.uniform(0.9, 0.99)),
        "CDS_KINH_PHI": budget,
        "CDS_KINH_PHI_GIAI_NGAN": round(budget * min(1.0, 0.2 + 0.25 * index + rng.uniform(0, 0.1)), -1),
        "CDS_CB_CHUYEN_TRACH": float(rng.randint(1, 6)),
    }


def _known(elements: list[FormElement], period: Period) -> dict[tuple[str, str], float]:
    """(element code, unit code) → the stored indicator value the element is prefilled from."""
    by_indicator = {e.prefill_indicator: e.code for e in elements if e.prefill_indicator}
    out: dict[tuple[str, str], float] = {}
    rows = IndicatorValue.objects.filter(
        indicator__code__in=list(by_indicator), period=period.key, value__isnull=False
    ).values_list("indicator__code", "unit__code", "value")
    for code, unit_code, value in rows:
        if value is not None:
            out[(by_indicator[code], unit_code)] = float(value)
    return out


def reporting_demo(actor: Actor, *, report: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Build the demo submissions; idempotent (a period already in the database is left alone)."""
    report_forms_sync(actor=actor)
    today = timezone.localdate()
    counts = {"submissions": 0, "accepted": 0}
    for form in ReportForm.objects.filter(code__in=["bc.cds_xa_thang", "bc.cds_so_quy"]):
        elements = form_elements(form)
        by_code = {e.code: e for e in elements}
        # Every period since the form's first: the accepted forms are where the work-record
        # figures come from from 2026M07 on, so a period left empty would be a gap in them.
        periods = list(reversed(form_periods(form, today=today, last=24)))
        closed = [i for i, p in enumerate(periods) if p.end <= today and deadline(form, p) < today]
        last_closed = closed[-1] if closed else -1
        for index, period in enumerate(periods):
            if Submission.objects.filter(form=form, period=period.key).exists():
                continue
            rng = random.Random(f"{SEED}-{form.code}-{period.key}")
            due = deadline(form, period)
            ended = period.end <= today
            known = _known(elements, period)
            units = list(expected_units(form, period))
            accepted_rows: list[dict[str, Any]] = []
            with transaction.atomic():
                for n, unit in enumerate(units):
                    roll = rng.random()
                    if not ended:  # the running period: a few units started their draft
                        if roll > 0.15:
                            continue
                        status = SubmissionStatus.DRAFT
                    elif due >= today:  # deadline still ahead
                        status = SubmissionStatus.SUBMITTED if roll < 0.4 else SubmissionStatus.DRAFT
                    elif index == last_closed and roll < 0.07:
                        continue  # missing in the latest closed period
                    elif index == last_closed and n == 3:
                        status = SubmissionStatus.RETURNED
                    elif index == last_closed and roll < 0.25:
                        status = SubmissionStatus.SUBMITTED
                    else:
                        status = SubmissionStatus.ACCEPTED
                    late = ended and rng.random() < 0.12
                    sent_day = (
                        due + timedelta(days=rng.randint(1, 6))
                        if late
                        else due - timedelta(days=rng.randint(0, 4))
                    )
                    sent_day = min(sent_day, today)
                    values = _entered(form, unit, index, rng)
                    now = _moment(sent_day - timedelta(days=1), rng)
                    sub = Submission.objects.create(
                        form=form,
                        unit=unit,
                        period=period.key,
                        status=status,
                        created_at=now,
                        updated_at=now,
                        submitted_at=_moment(sent_day, rng) if status != SubmissionStatus.DRAFT else None,
                        decided_at=_moment(min(today, sent_day + timedelta(days=2)), rng)
                        if status in (SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED)
                        else None,
                        comment=RETURN_COMMENT if status == SubmissionStatus.RETURNED else "",
                        # a return after the lock gives the unit a week (as submission_return does)
                        reopened_until=today + timedelta(days=7)
                        if status == SubmissionStatus.RETURNED
                        else None,
                    )
                    rows = []
                    for code, element in by_code.items():
                        if (code, unit.code) in known:
                            rows.append(
                                SubmissionValue(
                                    submission=sub,
                                    element=element,
                                    value=known[(code, unit.code)],
                                    origin=Origin.RECORDS,
                                )
                            )
                        elif code in values:
                            rows.append(SubmissionValue(submission=sub, element=element, value=values[code]))
                    SubmissionValue.objects.bulk_create(rows)
                    counts["submissions"] += 1
                    if status == SubmissionStatus.ACCEPTED:
                        counts["accepted"] += 1
                        accepted_rows += [
                            {
                                "data_element": v.element.code,
                                "unit_code": unit.code,
                                "period": period.key,
                                "value": repr(v.value),
                            }
                            for v in rows
                        ]
                audit_record(
                    actor=actor,
                    action="report.demo",
                    object_type="reporting.form",
                    object_id=form.code,
                    object_repr=f"{form.code} {period.key}",
                    after={"units": len(units)},
                )
            if accepted_rows:
                result = batch_ingest(
                    actor=actor,
                    source=source_default(code=SOURCE_CODE, name=SOURCE_NAME),
                    table="data_values",
                    records=list(enumerate(accepted_rows, start=1)),
                    channel=Channel.FORM,
                    file_name=f"demo {form.code} {period.key}",
                )
                Submission.objects.filter(
                    form=form, period=period.key, status=SubmissionStatus.ACCEPTED
                ).update(accepted_batch=result.batch)
                indicator_values_refresh_after_batch(batch=result.batch)
            completeness_publish(regime=form.regime, period_key=period.key, actor=actor)
            report(f"{form.code} {period.key}")
    return counts
