"""`dieuhanh serve`: the production server (Granian, WSGI) on the settings from the environment."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand


def granian_argv(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", "8", "--no-ws", "dieuhanh.wsgi:application",
    ]  # fmt: skip


class Command(DieuhanhCommand):
    help = "Serve the web application with Granian (not the development server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("DIEUHANH_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DIEUHANH_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DIEUHANH_WORKERS", "2")))

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
        self.stdout.write(f"dieuhanh: http://{opts['host']}:{opts['port']}/  (Ctrl+C để dừng / to stop)")
        self.stdout.flush()
        argv = granian_argv(opts["host"], opts["port"], opts["workers"])
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process with the server
