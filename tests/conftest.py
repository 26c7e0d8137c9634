"""Shared fixtures: a small province with departments and communes, and a user of every role."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.orgunits.models import Kind, OrgUnit
from dieuhanh.orgunits.services import UnitSpec, orgunit_import
from tests.services import broker  # noqa: F401 - the private Mosquitto fixture

PASSWORD = "mật-khẩu-thử-2026"
REFORM = date(2025, 7, 1)


def pytest_report_header() -> str:
    from django.db import connection

    return f"database: {connection.vendor} ({os.environ.get('DATABASE_URL', 'sqlite default')})"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may only talk to this machine (the real PostgreSQL, the real broker, our own servers)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in {"127.0.0.1", "::1", "localhost"}:
            raise RuntimeError(f"test tried to reach {host}: the network is closed")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Cached page content is keyed by data version; test databases reuse ids, so start empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def province(db: None, actor: Actor) -> dict[str, OrgUnit]:
    """Province 68 with two departments and three communes (one a ward)."""
    specs = [
        UnitSpec("68", "Tỉnh Lâm Đồng", Kind.PROVINCE),
        UnitSpec("68-SKHCN", "Sở Khoa học và Công nghệ", Kind.DEPARTMENT, "68", REFORM),
        UnitSpec("68-SYT", "Sở Y tế", Kind.DEPARTMENT, "68", REFORM),
        UnitSpec("24781", "Phường Xuân Hương - Đà Lạt", Kind.WARD, "68", REFORM),
        UnitSpec("24820", "Xã Lạc Dương", Kind.COMMUNE, "68", REFORM),
        UnitSpec("25270", "Xã Đạ Tẻh", Kind.COMMUNE, "68", REFORM),
    ]
    orgunit_import(actor=actor, units=specs, source="test")
    return {u.code: u for u in OrgUnit.objects.all()}


@pytest.fixture
def make_user(province: dict[str, OrgUnit]) -> Callable[[str, str], User]:
    def make(role: str, unit_code: str) -> User:
        user = User(username=f"{role}-{unit_code}", unit=province[unit_code], role=role,
                    is_staff=role in (Role.MANAGER, Role.ADMIN))  # fmt: skip
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
