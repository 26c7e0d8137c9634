"""Demo data of the registry for Lâm Đồng (GSO 68), built through the services (audited, idempotent).

What the seeds say, and what is illustrative:
- Systems: the main systems the seeds name (one-stop-shop and public-service portal, document
  management, the provincial portal, the IOC, the LGSP, the document axis, the reporting system,
  sector databases). Levels follow their criteria; most were approved before the deadline of
  30/11/2023 (seed 000), a few are missing. Decision numbers are marked "DEMO-": illustrative.
- National connections: 13, of which the 8 named by seed 003 are connected; the other five are
  not named by the seeds (data/national_systems.csv says so for each).
- Platforms: the 12 digital platforms seed 003 lists.
- IOCs: the province (opening planned for 06/10/2023, seed 000), the Department of Education and
  the 7 localities of seed 000; districts no longer exist, so each is registered under the commune
  or ward that holds the former district's centre (a demo mapping). Lâm Hà, Đơn Dương and Di Linh,
  which had none in 2023, registered build timelines; their phases and dates are illustrative.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry import services as svc
from dieuhanh.registry.levels import Criteria
from dieuhanh.registry.models import InformationSystem, NationalSystem
from dieuhanh.registry.services import MilestoneSpec

DATA = Path(__file__).parent / "data"
PROVINCE = "68"
SECURITY_UNIT = "68-SKHCN"


@dataclass
class DemoResult:
    counts: Counter[str] = field(default_factory=Counter)

    def note(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def as_dict(self) -> dict[str, int]:
        return {k: self.counts[k] for k in ("created", "updated", "unchanged")}


def _units() -> dict[str, OrgUnit]:
    return {u.code: u for u in OrgUnit.objects.all()}


# code, name, owner, operator, kind, hosting, criteria at approval, criteria now (if changed),
# approval (level, decision number, date) or None
_INTERNAL_USERS = {"purpose": "internal", "personal_data": True}
_PROVINCE_INFRA = {"purpose": "infrastructure", "infra_scope": "sector_province"}
SYSTEMS: list[dict[str, Any]] = [
    {"code": "68-HT-DVC",
     "name": "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh (Cổng Dịch vụ công, một cửa điện tử)",
     "owner": "68", "operator": "68-VPUB", "kind": "one_stop_shop", "hosting": "data_centre",
     "criteria": {"purpose": "citizens", "personal_data": True, "handles_procedures": True,
                  "online_service_level": "3_plus"},
     "approval": (3, "DEMO-2101/QĐ-UBND", date(2023, 10, 25))},
    {"code": "68-HT-QLVB", "name": "Hệ thống quản lý văn bản và điều hành", "owner": "68", "operator": "68-VPUB",
     "kind": "document_management", "hosting": "data_centre", "criteria": _INTERNAL_USERS,
     "approval": (2, "DEMO-315/QĐ-STTTT", date(2023, 9, 28))},
    {"code": "68-HT-CONG", "name": "Cổng thông tin điện tử tỉnh", "owner": "68", "operator": "68-VPUB",
     "kind": "portal", "hosting": "data_centre", "criteria": {"purpose": "citizens", "online_service_level": "up_to_2"},
     "now": {"purpose": "citizens", "online_service_level": "3_plus", "handles_procedures": True},
     "approval": (2, "DEMO-316/QĐ-STTTT", date(2023, 9, 28))},
    {"code": "68-HT-IOC", "name": "Trung tâm Giám sát, điều hành thông minh tỉnh (IOC)", "owner": "68",
     "operator": "68-SKHCN", "kind": "ioc", "hosting": "data_centre", "criteria": _PROVINCE_INFRA,
     "approval": (3, "DEMO-2230/QĐ-UBND", date(2023, 11, 10))},
    {"code": "68-HT-LGSP", "name": "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)", "owner": "68",
     "operator": "68-SKHCN", "kind": "lgsp", "hosting": "data_centre", "criteria": _PROVINCE_INFRA,
     "workflow": ("DEMO-2315/QĐ-UBND", date(2023, 9, 15), date(2023, 10, 12), date(2023, 11, 20))},
    {"code": "68-HT-LTVB", "name": "Trục liên thông văn bản điện tử tỉnh", "owner": "68", "operator": "68-VPUB",
     "kind": "document_management", "hosting": "data_centre", "criteria": _PROVINCE_INFRA,
     "approval": (3, "DEMO-2231/QĐ-UBND", date(2023, 11, 10))},
    {"code": "68-HT-BAOCAO", "name": "Hệ thống thông tin báo cáo tỉnh", "owner": "68", "operator": "68-SKHCN",
     "kind": "internal", "hosting": "data_centre", "criteria": _INTERNAL_USERS,
     "approval": (2, "DEMO-317/QĐ-STTTT", date(2023, 9, 28))},
    {"code": "68-SNNMT-CSDLDD", "name": "Hệ thống thông tin, cơ sở dữ liệu đất đai", "owner": "68-SNNMT",
     "operator": "68-SNNMT", "kind": "sector_database", "hosting": "data_centre", "criteria": _PROVINCE_INFRA,
     "approval": (3, "DEMO-118/QĐ-STNMT", date(2023, 11, 27))},
    {"code": "68-SYT-HSSK", "name": "Hệ thống hồ sơ sức khỏe điện tử", "owner": "68-SYT", "operator": "68-SYT",
     "kind": "sector_database", "hosting": "cloud",
     "criteria": {"purpose": "citizens", "personal_data": True, "sensitive_data": True, "data_subjects": 1_300_000},
     "submitted": date(2026, 10, 20)},
    {"code": "68-SGDDT-CSDL", "name": "Cơ sở dữ liệu ngành giáo dục và đào tạo", "owner": "68-SGDDT",
     "operator": "68-SGDDT", "kind": "sector_database", "hosting": "cloud", "criteria": _INTERNAL_USERS,
     "draft": True},
    {"code": "24848-HT-IOC", "name": "Hệ thống giám sát, điều hành thông minh xã Lạc Dương", "owner": "24848",
     "operator": "24848", "kind": "ioc", "hosting": "on_premises", "criteria": {"purpose": "infrastructure",
                                                                              "infra_scope": "one_body"}},
]  # fmt: skip

PLATFORMS = [
    ("dia-chi-so", "Nền tảng địa chỉ số", "Digital address platform", "68-SKHCN"),
    ("ban-do-so", "Nền tảng bản đồ số (cơ sở dữ liệu đất đai)", "Digital map platform (land database)", "68-SNNMT"),
    ("lgsp", "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)", "Data integration and sharing platform (LGSP)", "68-SKHCN"),
    ("hop-truc-tuyen", "Nền tảng họp trực tuyến thế hệ mới cho cơ quan nhà nước", "Video-conference platform",
     "68-VPUB"),
    ("day-hoc-truc-tuyen", "Nền tảng dạy học trực tuyến", "Online teaching platform", "68-SGDDT"),
    ("hoa-don-dien-tu", "Nền tảng hóa đơn điện tử", "E-invoice platform", "68-STC"),
    ("truy-xuat-nguon-goc", "Nền tảng truy xuất nguồn gốc nông sản", "Farm-produce traceability platform",
     "68-SNNMT"),
    ("ho-so-suc-khoe", "Nền tảng hồ sơ sức khỏe điện tử", "Electronic health record platform", "68-SYT"),
    ("tram-y-te", "Nền tảng trạm y tế xã", "Commune health station platform", "68-SYT"),
    ("san-tmdt", "Sàn thương mại điện tử", "E-commerce marketplace", "68-SCT"),
    ("ioc", "Trung tâm Giám sát, điều hành thông minh (IOC)", "Intelligent operations centre (IOC)", "68-SKHCN"),
    ("soc", "Trung tâm Giám sát, điều hành an toàn thông tin mạng (SOC)", "Security operations centre (SOC)",
     "68-SKHCN"),
]  # fmt: skip

CONNECTED = {"dkdn", "baohiem", "vbqppl", "lltp", "hotich", "mang-sach", "danhmuc", "dvcqg"}
TESTING = {"dancu"}

# Former district (seed 000) → the current unit holding its centre (demo mapping).
IOC_LOCALITIES = [
    ("Đà Lạt", "24781"), ("Lạc Dương", "24848"), ("Đạ Tẻh", "25126"), ("Bảo Lộc", "24823"),
    ("Bảo Lâm", "25054"), ("Đam Rông", "24886"), ("Đức Trọng", "24958"),
]  # fmt: skip
_SEED_000 = "Seed 000 (18/9/2023): one of the 7 localities with an IOC"


def _phases(
    dues: list[date], done: list[date | None], forecast: dict[int, date] | None = None
) -> list[MilestoneSpec]:
    names = [
        "Phê duyệt đề cương, dự toán", "Lựa chọn nhà thầu", "Lắp đặt hạ tầng, phần mềm",
        "Kết nối dữ liệu, vận hành thử", "Đưa vào vận hành chính thức",
    ]  # fmt: skip
    forecast = forecast or {}
    return [MilestoneSpec(name=n, due_on=d, done_on=x, forecast_on=forecast.get(i))
            for i, (n, d, x) in enumerate(zip(names, dues, done, strict=True))]  # fmt: skip


BUILDS = [  # former district, unit, timeline phases, operating since (or None)
    ("Lâm Hà", "24871", _phases(
        [date(2023, 11, 30), date(2024, 1, 31), date(2024, 4, 30), date(2024, 6, 30), date(2024, 8, 31)],
        [date(2023, 11, 20), date(2024, 1, 25), date(2024, 4, 22), date(2024, 6, 28), date(2024, 8, 20)]),
     date(2024, 8, 20)),
    ("Đơn Dương", "24931", _phases(
        [date(2023, 11, 30), date(2024, 1, 31), date(2024, 4, 30), date(2024, 6, 30), date(2024, 8, 31)],
        [date(2023, 11, 28), date(2024, 3, 15), date(2024, 6, 20), date(2024, 8, 30), date(2024, 10, 15)]),
     date(2024, 10, 15)),
    ("Di Linh", "25000", _phases(
        [date(2026, 6, 30), date(2026, 8, 31), date(2026, 10, 31), date(2026, 12, 31), date(2027, 3, 31)],
        [date(2026, 6, 25), date(2026, 9, 10), None, None, None], {3: date(2027, 2, 28)}),
     None),
]  # fmt: skip


def _systems(actor: Actor, units: dict[str, OrgUnit], result: DemoResult) -> None:
    for spec in SYSTEMS:
        system = InformationSystem.objects.filter(code=spec["code"]).first()
        created = system is None
        if system is None:
            system = svc.system_create(
                actor=actor, code=spec["code"], name=spec["name"], owner_unit=units[spec["owner"]],
                operating_unit=units[spec["operator"]], kind=spec["kind"], hosting=spec["hosting"],
                criteria=Criteria.from_dict(spec["criteria"]), source="demo",
            )  # fmt: skip
        if "approval" in spec and system.approval is None:
            level, number, day = spec["approval"]
            svc.dossier_record_approval(actor=actor, system=system, level=level, decision_number=number,
                                        decision_date=day, source="demo")  # fmt: skip
        if "workflow" in spec and not system.dossiers.exists():
            number, opened, appraised, approved = spec["workflow"]
            dossier = svc.dossier_create(actor=actor, system=system, on=opened)
            svc.dossier_submit(actor=actor, dossier=dossier, on=opened)
            svc.dossier_appraise(actor=actor, dossier=dossier, on=appraised, reference="DEMO-45/STTTT-ATTT",
                                 opinion="Đề xuất cấp độ phù hợp tiêu chí.")  # fmt: skip
            svc.dossier_approve(actor=actor, dossier=dossier, decision_number=number, decision_date=approved)
        if "submitted" in spec and not system.dossiers.exists():
            dossier = svc.dossier_create(actor=actor, system=system, on=spec["submitted"])
            svc.dossier_submit(actor=actor, dossier=dossier, on=spec["submitted"])
        if spec.get("draft") and not system.dossiers.exists():
            svc.dossier_create(actor=actor, system=system)
        now = Criteria.from_dict(spec.get("now", spec["criteria"])).as_dict()
        changed = svc.system_update(actor=actor, system=system, changes=now)
        result.note("created" if created else "updated" if changed else "unchanged")


def _network(actor: Actor, units: dict[str, OrgUnit], result: DemoResult) -> None:
    with (DATA / "national_systems.csv").open(encoding="utf-8") as fh:
        for position, row in enumerate(csv.DictReader(fh), start=1):
            _, outcome = svc.national_system_save(actor=actor, code=row["code"], name=row["name"],
                                                  name_en=row["name_en"], managing_body=row["managing_body"],
                                                  position=position, source=row["source"])  # fmt: skip
            result.note(outcome)
    for national in NationalSystem.objects.all():
        status = (
            "connected"
            if national.code in CONNECTED
            else "testing"
            if national.code in TESTING
            else "planned"
        )
        _, outcome = svc.connection_save(
            actor=actor, unit=units[PROVINCE], national_system=national, status=status,
            note="Seed 003: LGSP connected 8 of 13" if status == "connected" else "", source="demo",
        )  # fmt: skip
        result.note(outcome)
    for code, name, name_en, unit in PLATFORMS:
        _, outcome = svc.platform_save(actor=actor, code=code, name=name, name_en=name_en, unit=units[unit],
                                       status="operating", source="Seed 003: 12 digital platforms")  # fmt: skip
        result.note(outcome)


def _iocs(actor: Actor, units: dict[str, OrgUnit], result: DemoResult) -> None:
    province = units[PROVINCE]
    outcomes = [
        svc.ioc_save(actor=actor, unit=province, name="Trung tâm Giám sát, điều hành thông minh tỉnh Lâm Đồng",
                     status="operating", operating_since=date(2023, 10, 6),
                     note="Khai trương dự kiến 06/10/2023 (seed 000) — ngày thực tế cần xác nhận.",
                     source="seed 000")[1],
        svc.ioc_save(actor=actor, unit=units["68-SGDDT"], name="Trung tâm điều hành thông minh ngành giáo dục",
                     status="operating", note="Đã hình thành trước 18/9/2023 (seed 000).", source="seed 000")[1],
    ]  # fmt: skip
    for district, code in IOC_LOCALITIES:
        outcomes.append(svc.ioc_save(
            actor=actor, unit=units[code], name=f"Trung tâm điều hành thông minh (huyện {district} cũ)",
            status="operating", note=f"{_SEED_000} ({district}); registered under this unit (demo mapping).",
            source="seed 000",
        )[1])  # fmt: skip
    for district, code, phases, since in BUILDS:
        unit = units[code]
        timeline, outcome = svc.timeline_register(
            actor=actor, unit=unit, programme=svc.IOC_PROGRAMME, title=f"Tiến độ xây dựng IOC (huyện {district} cũ)",
            milestones=phases, registered_on=phases[0].due_on.replace(day=1), source="demo (illustrative dates)",
        )  # fmt: skip
        outcomes.append(outcome)
        outcomes.append(svc.ioc_save(
            actor=actor, unit=unit, name=f"Trung tâm điều hành thông minh (huyện {district} cũ)",
            status="operating" if since else "building", operating_since=since, timeline=timeline,
            note=f"Seed 000: {district} had no IOC in 2023 and registered its build timeline.", source="demo",
        )[1])  # fmt: skip
    for outcome in outcomes:
        result.note(outcome)


def registry_demo(actor: Actor) -> DemoResult:
    """Build (or leave unchanged) the registry's demo data. Needs the units and departments of 68."""
    units = _units()
    result = DemoResult()
    result.note(svc.security_unit_assign(actor=actor, owner=units[PROVINCE], security_unit=units[SECURITY_UNIT],
                                         note="Sở KH&CN (trước 2025: Sở TT&TT)"))  # fmt: skip
    _systems(actor, units, result)
    _network(actor, units, result)
    _iocs(actor, units, result)
    return result
