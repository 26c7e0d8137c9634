"""The `dieuhanh` console script: a thin front on the management commands.

`dieuhanh demo`, `dieuhanh units import --province 68`, `dieuhanh ingest dossiers FILE --json`…
Any Django management command works too (`dieuhanh migrate`, `dieuhanh createcachetable`).

On the embedded SQLite database, pending migrations are applied before a command runs, so a
fresh data directory works at once; on PostgreSQL they are left to `dieuhanh migrate` (an
operator's decision) and a command refuses to run on an outdated schema.
"""

from __future__ import annotations

import os
import sys

# Commands that must run whatever the state of the schema.
NO_SCHEMA = {
    "migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations", "help", "check",
    "compilemessages", "makemessages", "collectstatic", "version", "shell", "dbshell", "--help", "-h",
    "--version", "serve", "bench", "aqi",
}  # fmt: skip


def _ensure_schema(command: str) -> None:
    if command in NO_SCHEMA:
        return
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    if connection.vendor == "sqlite":
        from django.core.management import call_command

        sys.stderr.write(
            f"dieuhanh: chuẩn bị cơ sở dữ liệu / preparing the database ({len(plan)} migrations)\n"
        )
        call_command("migrate", interactive=False, verbosity=0)
        return
    sys.stderr.write(
        "Cơ sở dữ liệu chưa được cập nhật: chạy `dieuhanh migrate` trước. / "
        "The database schema is not up to date: run `dieuhanh migrate` first.\n"
    )
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":  # `dieuhanh manage CMD` is the same as `dieuhanh CMD`
        args = args[1:]
    import django
    from django.core.management import execute_from_command_line

    if args:
        django.setup()
        _ensure_schema(args[0])
    execute_from_command_line(["dieuhanh", *args])


if __name__ == "__main__":
    main()
