"""CSV and XLSX of the records behind a figure (the drill-down export)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from dieuhanh.indicators.selectors import RecordPage


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def records_response(page: RecordPage, fmt: str) -> HttpResponse:
    name = f"{page.indicator}_{page.unit}_{page.period}_{page.part}"
    header = [*page.columns, *(["share"] if page.shares else [])]
    unit_at = page.columns.index("unit_code") if "unit_code" in page.columns else None

    def rows() -> list[list[Any]]:
        out = []
        for r in page.rows:
            row = [_cell(v) for v in r]
            if page.shares:
                row.append(page.shares.get(str(r[unit_at]) if unit_at is not None else "", 1.0))
            out.append(row)
        return out

    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = page.part[:31]
        sheet.append(header)
        for row in rows():
            sheet.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
        buf = io.BytesIO()
        book.save(buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows())
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
