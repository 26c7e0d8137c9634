"""`dieuhanh ingest TABLE PATH [--source NAME] [--json]`: load a CSV, XLSX or JSON file into the lake."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.ingest.models import Channel
from dieuhanh.ingest.readers import file_records, json_file_records
from dieuhanh.ingest.services import batch_ingest, batch_reconcile, source_default, source_get
from dieuhanh.ingest.validation import table_spec

DEFAULT_SOURCE = "tep-thu-cong"


class Command(DieuhanhCommand):
    help = "Validate a file of records and store its valid rows in the fact lake (one batch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("table", help="dossiers, services, documents, observations or data_values")
        parser.add_argument("path", type=Path, help="CSV, XLSX or JSON file")
        parser.add_argument(
            "--source", default=DEFAULT_SOURCE, help="source system code (records are keyed by it)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        spec = table_spec(opts["table"])
        path: Path = opts["path"]
        if not path.is_file():
            raise UserError("file.unreadable", f"Không đọc được tệp {path}: tệp không tồn tại.",
                            f"Cannot read {path}: no such file.")  # fmt: skip
        batch_reconcile()
        source = self._source(opts["source"])
        if path.suffix.lower() == ".json":
            records: Iterator[tuple[int, Any]] = iter(json_file_records(path))
            total = None
        else:
            records, total = file_records(path)
        if not opts["json"] and not opts["quiet"] and sys.stderr.isatty() and (total or 0) > 20_000:
            records = _progress(records, total or 0)
        result = batch_ingest(
            actor=Actor.system("cli"), source=source, table=spec.name, records=records, channel=Channel.FILE,
            file_name=path.name,
        )  # fmt: skip
        summary = result.as_dict()
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


def _progress(records: Iterator[tuple[int, Any]], total: int) -> Iterator[tuple[int, Any]]:
    step = max(total // 50, 1)
    for n, rec in records:
        if n % step == 0:
            done = min(n / total, 1.0)
            sys.stderr.write(f"\r[{'#' * int(done * 40):<40}] {done:4.0%} {n:,}/{total:,} dòng/rows")
            sys.stderr.flush()
        yield n, rec
    sys.stderr.write("\n")
