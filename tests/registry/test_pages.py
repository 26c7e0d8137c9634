"""The registry's pages (Vietnamese by default, English on request, bounded queries), its XLSX
export and upload, the workflow through the page forms, and the API's reads."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import InformationSystem, LevelDossier
from dieuhanh.registry.services import (
    MilestoneSpec,
    connection_save,
    dossier_record_approval,
    ioc_save,
    national_system_save,
    platform_save,
    timeline_register,
)
from tests.registry.conftest import INTERNAL, PROCEDURES

pytestmark = pytest.mark.django_db
MakeUser = Callable[[str, str], User]
MakeSystem = Callable[..., InformationSystem]
Login = Callable[[User], Client]


@pytest.fixture
def data(make_system: MakeSystem, units: dict[str, OrgUnit], actor: Actor) -> dict[str, InformationSystem]:
    dvc = make_system("68-DVC", "68", PROCEDURES, name="Cổng Dịch vụ công tỉnh")
    dossier_record_approval(actor=actor, system=dvc, level=3, decision_number="2101/QĐ-UBND",
                            decision_date=date(2023, 10, 25))  # fmt: skip
    qlvb = make_system("68-QLVB", "68", INTERNAL, name="Quản lý văn bản")
    national, _ = national_system_save(actor=actor, code="dancu", name="Cơ sở dữ liệu quốc gia về dân cư")
    connection_save(actor=actor, unit=units["68"], national_system=national, status="connected",
                    connected_on=date(2023, 6, 1))  # fmt: skip
    platform_save(actor=actor, code="lgsp", name="Nền tảng LGSP", unit=units["68-SKHCN"], status="operating")
    timeline, _ = timeline_register(actor=actor, unit=units["24820"], programme="ioc-build", title="IOC xã",
                                    milestones=[MilestoneSpec("Lắp đặt", date(2026, 1, 31))])  # fmt: skip
    ioc_save(actor=actor, unit=units["24820"], name="IOC xã Lạc Dương", status="building", timeline=timeline)
    return {"dvc": dvc, "qlvb": qlvb}


PAGES = ["/chinh-quyen-so/", "/chinh-quyen-so/he-thong/", "/chinh-quyen-so/he-thong/?unapproved=1",
         "/chinh-quyen-so/he-thong/68-DVC/", "/chinh-quyen-so/he-thong/68-QLVB/", "/chinh-quyen-so/he-thong/them/",
         "/chinh-quyen-so/he-thong/68-DVC/sua/", "/chinh-quyen-so/he-thong/nhap/", "/chinh-quyen-so/nen-tang/",
         "/chinh-quyen-so/ioc/"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_in_vietnamese_with_few_queries(  # type: ignore[no-untyped-def]
    path: str,
    data: dict[str, InformationSystem],
    make_user: MakeUser,
    login: Login,
    django_assert_max_num_queries,
) -> None:
    client = login(make_user(Role.ADMIN, "68"))
    with django_assert_max_num_queries(30):
        response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_system_page_shows_level_legal_basis_and_flags(data: dict[str, InformationSystem], make_user: MakeUser,
                                                        login: Login) -> None:  # fmt: skip
    client = login(make_user(Role.VIEWER, "68"))
    page = client.get("/chinh-quyen-so/he-thong/68-DVC/").content.decode()
    assert "2101/QĐ-UBND" in page and "25/10/2023" in page
    assert "khoản 2 Điều 12 Nghị định số 85/2016/NĐ-CP" in page  # the approval's legal basis
    assert "điểm b khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP" in page  # today's suggestion
    assert "Hệ thống thông tin giải quyết thủ tục hành chính." in page
    unapproved = client.get("/chinh-quyen-so/he-thong/68-QLVB/").content.decode()
    assert "Hệ thống chưa có cấp độ được phê duyệt." in unapproved
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/chinh-quyen-so/he-thong/68-QLVB/").content.decode()
    assert "This system has no approved security level." in english
    assert "Serves internal operations with private or personal information" in english


def test_workflow_through_the_page_forms(data: dict[str, InformationSystem], make_user: MakeUser,
                                         login: Login) -> None:  # fmt: skip
    officer = login(make_user(Role.OFFICER, "68"))
    url = "/chinh-quyen-so/he-thong/68-QLVB/ho-so/"
    officer.post(url + "open/", {"proposed_level": "3"})  # another level without a reason: refused
    assert not LevelDossier.objects.filter(system__code="68-QLVB").exists()
    page = officer.get("/chinh-quyen-so/he-thong/68-QLVB/").content.decode()
    assert "cần nêu lý do" in page
    officer.post(url + "open/", {"proposed_level": ""})
    dossier = LevelDossier.objects.get(system__code="68-QLVB")
    assert dossier.proposed_level == 2
    officer.post(url + "submit/", {"dossier": dossier.pk})
    security = login(make_user(Role.MANAGER, "68-SKHCN"))
    assert "Ghi nhận kết quả thẩm định" in security.get("/chinh-quyen-so/he-thong/68-QLVB/").content.decode()
    security.post(url + "appraise/", {"dossier": dossier.pk, "opinion": "Đạt"})
    security.post(url + "approve/", {"dossier": dossier.pk, "decision_number": "9/QĐ-SKHCN",
                                     "decision_date": timezone.localdate().isoformat()})  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.status == "approved" and dossier.decision_number == "9/QĐ-SKHCN"


def test_viewer_gets_no_workflow_forms(
    data: dict[str, InformationSystem], make_user: MakeUser, login: Login
) -> None:
    page = login(make_user(Role.VIEWER, "68")).get("/chinh-quyen-so/he-thong/68-QLVB/").content.decode()
    assert "Mở hồ sơ cấp độ" not in page and "/sua/" not in page and "ho-so/open/" not in page


def test_export_xlsx_from_the_list(
    data: dict[str, InformationSystem], make_user: MakeUser, login: Login
) -> None:
    client = login(make_user(Role.VIEWER, "68"))
    response = client.get("/chinh-quyen-so/he-thong/?unapproved=1&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Quản lý văn bản"]
    inventory = load_workbook(io.BytesIO(client.get("/chinh-quyen-so/he-thong/?format=xlsx").content)).active
    assert inventory is not None
    assert [r[8] for r in list(inventory.iter_rows(values_only=True))[1:]] == ["2101/QĐ-UBND", None]


def test_upload_reports_refused_rows(units: dict[str, OrgUnit], make_user: MakeUser, login: Login) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Tên hệ thống", "Đơn vị chủ quản", "Cấp độ"])
    sheet.append(["Camera xã", "24820", 2])
    sheet.append(["Khác", "00000", 2])
    out = io.BytesIO()
    book.save(out)
    client = login(make_user(Role.OFFICER, "24820"))
    upload = SimpleUploadedFile("danh_muc.xlsx", out.getvalue())
    page = client.post("/chinh-quyen-so/he-thong/nhap/", {"file": upload}).content.decode()
    assert "Đơn vị chủ quản 00000 không có trong hệ thống." in page
    assert InformationSystem.objects.filter(name="Camera xã", owner_unit__code="24820").exists()


def test_network_and_ioc_pages(data: dict[str, InformationSystem], make_user: MakeUser, login: Login) -> None:
    client = login(make_user(Role.VIEWER, "68"))
    network = client.get("/chinh-quyen-so/nen-tang/").content.decode()
    assert "Cơ sở dữ liệu quốc gia về dân cư" in network and "1/1" in network and "Nền tảng LGSP" in network
    iocs = client.get("/chinh-quyen-so/ioc/").content.decode()
    assert "IOC xã Lạc Dương" in iocs and "quá hạn" in iocs


def test_api_reads(data: dict[str, InformationSystem], make_user: MakeUser, login: Login) -> None:
    client = login(make_user(Role.VIEWER, "68"))
    detail = client.get("/api/v1/registry/systems/68-DVC").json()
    assert detail["level"] == 3 and detail["regime"] == "nd85"
    current = detail["suggestions"][0]
    assert current["regime"] == "nd331" and current["level"] == 3
    assert current["matches"][0]["citation_en"] == "Decree 331/2026/ND-CP, Art. 13(2)(b)"
    assert detail["dossiers"][0]["decision_number"] == "2101/QĐ-UBND"
    figures = client.get("/api/v1/registry/figures").json()
    assert figures[0]["unit"] == "68" and figures[0]["figures"]["approved_share"] == 50.0
    assert figures[0]["figures"]["connections_connected"] == 1
    assert [c["national_system"] for c in client.get("/api/v1/registry/connections").json()] == ["dancu"]
    assert [p["code"] for p in client.get("/api/v1/registry/platforms").json()] == ["lgsp"]
    iocs = client.get("/api/v1/registry/iocs").json()
    assert iocs[0]["timeline"]["milestones"][0]["state"] == "overdue" and iocs[0]["timeline"]["slipping"] == 1
    assert client.get("/api/v1/registry/national-systems").json()[0]["code"] == "dancu"
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/registry/dossiers/{dossier_id}/approve" in schema["paths"]


def test_only_provincial_administrators_edit_the_national_list(data: dict[str, InformationSystem],
                                                               make_user: MakeUser, login: Login) -> None:  # fmt: skip
    body = {"name": "Cơ sở dữ liệu quốc gia về đất đai", "managing_body": "Bộ Nông nghiệp và Môi trường"}
    commune = login(make_user(Role.ADMIN, "24820"))
    assert (
        commune.put(
            "/api/v1/registry/national-systems/datdai", body, content_type="application/json"
        ).status_code
        == 403
    )
    manager = login(make_user(Role.MANAGER, "68"))
    assert (
        manager.put(
            "/api/v1/registry/national-systems/datdai", body, content_type="application/json"
        ).status_code
        == 403
    )
    admin = login(make_user(Role.ADMIN, "68"))
    saved = admin.put("/api/v1/registry/national-systems/datdai", body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["managing_body"] == "Bộ Nông nghiệp và Môi trường"


def test_api_writes_connections_platforms_timelines_and_iocs(
    data: dict[str, InformationSystem], make_user: MakeUser, login: Login
) -> None:
    commune = login(make_user(Role.OFFICER, "24820"))
    json_ = "application/json"
    denied = commune.put("/api/v1/registry/connections/68/dancu", {"status": "stopped"}, content_type=json_)
    assert denied.status_code == 404  # the province is outside the commune's scope
    phases = [
        {"name": "Lắp đặt", "due_on": "2026-01-31", "done_on": "2026-01-20"},
        {"name": "Vận hành", "due_on": "2026-03-31", "forecast_on": "2026-05-31"},
    ]
    body = {"title": "IOC xã", "milestones": phases}
    timeline = commune.put("/api/v1/registry/timelines/24820/ioc-build", body, content_type=json_).json()
    assert [m["state"] for m in timeline["milestones"]] == ["done_on_time", "overdue"]
    ioc = commune.put("/api/v1/registry/iocs/24820", {"name": "IOC xã Lạc Dương", "status": "operating",
                                                      "operating_since": "2026-04-02", "programme": "ioc-build"},
                      content_type=json_).json()  # fmt: skip
    assert ioc["status"] == "operating" and ioc["timeline"]["title"] == "IOC xã"
    province = login(make_user(Role.OFFICER, "68"))
    saved = province.put("/api/v1/registry/connections/68/dancu", {"status": "stopped", "stopped_on": "2026-02-01"},
                         content_type=json_)  # fmt: skip
    assert saved.status_code == 200 and saved.json()["status"] == "stopped"
    platform = province.put(
        "/api/v1/registry/platforms/soc", {"name": "SOC", "unit": "68-SKHCN"}, content_type=json_
    )
    assert platform.status_code == 200 and platform.json()["unit"] == "68-SKHCN"
    viewer = login(make_user(Role.VIEWER, "68"))
    assert (
        viewer.put(
            "/api/v1/registry/platforms/x", {"name": "X", "unit": "68"}, content_type=json_
        ).status_code
        == 403
    )


def test_register_and_edit_a_system_through_the_form(units: dict[str, OrgUnit], make_user: MakeUser,
                                                     login: Login) -> None:  # fmt: skip
    officer = login(make_user(Role.OFFICER, "24820"))
    form = {"name": "Camera an ninh xã", "owner_unit": units["24820"].pk, "kind": "other", "status": "operating",
            "purpose": "internal", "personal_data": "on", "online_service_level": "none", "classified_harm": "none",
            "infra_scope": "none", "ics_grade": "none"}  # fmt: skip
    response = officer.post("/chinh-quyen-so/he-thong/them/", form)
    system = InformationSystem.objects.get(name="Camera an ninh xã")
    assert response.status_code == 302 and response["Location"] == f"/chinh-quyen-so/he-thong/{system.code}/"
    assert system.personal_data and system.owner_unit.code == "24820"
    officer.post(f"/chinh-quyen-so/he-thong/{system.code}/sua/", {**form, "handles_procedures": "on"})
    system.refresh_from_db()
    assert system.handles_procedures
    # Another commune cannot be chosen as the owner.
    other = officer.post(
        "/chinh-quyen-so/he-thong/them/", {**form, "name": "X", "owner_unit": units["25270"].pk}
    )
    assert other.status_code == 200 and not InformationSystem.objects.filter(name="X").exists()
