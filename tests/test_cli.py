"""The `dieuhanh` console script from outside: the contract of DESIGN.md (shapes and exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("dieuhanh")


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The console script as a user runs it: its own settings, the embedded SQLite, a fresh data dir.
    skip = {
        "DATABASE_URL",
        "DJANGO_SETTINGS_MODULE",
        "DIEUHANH_HTTPS",
        "DIEUHANH_DATA_DIR",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    environ = {k: v for k, v in os.environ.items() if k not in skip}
    environ.update(
        {"DIEUHANH_DATA_DIR": str(data_dir), "DIEUHANH_SECRET_KEY": "cli-test-key-0123456789-abcdefghij"}
    )
    environ.update(env)
    return subprocess.run(
        [str(CLI), *args], env=environ, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    assert run(["migrate", "--verbosity", "0"], path).returncode == 0
    return path


def test_units_import_and_list_json(data_dir: Path) -> None:
    first = run(["units", "import", "--province", "68", "--json"], data_dir)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["created"] == 125
    again = run(["units", "import", "--province", "68", "--json"], data_dir)
    assert json.loads(again.stdout) | {} == {**json.loads(again.stdout), "created": 0, "unchanged": 125}
    listed = run(["units", "list", "--parent", "68", "--json"], data_dir)
    units = json.loads(listed.stdout)
    assert len(units) == 124
    assert all({"code", "name", "kind", "parent"} <= set(u) and u["parent"] == "68" for u in units)
    assert {
        "code": "24781",
        "name": "Phường Xuân Hương - Đà Lạt",
        "kind": "ward",
        "parent": "68",
    }.items() <= next(u for u in units if u["code"] == "24781").items()


def test_bad_units_file_exits_2_naming_file_row_field(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "don_vi.csv"
    bad.write_text("Mã,Tên,Cấp,Mã cấp trên\nX1,Xã X,Xã,00000\n", encoding="utf-8")
    result = run(["units", "import", "--file", str(bad)], data_dir)
    assert result.returncode == 2
    assert "don_vi.csv, dòng/row 2, cột/field parent" in result.stderr
    assert "Đơn vị cấp trên 00000" in result.stderr and "Parent unit 00000" in result.stderr
    missing = run(["units", "import", "--file", str(tmp_path / "absent.csv")], data_dir)
    assert missing.returncode == 2 and "absent.csv" in missing.stderr


def test_unknown_command_is_reported(data_dir: Path) -> None:
    result = run(["no-such-command"], data_dir)
    assert result.returncode != 0 and "Unknown command" in result.stderr


def test_users_add_takes_the_password_from_the_environment(data_dir: Path) -> None:
    run(["units", "import", "--province", "68"], data_dir)
    ok = run(["users", "add", "canbo.xa", "--unit", "24781", "--role", "officer"], data_dir,
             DIEUHANH_USER_PASSWORD="Mat-khau-du-manh-2026")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    no_password = run(["users", "add", "khac", "--unit", "24781", "--role", "viewer"], data_dir)
    assert no_password.returncode == 2 and "DIEUHANH_USER_PASSWORD" in no_password.stderr
    bad_unit = run(["users", "add", "x", "--unit", "nope", "--role", "viewer"], data_dir,
                   DIEUHANH_USER_PASSWORD="Mat-khau-du-manh-2026")  # fmt: skip
    assert bad_unit.returncode == 2 and "nope" in bad_unit.stderr


def test_demo_builds_twice_safely(tmp_path: Path) -> None:
    first = run(["demo", "--no-serve"], tmp_path, DIEUHANH_DEMO_SCALE="0.01")
    assert first.returncode == 0, first.stderr
    assert "mật khẩu / password (chỉ hiện một lần / shown once):" in first.stdout
    second = run(["demo", "--no-serve"], tmp_path, DIEUHANH_DEMO_SCALE="0.01")
    assert second.returncode == 0, second.stderr
    assert "admin exists, password kept" in second.stdout and "shown once" not in second.stdout
    assert "0 mới/new, 0 cập nhật/updated, 125 không đổi/unchanged" in second.stdout
    assert "dossiers: 0, documents: 0, data_values: 0, observations: 0" in second.stdout  # nothing rewritten
    given = run(["demo", "--no-serve"], tmp_path, DIEUHANH_ADMIN_PASSWORD="Mat-khau-quan-tri-2026",
                DIEUHANH_DEMO_SCALE="0.01")  # fmt: skip
    assert "DIEUHANH_ADMIN_PASSWORD" in given.stdout


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, DIEUHANH_HTTPS="1",
                 DIEUHANH_DEBUG="0", DIEUHANH_SECRET_KEY="k" * 20 + "-production-secret-key-0123456789xyz")  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout


def test_a_fresh_data_directory_works_at_once(tmp_path: Path) -> None:
    # The embedded SQLite schema is created on first use: no separate `migrate` step for a newcomer.
    result = run(["units", "import", "--province", "68", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 125 and "preparing the database" in result.stderr
