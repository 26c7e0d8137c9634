"""Pages, XLSX exports and the `/api/v1/tasks` router, end to end through the test client.

Deadlines are in 2024 (overdue whenever these tests run) or 2099 (never due): no clock is mocked.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, Extension, Task
from dieuhanh.steering.services import TaskSpec, task_create
from tests.conftest import PASSWORD
from tests.steering.test_import import ROWS, write_xlsx

pytestmark = pytest.mark.django_db
FAR = date(2099, 12, 31)


def login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def two_tasks(directive: Directive, province: dict[str, OrgUnit], actor: Actor) -> dict[str, Task]:
    late = task_create(
        actor=actor,
        directive=directive,
        spec=TaskSpec(
            content="Ban hành kế hoạch chuyển đổi số năm 2024",
            lead=province["68-SYT"],
            supporting=(province["24820"],),
            number="1",
            due_on=date(2024, 2, 16),
        ),
    )
    later = task_create(
        actor=actor,
        directive=directive,
        spec=TaskSpec(
            content="Hoàn thành trung tâm IOC",
            lead=province["68-SKHCN"],
            number="2",
            due_on=FAR,
            target_indicator="dvc.online_share",
        ),
    )
    return {"late": late, "later": later}


@pytest.mark.parametrize(
    "path",
    [
        "/chi-dao/",
        "/chi-dao/van-ban/{d}/",
        "/chi-dao/nhiem-vu/{t}/",
        "/chi-dao/cua-don-vi/",
        "/chi-dao/qua-han/",
        "/chi-dao/so-lieu/",
        "/chi-dao/so-lieu/?period=2024Q1",
    ],
)
def test_pages_render_in_vietnamese_with_few_queries(  # type: ignore[no-untyped-def]
    path: str,
    two_tasks: dict[str, Task],
    make_user: Callable[[str, str], User],
    django_assert_max_num_queries,
) -> None:
    client = login(make_user(Role.ADMIN, "68"))
    url = path.format(d=two_tasks["late"].directive_id, t=two_tasks["late"].pk)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nhiệm vụ của đơn vị" in page  # the sub-navigation, in Vietnamese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My unit's tasks" in client.get(url).content.decode()


def test_overdue_page_and_figures_say_whose(
    two_tasks: dict[str, Task], make_user: Callable[[str, str], User]
) -> None:
    client = login(make_user(Role.VIEWER, "68"))
    page = client.get("/chi-dao/qua-han/").content.decode()
    assert "Ban hành kế hoạch chuyển đổi số năm 2024" in page and "Hoàn thành trung tâm IOC" not in page
    assert "Quá hạn" in page and "Sở Y tế" in page
    figures = client.get("/chi-dao/so-lieu/?period=2024Q1").content.decode()
    assert "Quý I/2024" in figures and "Sở Y tế" in figures
    bad = client.get("/chi-dao/so-lieu/?period=2024Q5").content.decode()
    assert "Mã kỳ không hợp lệ" in bad
    mine = login(make_user(Role.OFFICER, "24820")).get("/chi-dao/cua-don-vi/?role=support").content.decode()
    assert "Ban hành kế hoạch chuyển đổi số năm 2024" in mine  # Lạc Dương supports it


def test_xlsx_exports(two_tasks: dict[str, Task], make_user: Callable[[str, str], User]) -> None:
    client = login(make_user(Role.MANAGER, "68"))
    response = client.get("/chi-dao/qua-han/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[3]][:5] == [
        "STT",
        "Văn bản",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
    ]
    row = [c.value for c in sheet[5]]
    assert row[:5] == [
        "1",
        "45/KH-UBND",
        "Ban hành kế hoạch chuyển đổi số năm 2024",
        "Sở Y tế",
        "Xã Lạc Dương",
    ]
    assert row[7].date() == date(2024, 2, 16) and row[10] == "Quá hạn"
    assert sheet.max_row == 5  # one overdue task
    unit = client.get("/chi-dao/cua-don-vi/?format=xlsx")
    assert load_workbook(io.BytesIO(unit.content)).active.max_row == 6  # both tasks


def test_report_with_attachment_and_extension_through_the_pages(
    two_tasks: dict[str, Task], make_user: Callable[[str, str], User]
) -> None:
    task = two_tasks["late"]
    occ = task.occurrences.get()
    lead = login(make_user(Role.OFFICER, "68-SYT"))
    upload = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach", content_type="application/pdf")
    response = lead.post(
        f"/chi-dao/ky/{occ.pk}/bao-cao/", {"text": "Đã trình ký", "percent": 90, "attachments": [upload]}
    )
    assert response.status_code == 302
    page = lead.get(f"/chi-dao/nhiem-vu/{task.pk}/").content.decode()
    assert "Đã trình ký" in page and "ke-hoach.pdf" in page
    att = occ.reports.get().attachments.get()
    download = lead.get(f"/chi-dao/tep/{att.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 ke hoach"  # type: ignore[attr-defined]
    assert login(make_user(Role.VIEWER, "25270")).get(f"/chi-dao/tep/{att.pk}/").status_code == 404
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    lead.post(f"/chi-dao/ky/{occ.pk}/bao-cao/", {"text": "x", "percent": 95, "attachments": [bad]})
    assert occ.reports.count() == 1

    lead.post(f"/chi-dao/ky/{occ.pk}/gia-han/", {"until": "2099-01-31", "reason": "Chờ ý kiến Bộ"})
    ext = Extension.objects.get()
    assert (
        login(make_user(Role.MANAGER, "68-SYT"))
        .post(f"/chi-dao/gia-han/{ext.pk}/quyet-dinh/", {"decision": "approve"})
        .status_code
        == 403
    )
    issuer = login(make_user(Role.MANAGER, "68"))
    issuer.post(f"/chi-dao/gia-han/{ext.pk}/quyet-dinh/", {"decision": "approve", "note": "Đồng ý"})
    occ.refresh_from_db()
    assert occ.deadline == date(2099, 1, 31)
    assert "Đồng ý" in issuer.get(f"/chi-dao/nhiem-vu/{task.pk}/?occ={occ.pk}").content.decode()


def test_directive_and_import_through_the_pages(
    tmp_path: object, province: dict[str, OrgUnit], make_user: Callable[[str, str], User]
) -> None:
    from pathlib import Path

    client = login(make_user(Role.MANAGER, "68"))
    pdf = SimpleUploadedFile("kl-12.pdf", b"%PDF-1.4 ket luan", content_type="application/pdf")
    response = client.post(
        "/chi-dao/",
        {
            "number": "12/TB-BCĐ",
            "issued_on": "2024-01-26",
            "issuer": province["68"].pk,
            "summary": "Kết luận của Ban Chỉ đạo",
            "file": pdf,
        },
    )
    directive = Directive.objects.get(number="12/TB-BCĐ")
    assert response.status_code == 302 and response["Location"] == f"/chi-dao/van-ban/{directive.pk}/"
    assert (
        b"".join(client.get(f"/chi-dao/van-ban/{directive.pk}/tep/").streaming_content)
        == b"%PDF-1.4 ket luan"
    )  # type: ignore[attr-defined]

    path = write_xlsx(Path(str(tmp_path)) / "bang.xlsx", ROWS)
    with path.open("rb") as fh:
        result = client.post(f"/chi-dao/van-ban/{directive.pk}/nhap/", {"file": fh}).content.decode()
    assert "Không có đơn vị &#x27;Xã Không Có&#x27;" in result
    assert "Thời hạn 10/05/2023 trước ngày ban hành văn bản 26/01/2024." in result
    assert Task.objects.filter(directive=directive).count() == 3
    officer = login(make_user(Role.OFFICER, "68"))
    with path.open("rb") as fh:
        assert officer.post(f"/chi-dao/van-ban/{directive.pk}/nhap/", {"file": fh}).status_code == 403


def test_api_flow(
    directive: Directive, province: dict[str, OrgUnit], make_user: Callable[[str, str], User]
) -> None:
    issuer = login(make_user(Role.MANAGER, "68"))
    made = issuer.post(
        "/api/v1/tasks",
        {
            "directive_id": directive.pk,
            "content": "Kiện toàn Ban Chỉ đạo",
            "lead_unit": "68-SKHCN",
            "supporting_units": ["68-SYT"],
            "number": "3",
            "due_on": "2024-05-10",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    task = made.json()
    assert (task["lead_unit"], task["supporting_units"], task["occurrences"][0]["status"]) == (
        "68-SKHCN",
        ["68-SYT"],
        "overdue",
    )
    occ_id = task["occurrences"][0]["id"]

    refused = issuer.post(
        "/api/v1/tasks",
        {"directive_id": directive.pk, "content": " ", "lead_unit": "68-SYT", "due_on": "2023-01-01"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert {p["code"] for p in refused.json()["error"]["problems"]} == {
        "task.empty_content",
        "task.deadline_before_directive",
    }

    lead = login(make_user(Role.OFFICER, "68-SKHCN"))
    report = lead.post(
        f"/api/v1/tasks/occurrences/{occ_id}/reports",
        {
            "text": "Đã có quyết định kiện toàn",
            "percent": 100,
            "files": [SimpleUploadedFile("qd.pdf", b"%PDF qd")],
        },
    )
    assert report.status_code == 201 and report.json()["files"] == ["qd.pdf"]
    detail = lead.get(f"/api/v1/tasks/{task['id']}").json()
    assert detail["occurrences"][0]["status"] == "done_late"
    assert lead.get("/api/v1/tasks?status=done_late").json()["count"] == 1
    assert lead.get("/api/v1/tasks/overdue").json() == []
    figures = lead.get("/api/v1/tasks/figures?period=2024Q2").json()
    assert figures["units"] == [
        {
            "unit": "68-SKHCN",
            "unit_name": "Sở Khoa học và Công nghệ",
            "assigned": 1,
            "done_on_time": 0,
            "done_late": 1,
            "overdue": 0,
            "pending": 0,
        }
    ]
    assert lead.get("/api/v1/tasks/figures?period=nope").status_code == 400

    later = issuer.post(
        "/api/v1/tasks",
        {
            "directive_id": directive.pk,
            "content": "Vận hành IOC",
            "lead_unit": "68-SKHCN",
            "due_on": "2099-06-30",
        },
        content_type="application/json",
    ).json()
    asked = lead.post(
        f"/api/v1/tasks/occurrences/{later['occurrences'][0]['id']}/extensions",
        {"until": "2099-12-31", "reason": "Chờ thiết bị"},
        content_type="application/json",
    )
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    decided = issuer.post(
        f"/api/v1/tasks/extensions/{asked.json()['id']}/decision",
        {"approve": False, "note": "Giữ hạn"},
        content_type="application/json",
    )
    assert decided.json()["state"] == "refused" and decided.json()["decided_by"] == "manager-68"
    assert lead.get("/api/v1/tasks/directives").json()[0]["number"] == "45/KH-UBND"
    schema = issuer.get("/api/v1/openapi.json").json()
    assert {"/api/v1/tasks", "/api/v1/tasks/overdue", "/api/v1/tasks/figures"} <= set(schema["paths"])
