"""`dieuhanh ingest TABLE PATH [--source NAME] [--json]`: load a CSV, XLSX or JSON file into the lake."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import Channel
from dieuhanh.ingest.readers import TextRows, file_records, json_file_records
from dieuhanh.ingest.services import batch_ingest, batch_reconcile, source_default, source_get
from dieuhanh.ingest.validation import table_spec

DEFAULT_SOURCE = "tep-thu-cong"


class Command(DieuhanhCommand):
    help = "Validate a file of records and store its valid rows in the fact lake (one batch)."
    requires_system_checks: list[str] = []  # a data load: Django's project checks cost half a second

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("table", help="dossiers, services, documents, observations or data_values")
        parser.add_argument("path", type=Path, help="CSV, XLSX or JSON file")
        parser.add_argument(
            "--source", default=DEFAULT_SOURCE, help="source system code (records are keyed by it)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--no-compute", action="store_true", help="do not recompute indicators after the batch"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        spec = table_spec(opts["table"])
        path: Path = opts["path"]
        if not path.is_file():
            raise UserError("file.unreadable", f"Không đọc được tệp {path}: tệp không tồn tại.",
                            f"Cannot read {path}: no such file.")  # fmt: skip
        batch_reconcile()
        source = self._source(opts["source"])
        records: TextRows | Iterator[tuple[int, Any]]
        if path.suffix.lower() == ".json":
            records = iter(json_file_records(path))
        else:
            records, total = file_records(path)
            if not opts["json"] and not opts["quiet"] and sys.stderr.isatty() and (total or 0) > 20_000:
                records.progress = _progress(total or 0)
        result = batch_ingest(
            actor=Actor.system("cli"), source=source, table=spec.name, records=records, channel=Channel.FILE,
            file_name=path.name,
        )  # fmt: skip
        if isinstance(records, TextRows) and records.progress is not None:
            sys.stderr.write("\n")
        summary = result.as_dict()
        run = None
        if not opts["no_compute"]:
            # Imported here: the engine's import costs ~0.5 s that --no-compute runs need not pay.
            from dieuhanh.indicators.services import indicator_values_refresh_after_batch

            run = indicator_values_refresh_after_batch(batch=result.batch)
        summary["indicators"] = (
            {"run": run.pk, "status": run.status, "written": run.written, "seconds": run.seconds}
            if run
            else None
        )
        if opts["json"]:
            self.emit_json(summary)
            return
        b = result.batch
        self.stdout.write(
            f"{path.name} → {spec.name}: {b.accepted} ghi mới hoặc cập nhật / written, {b.unchanged} không đổi / "
            f"unchanged, {b.rejected} bị từ chối / rejected (lô / batch {b.pk}, phiên bản / version {b.lake_version})"
        )
        for p in result.outcome.problems[:50]:
            self.stderr.write(f"  - {p}")
        if len(result.outcome.problems) > 50:
            self.stderr.write(f"  … {len(result.outcome.problems) - 50} lỗi khác / more problems")

    def _source(self, code: str) -> Any:
        if code == DEFAULT_SOURCE:
            return source_default(code=code, name="Tệp nhập thủ công / files loaded by hand")
        return source_get(code=code)


def _progress(total: int) -> Callable[[int], None]:
    """A progress bar on standard error, moved after each chunk validated (`TextRows.progress`)."""

    def show(row: int) -> None:  # the file's row number: the header is row 1
        done = min((row - 1) / total, 1.0) if total else 1.0
        sys.stderr.write(f"\r[{'#' * int(done * 40):<40}] {done:4.0%} {row - 1:,}/~{total:,} dòng/rows")
        sys.stderr.flush()

    return show
