"""The registry's figures feed the lake, the `cqs.*` indicators and the IOC's panel, never retyped:
a registry change reaches them after its commit, a figure that drops to zero becomes 0, and a
re-run with nothing changed writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dieuhanh.accounts.models import Role, User
from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import period_of
from dieuhanh.indicators.models import IndicatorValue
from dieuhanh.ingest.models import IngestBatch
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.registry.models import InformationSystem
from dieuhanh.registry.selectors import registry_data_values
from dieuhanh.registry.services import dossier_record_approval, platform_save, registry_figures_publish
from dieuhanh.registry.tasks import registry_figures_task
from tests.registry.conftest import INTERNAL, PROCEDURES
from tests.registry.test_figures import demo  # noqa: F401 - the demo province's registry

pytestmark = pytest.mark.django_db
MakeSystem = Callable[..., InformationSystem]
SECTOR = "/linh-vuc/chi-tieu-ktxh/"


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[Lake]:
    with override_settings(LAKE_DIR=tmp_path / "lake"):
        yield Lake(tmp_path / "lake")


def _approve(system: InformationSystem, level: int, actor: Actor) -> None:
    dossier_record_approval(actor=actor, system=system, level=level, decision_number=f"{system.code}/QĐ",
                            decision_date=date(2024, 3, 1))  # fmt: skip


def _value(code: str, unit: str, period: str | None = None) -> float | None:
    period = period or period_of("month", timezone.localdate()).key
    return IndicatorValue.objects.get(indicator__code=code, unit__code=unit, period=period).value


def _lake_value(lake: Lake, element: str, unit: str, period: str) -> float | None:
    rows = lake.read("data_values").to_pylist()
    found = [
        r["value"]
        for r in rows
        if (r["data_element"], r["unit_code"], r["period"]) == (element, unit, period)
    ]
    assert len(found) <= 1
    return found[0] if found else None


def _waiting_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=registry_figures_task.module_path, status="READY").count()


def _work() -> dict[str, object]:
    """What `dieuhanh db_worker` does with the waiting task: run it and mark it done."""
    out = registry_figures_task.call()
    DBTaskResult.objects.filter(task_path=registry_figures_task.module_path).update(status="SUCCESSFUL")
    return out


def test_a_registry_change_reaches_the_indicators_and_the_panel(
    make_system: MakeSystem, actor: Actor, lake: Lake, make_user: Callable[[str, str], User],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        _approve(make_system("68-A", "68", PROCEDURES), 3, actor)
        make_system("68-C", "68", INTERNAL, name="Quản lý tài sản công")
        _approve(make_system("SYT-A", "68-SYT", PROCEDURES), 3, actor)
        make_system("SYT-B", "68-SYT", INTERNAL, name="Quản lý khám chữa bệnh")
    # Four writes, one task waiting for the worker (they coalesce), nothing in the lake yet.
    assert _waiting_tasks() == 1 and not lake.exists("data_values")
    out = _work()
    assert out["run_status"] == "done" and out["sent"] > 0
    # Province: 4 in operation, 2 approved (one level 3 at the province, one at the Department of
    # Health) → 50.0 %; the Department of Health alone: 1 of 2 → 50.0 %.
    assert _value("cqs.systems_operating", "68") == 4
    assert _value("cqs.systems_approved_share", "68") == 50.0
    assert _value("cqs.systems_approved_share", "68-SYT") == 50.0
    assert _value("cqs.systems_approved_level_3", "68") == 2
    assert _value("cqs.systems_unapproved", "68") == 2
    # The same figure for the year and the Decree 09 report month: every current period is fed.
    assert _value("cqs.systems_approved_share", "68", period_of("year", timezone.localdate()).key) == 50.0
    assert (
        _value("cqs.systems_approved_share", "68", period_of("r09_month", timezone.localdate()).key) == 50.0
    )

    viewer = make_user(Role.VIEWER, "68")
    client = Client()
    client.force_login(viewer)
    page = client.get(SECTOR, {"unit": "68"}).content.decode()
    assert "Tỷ lệ hệ thống thông tin được phê duyệt cấp độ an toàn" in page and "50,0%" in page
    assert 'href="/chinh-quyen-so/he-thong/68-C/"' in page and "Quản lý tài sản công" in page
    assert 'href="/chinh-quyen-so/he-thong/SYT-B/"' in page and "Quản lý khám chữa bệnh" in page
    assert "/chinh-quyen-so/he-thong/?unapproved=1&amp;unit=68" in page
    # A commune officer's panel lists only its own subtree: none of these systems.
    officer = make_user(Role.OFFICER, "24820")
    other = Client()
    other.force_login(officer)
    assert "68-C" not in other.get(SECTOR, {"unit": "24820"}).content.decode()

    # Approving one more system: 3 of 4 → 75.0 % at the province, 100.0 % at the Department of Health.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        _approve(InformationSystem.objects.get(code="SYT-B"), 2, actor)
    assert _waiting_tasks() == 1
    _work()
    assert _value("cqs.systems_approved_share", "68") == 75.0
    assert _value("cqs.systems_approved_share", "68-SYT") == 100.0
    page = client.get(SECTOR, {"unit": "68"}).content.decode()
    assert "75,0%" in page and "SYT-B" not in page and 'href="/chinh-quyen-so/he-thong/68-C/"' in page


def test_a_figure_that_drops_to_zero_becomes_zero(
    units: dict[str, OrgUnit], actor: Actor, lake: Lake
) -> None:
    month = period_of("month", timezone.localdate()).key
    platform_save(actor=actor, code="NT-YT", name="Nền tảng hồ sơ sức khỏe điện tử", unit=units["68-SYT"],
                  status="operating")  # fmt: skip
    platform_save(actor=actor, code="NT-TINH", name="Nền tảng tích hợp, chia sẻ dữ liệu", unit=units["68"],
                  status="operating")  # fmt: skip
    registry_figures_publish()
    assert _lake_value(lake, "registry.platforms_operating", "68-SYT", month) == 1
    assert (_value("cqs.platforms_operating", "68-SYT"), _value("cqs.platforms_operating", "68")) == (1, 2)

    platform_save(actor=actor, code="NT-YT", name="Nền tảng hồ sơ sức khỏe điện tử", unit=units["68-SYT"],
                  status="stopped")  # fmt: skip
    registry_figures_publish()
    assert _lake_value(lake, "registry.platforms_operating", "68-SYT", month) == 0
    assert (_value("cqs.platforms_operating", "68-SYT"), _value("cqs.platforms_operating", "68")) == (0, 1)
    # A unit that never had a platform gets no zero row: only figures that had a value are kept.
    assert _lake_value(lake, "registry.platforms_operating", "24820", month) is None


def test_rerunning_writes_nothing_new(make_system: MakeSystem, actor: Actor, lake: Lake) -> None:
    _approve(make_system("68-A", "68", PROCEDURES), 3, actor)
    first = registry_figures_publish()
    assert first.sent > 0 and first.batch is not None
    version, batches = lake.version("data_values"), IngestBatch.objects.count()
    again = registry_figures_publish()
    assert (again.sent, again.batch, again.run) == (0, None, None)
    assert lake.version("data_values") == version and IngestBatch.objects.count() == batches
    batch = IngestBatch.objects.get(pk=first.batch)
    assert (batch.source.code, batch.channel, batch.table) == (
        "so-dang-ky-chinh-quyen-so",
        "module",
        "data_values",
    )

    # The same through `dieuhanh systems figures --json`: a new system is sent, then nothing.
    make_system("68-B", "68", INTERNAL)
    out = StringIO()
    call_command("systems", "figures", "--json", stdout=out)
    sent = json.loads(out.getvalue())
    assert sent["sent"] > 0 and sent["run_status"] == "done" and "cqs.systems_operating" in sent["indicators"]
    assert _value("cqs.systems_operating", "68") == 2
    out = StringIO()
    call_command("systems", "figures", "--json", stdout=out)
    assert json.loads(out.getvalue())["sent"] == 0


def test_zeros_only_for_the_figures_that_had_a_value(units: dict[str, OrgUnit], actor: Actor) -> None:
    platform_save(actor=actor, code="NT-1", name="Nền tảng 1", unit=units["68"], status="stopped")
    rows = registry_data_values(
        period="2026M11", keep={("registry.iocs_operating", "24820"), ("other", "24820")}
    )
    values = {(r["data_element"], r["unit_code"]): r["value"] for r in rows}
    # The stopped platform counts in nothing; the kept IOC figure is 0; a foreign element is ignored.
    assert values == {("registry.iocs_operating", "24820"): 0}


def test_the_demo_figures_through_the_indicators(demo: None, lake: Lake) -> None:  # noqa: F811
    registry_figures_publish()
    # Seed 003: the LGSP connected 8 of 13 national databases → 61.5 %; 12 platforms; the IOCs of
    # the province, the Department of Education and 9 localities (tests/registry/test_figures.py).
    assert (_value("cqs.lgsp_connected", "68"), _value("cqs.lgsp_planned", "68")) == (8, 4)
    assert round(_value("cqs.lgsp_connected_share", "68") or 0, 1) == 61.5
    assert _value("cqs.platforms_operating", "68") == 12
    assert _value("cqs.iocs_operating", "68") == 11
    # 8 of the 11 systems in operation approved → 72.7 %, below the 100 % target of the seed.
    approved = IndicatorValue.objects.get(indicator__code="cqs.systems_approved_share", unit__code="68",
                                          period=period_of("year", timezone.localdate()).key)  # fmt: skip
    assert (round(approved.value or 0, 1), approved.target, approved.status) == (72.7, 100.0, "not_met")
