"""The `dieuhanh` console script: a thin front on the management commands.

`dieuhanh demo`, `dieuhanh units import --province 68`, `dieuhanh ingest dossiers FILE --json`…
Any Django management command works too (`dieuhanh migrate`, `dieuhanh createcachetable`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":  # `dieuhanh manage CMD` is the same as `dieuhanh CMD`
        args = args[1:]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dieuhanh", *args])


if __name__ == "__main__":
    main()
