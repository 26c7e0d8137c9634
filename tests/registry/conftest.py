"""Registry fixtures: the small province of tests/conftest.py, its security unit, and system makers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.levels import Criteria
from dieuhanh.registry.models import InformationSystem
from dieuhanh.registry.services import security_unit_assign, system_create
from tests.conftest import PASSWORD

# A system handling administrative procedures: level 3 under both decrees (ND 85 through its
# level-3 online services, ND 331 Art. 13(2)(b)).
PROCEDURES = {"purpose": "citizens", "handles_procedures": True, "online_service_level": "3_plus"}
# An internal system with its users' personal data: level 2 (ND 85 Art. 8(1), ND 331 Art. 12(1)).
INTERNAL = {"purpose": "internal", "personal_data": True}


@pytest.fixture
def units(province: dict[str, OrgUnit], actor: Actor) -> dict[str, OrgUnit]:
    """The province with the Department of Science and Technology as its dedicated security unit."""
    security_unit_assign(actor=actor, owner=province["68"], security_unit=province["68-SKHCN"])
    return province


@pytest.fixture
def make_system(units: dict[str, OrgUnit], actor: Actor) -> Callable[..., InformationSystem]:
    def make(code: str, owner: str, criteria: dict[str, Any] | None = None, **kw: Any) -> InformationSystem:
        return system_create(actor=actor, code=code, name=kw.pop("name", f"Hệ thống {code}"), owner_unit=units[owner],
                             criteria=Criteria.from_dict(criteria or {}), **kw)  # fmt: skip

    return make


@pytest.fixture
def login() -> Callable[[User], Client]:
    def client_for(user: User) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return client_for
