"""A person's walk through the foundation pages in Chromium: sign in, units, a unit, the audit
log, data in, English, a phone-width screen. Nothing may be loaded from outside 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dieuhanh.accounts.models import Role, User
from tests.browser.conftest import Visit
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(v: Visit, user: User) -> None:
    v.goto("/dang-nhap/")
    v.page.fill("input[name=username]", user.username)  # type: ignore[attr-defined]
    v.page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    v.page.click("button.primary")  # type: ignore[attr-defined]
    v.page.wait_for_url("**/")  # type: ignore[attr-defined]


def test_walk_through_the_foundation(
    visit: Callable[..., Visit], make_user: Callable[[str, str], User]
) -> None:
    admin = make_user(Role.ADMIN, "68")
    v = visit()
    v.goto("/")
    assert v.page.title().startswith("Đăng nhập")  # type: ignore[attr-defined]
    v.shot("01-dang-nhap")
    sign_in(v, admin)
    body = v.page.inner_text("body")  # type: ignore[attr-defined]
    assert "Tỉnh Lâm Đồng" in body and "Đơn vị trực thuộc" in body
    v.shot("02-tong-quan")

    v.goto("/don-vi/")
    v.page.fill("input[name=q]", "Lạc")  # type: ignore[attr-defined]
    v.page.wait_for_function("() => !document.querySelector('#unit-rows').innerText.includes('Đạ Tẻh')")  # type: ignore[attr-defined]
    rows = v.page.inner_text("#unit-rows")  # type: ignore[attr-defined]
    assert "Xã Lạc Dương" in rows and "Xã Đạ Tẻh" not in rows
    assert "q=L" in v.page.url  # type: ignore[attr-defined]  # the filter is kept in the URL
    v.shot("03-don-vi-loc")

    v.page.click("text=Xã Lạc Dương")  # type: ignore[attr-defined]
    assert "Lịch sử thay đổi" in v.page.inner_text("body")  # type: ignore[attr-defined]
    v.shot("04-don-vi")

    v.goto("/nhat-ky/")
    assert "orgunit.create" in v.page.inner_text("table")  # type: ignore[attr-defined]
    v.shot("05-nhat-ky")

    v.page.click("button[name=language][value=en]")  # type: ignore[attr-defined]
    v.page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Audit log" in v.page.inner_text("h1")  # type: ignore[attr-defined]
    v.shot("06-audit-log-en")
    assert v.outside() == [], f"requests left this machine: {v.outside()}"


def test_phone_width_is_readable(visit: Callable[..., Visit], make_user: Callable[[str, str], User]) -> None:
    viewer = make_user(Role.VIEWER, "68")
    v = visit(width=390, height=844)
    sign_in(v, viewer)
    width = v.page.evaluate("() => document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390, f"the page is {width}px wide on a 390px phone: it scrolls sideways"
    v.shot("07-dien-thoai", full_page=True)
    assert v.outside() == []
