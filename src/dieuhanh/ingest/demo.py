"""Demo records for the demo province: 17 months (2025-07 → 2026-11) of plausible, seeded data.

Everything goes through the same path as real data (`batch_ingest`), one batch per table and
month, from named source systems. Figures follow the seed articles: online submission rising
from about 20% toward 60%, dossier digitisation near 68%, a catalogue of 1,805 procedures with
719 partial (39.8%) and 497 full (27.53%) online services, about 98% of outgoing documents
electronic and digitally signed, three air-quality stations with daily cycles and one pollution
episode, and a few reported data elements. Records dated after "now" are never produced:
a dossier still being processed today is sent as processing, and finished on a later run.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from dieuhanh.audit.services import Actor
from dieuhanh.ingest.models import Channel, Source
from dieuhanh.ingest.services import batch_ingest, source_create
from dieuhanh.orgunits.models import Kind, OrgUnit

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_MONTH = date(2025, 7, 1)
LAST_MONTH = date(2026, 11, 1)
SEED = 68
DOSSIERS_PER_YEAR = 300_000
CATALOGUE = {"full": 497, "partial": 719, "none": 1805 - 497 - 719}
STATIONS = [  # code, unit, name, base PM2.5 (µg/m³)
    ("DL01", "24781", "Trạm quan trắc Đà Lạt (Xuân Hương)", 14.0),
    ("BL01", "24823", "Trạm quan trắc Bảo Lộc", 19.0),
    ("PT01", "22945", "Trạm quan trắc Phan Thiết", 24.0),
]
FIELDS = ["Hộ tịch", "Đất đai", "Xây dựng", "Đăng ký kinh doanh", "Chứng thực", "Giáo dục", "Y tế",
          "Lao động", "Giao thông", "Nông nghiệp", "Tài nguyên nước", "Văn hóa"]  # fmt: skip
# Reported data elements (data_values): DHIS2-style codes used by the socio-economic and
# digital-government packs.
REPORT_FORMS_START = date(2026, 7, 1)
DATA_ELEMENTS = {
    "HSCV_TOTAL": "Hồ sơ công việc phát sinh",
    "HSCV_ONLINE": "Hồ sơ công việc xử lý trên môi trường mạng",
    "TO_CNSCD": "Tổ công nghệ số cộng đồng đã thành lập (1 = có)",
    "TO_CNSCD_THANH_VIEN": "Thành viên tổ công nghệ số cộng đồng",
}


@dataclass(frozen=True)
class DemoUnit:
    code: str
    kind: str
    weight: float
    online_bias: float


def months(until: date) -> list[date]:
    out, m = [], FIRST_MONTH
    while m <= min(LAST_MONTH, until):
        out.append(m)
        m = date(m.year + (m.month // 12), m.month % 12 + 1, 1)
    return out


def _units(rng: random.Random) -> list[DemoUnit]:
    units = []
    for code, kind in OrgUnit.objects.current().exclude(kind=Kind.PROVINCE).values_list("code", "kind"):
        weight = rng.lognormvariate(0, 0.6) * (3.0 if kind == Kind.DEPARTMENT else 1.0)
        units.append(DemoUnit(code, kind, weight, rng.uniform(-0.08, 0.08)))
    return sorted(units, key=lambda u: u.code)


def _sources(province: OrgUnit) -> dict[str, Source]:
    actor = Actor.system("demo")
    specs = {
        "motcua-lamdong": "Hệ thống thông tin giải quyết TTHC tỉnh Lâm Đồng",
        "csdl-tthc": "Cơ sở dữ liệu thủ tục hành chính (danh mục)",
        "qlvb-lamdong": "Hệ thống quản lý văn bản và điều hành",
        "quan-trac-moi-truong": "Mạng trạm quan trắc môi trường tự động",
        "bao-cao-dinh-ky": "Hệ thống thông tin báo cáo",
    }
    return {
        code: Source.objects.filter(code=code).first()
        or source_create(actor=actor, code=code, name=name, owner=province, units=[province])
        for code, name in specs.items()
    }


def _business_moment(rng: random.Random, month: date) -> datetime:
    days = (date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days
    while True:
        day = month + timedelta(days=rng.randrange(days))
        if day.weekday() < 5:
            break
    minutes = rng.randrange(7 * 60 + 30, 17 * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), LOCAL)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def catalogue(
    rng: random.Random, departments: list[str]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """1,805 procedures, each owned by one department; returns rows and codes by owner."""
    levels = [lv for lv, n in CATALOGUE.items() for _ in range(n)]
    rng.shuffle(levels)
    rows: list[dict[str, Any]] = []
    by_owner: dict[str, list[str]] = {d: [] for d in departments}
    for i, level in enumerate(levels):
        code = f"{1 + i % 2}.{i:06d}"
        owner = departments[i % len(departments)]
        rows.append({"procedure_code": code, "unit_code": owner, "name": f"{FIELDS[i % len(FIELDS)]}: thủ tục {i + 1}",
                     "online_level": level, "fee_required": "có" if rng.random() < 0.35 else "không"})  # fmt: skip
        by_owner[owner].append(code)
    return rows, by_owner


def dossiers(rng: random.Random, units: list[DemoUnit], month: date, index: int, now: datetime,
             procedures: list[str], scale: float = 1.0) -> Iterator[dict[str, Any]]:  # fmt: skip
    total_weight = sum(u.weight for u in units)
    season = 0.75 if month.month in (1, 2) else 1.0  # Tết
    per_month = DOSSIERS_PER_YEAR / 12 * season * scale
    progress = index / 16  # 2025-07 → 2026-11
    for unit in units:
        n = int(per_month * unit.weight / total_weight + rng.random())
        for k in range(n):
            # Draw every value first, so a record is the same on every run whatever "now" is.
            received = _business_moment(rng, month)
            online = rng.random() < min(0.95, max(0.02, 0.20 + 0.40 * progress + unit.online_bias))
            fee = rng.random() < 0.35
            days = rng.choice((1, 3, 5, 7, 10, 15, 20))
            due = datetime.combine(received.date() + timedelta(days=math.ceil(days * 7 / 5)), time(17), LOCAL)
            roll = rng.random()
            finished = None
            status = "finished"
            if roll < 0.015:
                status = "returned"
            elif roll < 0.02:
                status = "withdrawn"
            late = rng.random() < 0.06
            span = (due - received) * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.2, 0.98))
            finished = received + span
            rated, r = rng.random() < 0.55, rng.random()
            procedure, postal = rng.choice(procedures), rng.random() < 0.03
            paid, digitized, e_result = rng.random(), rng.random() < 0.6845, rng.random()
            if received.astimezone(UTC) > now:
                continue
            if finished.astimezone(UTC) > now:
                status, finished = "processing", None
            rating = ""
            if status == "finished" and rated:
                rating = "satisfied" if r < 0.92 else "neutral" if r < 0.98 else "unsatisfied"
            yield {
                "record_id": f"H68.{unit.code}-{month:%y%m}-{k:05d}",
                "unit_code": unit.code,
                "procedure_code": procedure,
                "channel": "online" if online else ("postal" if postal else "direct"),
                "received_at": _iso(received),
                "due_at": _iso(due),
                "finished_at": _iso(finished),
                "status": status,
                "fee_required": fee,
                "paid_online": fee and online and paid < 0.3 + 0.4 * progress,
                "digitized": digitized,
                "e_result": status == "finished" and e_result < 0.35 + 0.35 * progress,
                "rating": rating,
                "updated_at": _iso(finished or received),
            }


def documents(
    rng: random.Random, units: list[DemoUnit], month: date, now: datetime, scale: float = 1.0
) -> Iterator[dict[str, Any]]:
    for unit in units:
        per = (120 if unit.kind == Kind.DEPARTMENT else 45) * scale
        for k in range(int(per * unit.weight / (3 if unit.kind == Kind.DEPARTMENT else 1))):
            sent = _business_moment(rng, month)
            outgoing = rng.random() < 0.45
            electronic = rng.random() < (0.992 if outgoing else 0.97)
            signed, linked = rng.random() < 0.99, rng.random() < 0.9
            if sent.astimezone(UTC) > now:
                continue
            yield {
                "record_id": f"VB68.{unit.code}-{month:%y%m}-{k:05d}",
                "unit_code": unit.code,
                "direction": "outgoing" if outgoing else "incoming",
                "sent_at": _iso(sent),
                "electronic": electronic,
                "digitally_signed": electronic and signed,
                "interconnected": electronic and linked,
            }


EPISODE = datetime(2026, 11, 10, 6, tzinfo=LOCAL)  # a dry-season smoke episode at Phan Thiết, 54 hours


def observations(start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Hourly values with morning and evening peaks, the same for an hour on every run."""
    episode_start = EPISODE
    hours = int((end - start).total_seconds() // 3600)
    for station, unit, _name, base in STATIONS:
        for h in range(hours):
            moment = (start + timedelta(hours=h)).astimezone(LOCAL)
            rng = random.Random(f"{station}-{moment.isoformat()}")
            cycle = (
                1
                + 0.35 * math.exp(-((moment.hour - 7) ** 2) / 6)
                + 0.45 * math.exp(-((moment.hour - 19) ** 2) / 8)
            )
            boost = 1.0
            if station == "PT01" and episode_start <= moment < episode_start + timedelta(hours=54):
                boost = 4.2 + rng.uniform(-0.5, 0.8)
            pm25 = max(1.0, rng.gauss(base * cycle * boost, base * 0.15))
            values = {
                "pm25": pm25, "pm10": pm25 * rng.uniform(1.4, 1.9), "o3": max(5.0, 40 + 45 * math.sin(
                    math.pi * (moment.hour - 6) / 14) if 6 <= moment.hour <= 20 else 25 + rng.uniform(-5, 5)),
                "no2": max(3.0, rng.gauss(22 * cycle, 4)), "so2": max(1.0, rng.gauss(9, 2)),
                "co": max(100.0, rng.gauss(900 * cycle, 120)),
            }  # fmt: skip
            for parameter, value in values.items():
                yield {"station_code": station, "unit_code": unit, "parameter": parameter,
                       "observed_at": _iso(moment), "value": round(value, 1), "uom": "µg/m³"}  # fmt: skip


def data_values(
    rng: random.Random, units: list[DemoUnit], month: date, index: int
) -> Iterator[dict[str, Any]]:
    progress = index / 16
    for unit in units:
        total = int(300 * unit.weight) + 20
        share = (0.93 if unit.kind == Kind.DEPARTMENT else 0.45 + 0.4 * progress) + unit.online_bias / 2
        yield {
            "data_element": "HSCV_TOTAL",
            "unit_code": unit.code,
            "period": f"{month:%Y}M{month:%m}",
            "value": total,
        }
        yield {"data_element": "HSCV_ONLINE", "unit_code": unit.code, "period": f"{month:%Y}M{month:%m}",
               "value": round(total * min(share, 1.0))}  # fmt: skip
        if unit.kind != Kind.DEPARTMENT:
            has_team = 1 if index >= 2 or rng.random() < 0.7 else 0
            yield {"data_element": "TO_CNSCD", "unit_code": unit.code, "period": f"{month:%Y}M{month:%m}",
                   "value": has_team}  # fmt: skip
            yield {"data_element": "TO_CNSCD_THANH_VIEN", "unit_code": unit.code, "period": f"{month:%Y}M{month:%m}",
                   "value": has_team * rng.randint(5, 14)}  # fmt: skip


def demo_records(
    *, now: datetime | None = None, scale: float = 1.0, report: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Generate and ingest everything; returns rows written per table. Idempotent (seeded).

    `scale` shrinks the volumes (dossiers, documents, days of observations) for quick runs.
    """
    now = now or timezone.now()
    province = OrgUnit.objects.get(code="68")
    rng = random.Random(SEED)
    units = _units(rng)
    departments = [u.code for u in units if u.kind == Kind.DEPARTMENT]
    sources = _sources(province)
    actor = Actor.system("demo")
    written: dict[str, int] = {}

    def send(table: str, source: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        records = [(i, {k: "" if v is None else str(v).lower() if isinstance(v, bool) else v for k, v in r.items()})
                   for i, r in enumerate(rows, start=1)]  # fmt: skip
        result = batch_ingest(actor=actor, source=sources[source], table=table, records=records,
                              channel=Channel.DEMO, file_name=f"demo {table}")  # fmt: skip
        written[table] = written.get(table, 0) + result.batch.accepted

    service_rows, by_owner = catalogue(random.Random(SEED + 1), departments)
    send("services", "csdl-tthc", service_rows)
    all_procedures = [p for codes in by_owner.values() for p in codes]
    for index, month in enumerate(months(now.astimezone(LOCAL).date())):
        rng = random.Random(f"{SEED}-{month}")
        send(
            "dossiers", "motcua-lamdong", list(dossiers(rng, units, month, index, now, all_procedures, scale))
        )
        send("documents", "qlvb-lamdong", list(documents(rng, units, month, now, scale)))
        # Reported figures before the periodic report forms started (2026M07, dieuhanh.reporting):
        # what a province imports from its earlier reporting system. Later months come from the forms.
        if month < min(now.astimezone(LOCAL).date().replace(day=1), REPORT_FORMS_START):
            send("data_values", "bao-cao-dinh-ky", list(data_values(rng, units, month, index)))
        report(f"{month:%m/%Y}")
    end = now.astimezone(LOCAL).replace(minute=0, second=0, microsecond=0)
    days = max(2, round(60 * scale))
    send("observations", "quan-trac-moi-truong", list(observations(end - timedelta(days=days), end)))
    return written
