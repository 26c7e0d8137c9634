"""Real services for tests: a private Mosquitto broker, and a database for `dieuhanh` subprocesses.

No mocks: the broker is Debian's mosquitto started with an explicit configuration (as DESIGN.md
says), and subprocesses get a SQLite file in the SQLite pass or a fresh database on the real
PostgreSQL server in the PostgreSQL pass.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("dieuhanh")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """A Mosquitto of our own: unlimited queues and in-flight window, persistence in a temp dir."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {workdir}/\nmax_queued_messages 0\nmax_inflight_messages 0\n"
            # As root, mosquitto would switch to its own user, which cannot write our temp dir.
            f"max_queued_bytes 0\nlog_dest none\nuser {getpass.getuser()}\n",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen(
            [exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: mosquitto saves its persistence file
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    if not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        pytest.fail("mosquitto is not installed: apt-get install -y mosquitto (see docs/install.md)")
    b = Broker(tmp_path)
    b.start()
    yield b
    b.stop()


@contextmanager
def subprocess_database(tmp_path: Path) -> Iterator[str]:
    """A database URL for `dieuhanh` subprocesses, on the same kind of database as this pass."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    import psycopg

    name = f"dieuhanh_sub_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    skip = {
        "DATABASE_URL",
        "DJANGO_SETTINGS_MODULE",
        "DIEUHANH_HTTPS",
        "DIEUHANH_DATA_DIR",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        {
            "DIEUHANH_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "DIEUHANH_SECRET_KEY": "subprocess-test-key-0123456789-abcdefghij",
        }
    )
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
