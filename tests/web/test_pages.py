"""Pages in Vietnamese by default, English on request, with a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user: Callable[[str, str], User]) -> Client:
    client = Client()
    assert client.login(username=make_user(Role.ADMIN, "68").username, password=PASSWORD)
    return client


def test_anonymous_is_sent_to_the_vietnamese_sign_in(db: None) -> None:
    client = Client()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    page = client.get("/dang-nhap/").content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Trung tâm giám sát, điều hành thông minh" in page


def test_sign_in_and_english_switch(make_user: Callable[[str, str], User]) -> None:
    user = make_user(Role.VIEWER, "68")
    client = Client()
    response = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Tổng quan" in home and "Tỉnh Lâm Đồng" in home and "Đơn vị trực thuộc" in home
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english and "Overview" in english and "Units directly under" in english
    assert "Sectors without data yet" in english


def test_wrong_password_is_explained(make_user: Callable[[str, str], User]) -> None:
    user = make_user(Role.VIEWER, "68")
    page = Client().post("/dang-nhap/", {"username": user.username, "password": "sai"}).content.decode()
    assert "Sai tên đăng nhập hoặc mật khẩu." in page


@pytest.mark.parametrize("path", ["/", "/don-vi/", "/don-vi/68/", "/don-vi/24820/", "/nhat-ky/"])
def test_pages_render_with_a_fixed_number_of_queries(  # type: ignore[no-untyped-def]
    path: str, admin_client: Client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(14):
        response = admin_client.get(path)
    assert response.status_code == 200
    assert "Trung tâm giám sát, điều hành thông minh" in response.content.decode()


def test_unit_list_filters_and_htmx_fragment(admin_client: Client) -> None:
    page = admin_client.get("/don-vi/?kind=ward").content.decode()
    assert "Phường Xuân Hương - Đà Lạt" in page and "Xã Lạc Dương" not in page
    fragment = admin_client.get("/don-vi/?q=Lạc", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Xã Lạc Dương" in fragment and "Xã Đạ Tẻh" not in fragment


def test_pages_load_nothing_from_outside(admin_client: Client) -> None:
    import re

    for path in ["/", "/don-vi/", "/nhat-ky/", "/dang-nhap/", "/api/v1/docs"]:
        body = admin_client.get(path).content.decode()
        external = re.findall(r'(?:src|href)=["\'](https?://[^"\']+)', body)
        assert external == [], f"{path} loads {external}"


def test_openapi_schema_lists_the_routes(admin_client: Client) -> None:
    schema = admin_client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/units", "/api/v1/units/{code}", "/api/v1/audit"} <= set(schema["paths"])
