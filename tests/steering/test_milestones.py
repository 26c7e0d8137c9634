"""Milestone registration through the steering pages, stored in the registry's timeline (one model):
a unit registers its own timeline, slipping phases are flagged, other units cannot write it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dieuhanh.accounts.models import Role, User
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.selectors import timeline_view, timelines_visible
from dieuhanh.steering.views_milestones import parse_phases
from tests.steering.test_pages_api import login

pytestmark = pytest.mark.django_db

PHASES = (
    "Khảo sát, thiết kế | 31/03/2024\nLắp đặt thiết bị | 30/09/2024 | 01/04/2024\nVận hành thử | 31/12/2099"
)


def test_parse_phases() -> None:
    phases = parse_phases(PHASES)
    first = phases[0]
    assert (first.name, first.due_on.isoformat(), first.starts_on) == (
        "Khảo sát, thiết kế",
        "2024-03-31",
        None,
    )
    assert phases[1].starts_on is not None and phases[1].starts_on.isoformat() == "2024-04-01"
    with pytest.raises(UserError) as err:
        parse_phases("Khảo sát | sớm nhất có thể")
    assert err.value.message_en.startswith("Line 1 ('Khảo sát | sớm nhất có thể')")


def test_unit_registers_its_ioc_timeline_and_slipping_phases_are_flagged(
    province: dict[str, OrgUnit], make_user: Callable[[str, str], User]
) -> None:
    officer = make_user(Role.OFFICER, "68-SYT")
    client = login(officer)
    response = client.post(
        "/chi-dao/moc-tien-do/",
        {"unit": province["68-SYT"].pk, "programme": "ioc-build", "title": "Xây dựng IOC ngành y tế",
         "phases": PHASES},
    )  # fmt: skip
    assert response.status_code == 302
    (timeline,) = list(timelines_visible(user=officer))
    assert (timeline.unit.code, timeline.programme) == ("68-SYT", "ioc-build")
    flags = [(m.milestone.name, m.state, m.slipping) for m in timeline_view(timeline).milestones]
    # Both 2024 phases are past their due dates and not done: overdue, flagged; the 2099 one is not.
    assert flags == [
        ("Khảo sát, thiết kế", "overdue", True),
        ("Lắp đặt thiết bị", "overdue", True),
        ("Vận hành thử", "not_due", False),
    ]
    page = client.get("/chi-dao/moc-tien-do/?slipping=1").content.decode()
    assert "Xây dựng IOC ngành y tế" in page and "2 giai đoạn chậm tiến độ" in page
    assert "Mốc tiến độ bị chậm (2)" in client.get("/chi-dao/cua-don-vi/").content.decode()

    # The unit reports the first phase done (late), and a new expected date for the last one.
    client.post(f"/chi-dao/moc-tien-do/{timeline.pk}/1/", {"done_on": "2024-04-15"})
    client.post(f"/chi-dao/moc-tien-do/{timeline.pk}/3/", {"forecast_on": "2100-06-30"})
    states = [
        (m.state, m.slipping, m.days_late)
        for m in timeline_view(timelines_visible(user=officer)[0]).milestones
    ]
    assert states == [("done_late", False, 15), ("overdue", True, states[1][2]), ("slipping", True, 0)]

    # Another unit cannot write it; the province sees it; a viewer gets no form.
    commune = login(make_user(Role.MANAGER, "24820"))
    assert (
        commune.post(f"/chi-dao/moc-tien-do/{timeline.pk}/2/", {"done_on": "2024-10-01"}).status_code == 404
    )
    refused = commune.post(
        "/chi-dao/moc-tien-do/",
        {"unit": province["68-SYT"].pk, "programme": "ioc-build", "title": "x", "phases": PHASES},
    )
    assert (
        refused.status_code == 200 and timelines_visible(user=officer)[0].title == "Xây dựng IOC ngành y tế"
    )
    assert (
        "Xây dựng IOC ngành y tế"
        in login(make_user(Role.VIEWER, "68")).get("/chi-dao/moc-tien-do/").content.decode()
    )
    viewer = login(make_user(Role.VIEWER, "68-SYT")).get("/chi-dao/moc-tien-do/").content.decode()
    assert "Đăng ký tiến độ" not in viewer
