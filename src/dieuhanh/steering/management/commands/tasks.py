"""`dieuhanh tasks import PATH [--directive NUMBER] [--json]`, `dieuhanh tasks overdue [--unit CODE] [--json]`,
`dieuhanh tasks list --unit CODE`, `dieuhanh tasks figures --period KEY` and `dieuhanh tasks digest`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.core.periods import PeriodError, parse_period, period_of
from dieuhanh.orgunits.readers import parse_date
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.steering.exports import tasks_xlsx
from dieuhanh.steering.notify import steering_daily
from dieuhanh.steering.readers import read_task_table
from dieuhanh.steering.selectors import TaskLine, occurrences_of_unit, task_figures, task_lines, task_overdue
from dieuhanh.steering.services import directive_for_import, task_import


def _date(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise UserError(
            "value.bad_date",
            f"{what}: ngày không hợp lệ {text!r} (dd/mm/yyyy).",
            f"{what}: invalid date {text!r} (dd/mm/yyyy).",
        ) from None


class Command(DieuhanhCommand):
    help = "Steering tasks: import a directive's task table, list overdue tasks, send the daily digest."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a directive's task table (XLSX or CSV)")
        imp.add_argument("path", type=Path)
        imp.add_argument("--directive", help="number and sign of the directive, e.g. 45/KH-UBND")
        imp.add_argument("--issuer", help="code of the issuing unit (default: the root unit)")
        imp.add_argument("--date", help="the directive's date (dd/mm/yyyy), to register a new directive")
        imp.add_argument("--summary", default="", help="the directive's summary (trích yếu)")
        imp.add_argument("--json", action="store_true", help="print one JSON object")
        over = sub.add_parser("overdue", help="list overdue tasks")
        over.add_argument("--unit", help="only tasks led or supported by this unit's subtree")
        over.add_argument("--xlsx", type=Path, help="also write the list to this XLSX file")
        over.add_argument("--json", action="store_true", help="print one JSON list")
        ls = sub.add_parser("list", help="list a unit's tasks (led or supported, its subtree included)")
        ls.add_argument("--unit", required=True)
        ls.add_argument("--xlsx", type=Path, help="also write the list to this XLSX file")
        ls.add_argument("--json", action="store_true", help="print one JSON list")
        fig = sub.add_parser("figures", help="tasks assigned, done on time, done late, overdue per lead unit")
        fig.add_argument("--period", help="period key, e.g. 2026Q3 (default: the current quarter)")
        fig.add_argument("--unit", help="only this unit's subtree")
        fig.add_argument("--json", action="store_true", help="print one JSON object")
        dig = sub.add_parser(
            "digest", help="the daily job: open recurring periods and e-mail each unit its digest"
        )
        dig.add_argument("--day", help="the day of the digest (default: today)")
        dig.add_argument("--force", action="store_true", help="send again units already sent today")
        dig.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "_" + opts["action"])(opts)

    def _import(self, opts: dict[str, Any]) -> None:
        actor = Actor.system("cli")
        table = read_task_table(opts["path"])
        issuer = orgunit_get(code=opts["issuer"]) if opts["issuer"] else None
        directive = directive_for_import(
            actor=actor,
            table=table,
            number=opts["directive"],
            issuer=issuer,
            issued_on=_date(opts["date"], "--date"),
            summary=opts["summary"],
        )
        result = task_import(actor=actor, directive=directive, table=table)
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{table.name} → {directive.number}: {result.created} mới / new, {result.updated} cập nhật / updated, "
            f"{result.unchanged} không đổi / unchanged, {result.rejected} bị từ chối / rejected"
        )
        for p in result.problems:
            self.stdout.write(f"  - {p}")

    def _lines_out(self, lines: list[TaskLine], opts: dict[str, Any], title: str) -> None:
        today = timezone.localdate()
        if opts.get("xlsx"):
            opts["xlsx"].write_bytes(tasks_xlsx(lines, title=title, today=today))
        if opts["json"]:
            self.emit_json([x.as_dict() for x in lines])
            return
        if not lines:
            self.stdout.write("Không có nhiệm vụ nào / no tasks.")
        for x in lines:
            late = f" quá hạn/overdue {x.days_overdue} ngày/days" if x.days_overdue else ""
            self.stdout.write(
                f"{x.deadline:%d/%m/%Y}{late} · {x.lead_unit} · {x.directive} {x.number} · "
                f"{x.status_vi}/{x.status_en} · {x.percent}% · {x.content[:90]}"
            )

    def _overdue(self, opts: dict[str, Any]) -> None:
        unit = orgunit_get(code=opts["unit"]) if opts["unit"] else None
        lines = task_overdue(today=timezone.localdate(), unit=unit)
        title = "Nhiệm vụ quá hạn" + (f" — {unit.name}" if unit else "")
        self._lines_out(lines, opts, title)

    def _list(self, opts: dict[str, Any]) -> None:
        unit = orgunit_get(code=opts["unit"])
        qs = occurrences_of_unit(unit=unit).order_by("deadline", "pk")
        self._lines_out(task_lines(qs, today=timezone.localdate()), opts, f"Nhiệm vụ — {unit.name}")

    def _figures(self, opts: dict[str, Any]) -> None:
        today = timezone.localdate()
        try:
            period = parse_period(opts["period"]) if opts["period"] else period_of("quarter", today)
        except PeriodError as exc:
            raise UserError(exc.code, exc.message_vi, exc.message_en) from None
        unit = orgunit_get(code=opts["unit"]) if opts["unit"] else None
        fig = task_figures(period=period, today=today, unit=unit)
        if opts["json"]:
            self.emit_json(
                {
                    "period": period.key,
                    "today": today,
                    "units": [r.as_dict() for r in fig.rows],
                    "total": fig.total.as_dict(),
                }
            )
            return
        self.stdout.write(f"{period.label('vi')} / {period.label('en')}")
        for r in [*fig.rows, fig.total]:
            self.stdout.write(
                f"{r.unit or 'TỔNG/TOTAL':<12} giao/assigned {r.assigned:>4}  đúng hạn/on time "
                f"{r.done_on_time:>4}  trễ/late {r.done_late:>4}  quá hạn/overdue {r.overdue:>4}"
            )

    def _digest(self, opts: dict[str, Any]) -> None:
        result = steering_daily(today=_date(opts["day"], "--day"), force=opts["force"])
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{result.day:%d/%m/%Y}: {result.opened} kỳ mới / periods opened, {result.sent} thư / e-mails "
            f"({result.recipients} người nhận / recipients), {result.already_sent} đã gửi hôm nay / already sent"
        )
        if result.without_recipients:
            self.stdout.write(
                "Đơn vị chưa có địa chỉ e-mail / units without e-mail: "
                + ", ".join(result.without_recipients)
            )
