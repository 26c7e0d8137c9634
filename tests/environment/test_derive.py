"""VN_AQI stored in the lake as observations arrive, the hour-label rule, the environment pack,
and threshold alerts with their e-mails.

Expected figures are computed by hand from Bảng 2 of Decision 1459 (comments show the arithmetic).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from django.core import mail

from dieuhanh.audit.services import Actor
from dieuhanh.environment.models import AlertEpisode, AlertRule, Station
from dieuhanh.environment.services import environment_indicators_compute
from dieuhanh.indicators.models import IndicatorValue
from dieuhanh.ingest.models import Channel, Source
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.lake import Lake

VN = timezone(timedelta(hours=7))


def ingest(source: Source, rows: list[dict[str, Any]]) -> Any:
    records = [(i, {k: str(v) for k, v in r.items()}) for i, r in enumerate(rows, start=1)]
    return batch_ingest(actor=Actor.system("test"), source=source, table="observations", records=records,
                        channel=Channel.MQTT).batch  # fmt: skip


def obs(at: datetime, parameter: str, value: float, station: str = "DL01") -> dict[str, Any]:
    return {"station_code": station, "unit_code": "", "parameter": parameter, "observed_at": at.isoformat(),
            "value": value, "uom": "µg/m³"}  # fmt: skip


def hourly(lake: Lake) -> list[tuple[Any, ...]]:
    return (
        lake.connect()
        .sql(
            "select station_code, unit_code, hour_end, aqi_day, aqi, dominant, band, pm25, no2 "
            "from aqi_hourly order by hour_end"
        )
        .fetchall()
    )


@pytest.mark.django_db
def test_hourly_aqi_is_stored_with_the_hour_labelled_by_its_end(
    stations: dict[str, Station], sensors: Source, lake: Lake
) -> None:
    t = datetime(2026, 3, 1, 10, 0, tzinfo=VN)
    ingest(sensors, [
        obs(t + timedelta(minutes=20), "pm25", 20.0),   # 10:20 → the hour ending 11:00
        obs(t + timedelta(hours=1), "pm25", 21.0),      # 11:00 → the hour ending 11:00 too
        obs(t + timedelta(hours=1), "no2", 118.7),
        obs(t + timedelta(hours=1, seconds=1), "pm25", 30.0),  # 11:00:01 → the hour ending 12:00
    ])  # fmt: skip
    rows = hourly(lake)
    assert [r[2].astimezone(VN).hour for r in rows] == [11, 12]
    first = rows[0]
    # PM2.5 of 11:00 = mean(20, 21) = 20.5; NowCast of one hour (c2, c3 missing) is None: "at least 2
    # of c1..c3" → no PM sub-index, so no AQI; NO2 118.7 → 50 + 50/100 × 18.7 = 59.35 → 59.
    assert (first[0], first[1], first[3], first[4], first[7], first[8]) == (
        "DL01",
        "24781",
        date(2026, 3, 1),
        None,
        None,
        59,
    )
    second = rows[1]
    # 12:00: c1 = 30, c2 = 20.5 → w* = 20.5/30 = 0.683; NowCast = (30 + 0.683 × 20.5)/(1.683) = 26.14
    # → 50 + 50/25 × 1.14 = 52.3 → 52, band Trung bình (moderate).
    assert (second[4], second[5], second[6], second[7]) == (52.0, "pm25", "moderate", 52.0)
    station = Station.objects.get(code="DL01")
    assert (station.latest_aqi, station.latest_dominant) == (52, "pm25")
    assert station.latest_hour == t + timedelta(hours=2)
    assert station.last_seen_at == t + timedelta(hours=1, seconds=1)


@pytest.mark.django_db
def test_daily_aqi_and_the_environment_pack(
    stations: dict[str, Station], sensors: Source, lake: Lake
) -> None:
    # The decision's daily example: PM2.5 24-hour mean 55.7 → 100 + 50/30 × 5.7 = 109.5 → 110 (Kém).
    day = datetime(2026, 3, 1, tzinfo=VN)
    ingest(
        sensors, [obs(day + timedelta(hours=h), "pm25", 55.7) for h in range(1, 25)]
    )  # 01:00 … 00:00 next day
    (row,) = lake.connect().sql("select aqi_day, aqi, dominant, band, unit_code from aqi_daily").fetchall()
    assert row == (date(2026, 3, 1), 110.0, "pm25", "poor", "24781")
    from django_tasks_db.models import DBTaskResult

    from dieuhanh.environment.tasks import environment_indicators_task

    (queued,) = DBTaskResult.objects.filter(task_path__endswith="environment_indicators_task")
    assert queued.args_kwargs["args"] == [["2026-03"]]  # the batch queued its months' refresh
    out = environment_indicators_task.call(["2026-03"])  # what `dieuhanh db_worker` runs
    assert out["status"] == "done" and out["written"] > 0
    run = environment_indicators_compute(months=["2026-03"])
    assert run.status == "done" and run.written == 0  # nothing changed since

    def value(code: str, unit: str = "68") -> Any:
        v = IndicatorValue.objects.get(indicator__code=code, unit__code=unit, period="2026M03")
        return v.numerator, v.denominator, v.value

    assert value("aqi.days_poor") == (1, None, 1)
    assert value("aqi.days_poor", "24781") == (1, None, 1)
    assert value("aqi.good_moderate_days_share") == (0, 1, 0)
    assert value("aqi.daily_mean") == (110, 1, 110)
    # Hourly: the NowCast of a constant series is the constant from the 2nd hour: 23 hours of 110.
    assert value("aqi.hours_poor") == (23, None, 23)


@pytest.mark.django_db
def test_an_alert_is_raised_once_per_episode_and_its_end_recorded(
    stations: dict[str, Station], sensors: Source, lake: Lake, django_capture_on_commit_callbacks: Any
) -> None:
    rule = AlertRule.objects.create(name="AQI > 150, 2 giờ", metric="aqi", operator="gt", value=150,
                                    consecutive_hours=2, recipients="moitruong@lamdong.gov.vn")  # fmt: skip
    t = datetime(2026, 3, 1, 0, tzinfo=VN)
    # Hours ending 01:00 … 03:00 at 100 µg/m³: NowCast 100 (from 02:00) → 150 + 50/70 × 20 = 164.3 → 164.
    # Hour ending 04:00 at 10: c1 … c4 = 10, 100, 100, 100; w* = 0.1 → w = ½:
    # (10 + 50 + 25 + 12.5)/(1 + ½ + ¼ + ⅛) = 52 → 100 + 50/30 × 2 = 103.3 → 103 ≤ 150: the episode ends at 03:00.
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sensors, [obs(t + timedelta(hours=h), "pm25", 100.0) for h in (1, 2)])
    assert AlertEpisode.objects.count() == 0  # one hour with an AQI (02:00) is not two
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sensors, [obs(t + timedelta(hours=3), "pm25", 100.0)])
    (episode,) = AlertEpisode.objects.all()
    assert (episode.rule, episode.started_at, episode.ended_at, episode.peak_value) == (
        rule, t + timedelta(hours=1), None, 164)  # fmt: skip
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["moitruong@lamdong.gov.vn"]
    assert "DL01" in mail.outbox[0].subject and "Trạm Đà Lạt" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            sensors, [obs(t + timedelta(hours=3), "pm25", 100.0), obs(t + timedelta(hours=3), "no2", 20.0)]
        )
    assert AlertEpisode.objects.count() == 1 and len(mail.outbox) == 1  # the same hours again: no new alert
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sensors, [obs(t + timedelta(hours=4), "pm25", 10.0)])
    episode.refresh_from_db()
    assert episode.ended_at == t + timedelta(hours=3)
    assert episode.notified_at is not None and episode.end_notified_at is not None
    assert len(mail.outbox) == 2 and "kết thúc" in mail.outbox[1].subject
