"""A commune's report in Chromium: the officer fills it (a rule warns), fixes it, the manager
submits, the province accepts. Screenshots in test-output/screenshots/ (bao-cao-*)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import period_of
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.models import ReportForm, Submission
from dieuhanh.reporting.services import report_forms_sync
from tests.browser.conftest import Visit
from tests.conftest import PASSWORD
from tests.reporting.conftest import FORM_YAML

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def form(province: dict[str, OrgUnit], tmp_path: Path, actor: Actor) -> Iterator[ReportForm]:
    """The test form of tests/reporting, and a lake of this test's own."""
    (tmp_path / "pack" / "forms").mkdir(parents=True)
    (tmp_path / "pack" / "forms" / "test.yaml").write_text(FORM_YAML, encoding="utf-8")
    with override_settings(LAKE_DIR=tmp_path / "lake"):
        report_forms_sync(actor=actor, roots=[tmp_path / "pack"])
        yield ReportForm.objects.get(code="test.thang")


def sign_in(v: Visit, user: User) -> None:
    v.page.context.clear_cookies()  # type: ignore[attr-defined]
    v.goto("/dang-nhap/")
    v.page.fill("input[name=username]", user.username)  # type: ignore[attr-defined]
    v.page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    v.page.click("button.primary")  # type: ignore[attr-defined]
    v.page.wait_for_url("**/")  # type: ignore[attr-defined]


def test_fill_submit_and_accept_a_report_in_the_browser(
    visit: Callable[..., Visit],
    form: ReportForm,
    make_user: Callable[[str, str], User],
) -> None:
    officer, manager = make_user(Role.OFFICER, "24820"), make_user(Role.MANAGER, "24820")
    above = make_user(Role.MANAGER, "68")
    month = period_of("month", timezone.localdate()).key
    url = f"/bao-cao/test.thang/{month}/24820/"
    v = visit()
    sign_in(v, officer)
    v.goto(url)
    body = v.page.inner_text("main")  # type: ignore[attr-defined]
    assert "từ hệ thống" in body and "Xã Lạc Dương" in body
    v.page.fill("input[name=v_HSCV_TOTAL]", "100")  # type: ignore[attr-defined]
    v.page.fill("input[name=v_HSCV_ONLINE]", "120")  # type: ignore[attr-defined]
    v.page.select_option("select[name=v_TO_CNSCD]", "1")  # type: ignore[attr-defined]
    v.page.fill("input[name=v_TO_CNSCD_THANH_VIEN]", "6")  # type: ignore[attr-defined]
    v.page.click("button[value=save]")  # type: ignore[attr-defined]
    v.page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Hồ sơ xử lý trên mạng không được lớn hơn tổng số." in v.page.inner_text(".messages")  # type: ignore[attr-defined]
    v.shot("bao-cao-1-canh-bao")
    assert v.page.locator("button[value=submit]").count() == 0  # type: ignore[attr-defined]  # officers do not send
    v.page.fill("input[name=v_HSCV_ONLINE]", "80")  # type: ignore[attr-defined]
    v.page.click("button[value=save]")  # type: ignore[attr-defined]
    v.page.wait_for_load_state()  # type: ignore[attr-defined]

    sign_in(v, manager)
    v.goto(url)
    v.page.click("button[value=submit]")  # type: ignore[attr-defined]
    v.page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã gửi cấp trên." in v.page.inner_text(".messages")  # type: ignore[attr-defined]

    sign_in(v, above)
    v.goto("/bao-cao/")
    assert v.page.title() == "Báo cáo định kỳ · dieuhanh"  # type: ignore[attr-defined]
    assert "Xã Lạc Dương" in v.page.inner_text("main")  # type: ignore[attr-defined]  # awaiting a decision
    v.goto(url)
    v.page.click("button[value=accept]")  # type: ignore[attr-defined]
    v.page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "Đã duyệt" in v.page.inner_text(".messages")  # type: ignore[attr-defined]
    v.shot("bao-cao-2-da-duyet")
    assert Submission.objects.get(unit__code="24820", period=month).status == "accepted"
    v.goto(f"/bao-cao/test.thang/{month}/")
    v.shot("bao-cao-3-tinh-hinh-gui")
    assert v.outside() == [], f"requests left this machine: {v.outside()}"
