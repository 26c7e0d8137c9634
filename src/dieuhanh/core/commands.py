"""The base of dieuhanh's management commands: exit statuses and output of the CLI contract.

Exit status 0 when done (rejected rows are reported, not fatal), 2 for unusable input (a
`UserError`: unreadable file, unknown table, refused import), 1 for an internal error.
With `--json`, exactly one JSON object or list on standard output.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dieuhanh.core.errors import UserError


class DieuhanhCommand(BaseCommand):
    json_flag = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `dieuhanh units import` reads better than `dieuhanh.cli units import` in usage lines.
        return super().create_parser("dieuhanh", subcommand, **kwargs)

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        except UserError as exc:
            opts = " ".join(argv)
            if "--json" in opts:
                sys.stdout.write(json.dumps({"error": exc.as_dict()}, ensure_ascii=False) + "\n")
            sys.stderr.write(exc.render() + "\n")
            sys.exit(exc.exit_code)

    def emit_json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
