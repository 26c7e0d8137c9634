"""Fixtures of steering: a directive of the province with dated helpers (no clock is read)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import TZ
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive
from dieuhanh.steering.services import directive_create


def at(day: date, hour: int = 9) -> datetime:
    """A local time on `day`, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=TZ)


@pytest.fixture
def directive(province: dict[str, OrgUnit], actor: Actor) -> Directive:
    """Kế hoạch 45/KH-UBND of 26/01/2024, issued by the province."""
    return directive_create(
        actor=actor,
        number="45/KH-UBND",
        issued_on=date(2024, 1, 26),
        issuer=province["68"],
        summary="Kế hoạch chuyển đổi số năm 2024",
    )
