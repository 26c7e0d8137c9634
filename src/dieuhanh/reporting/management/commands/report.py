"""`dieuhanh report list|draft|sync|completeness|remind`: periodic report forms from the command line.

dieuhanh report list [--json]
dieuhanh report draft FORM --unit CODE --period KEY --out PATH   (writes PATH.docx and PATH.xlsx)
dieuhanh report sync [--json]                                   (load the forms of the packs)
dieuhanh report completeness FORM --period KEY [--unit CODE] [--json]
dieuhanh report remind [--date YYYY-MM-DD] [--json]
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.audit.services import Actor
from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.selectors import orgunit_get
from dieuhanh.reporting.selectors import completeness, form_get, form_list, form_period


class Command(DieuhanhCommand):
    help = "Báo cáo định kỳ / periodic reports: list, draft, sync, completeness, remind."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("list", help="the report forms (code, name, period regime)")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("draft", help="draft the report document (DOCX, and XLSX beside it)")
        p.add_argument("form")
        p.add_argument("--unit", required=True)
        p.add_argument("--period", required=True)
        p.add_argument("--out", required=True, help="path of the .docx (the .xlsx is written beside it)")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("sync", help="load the forms defined in the packs")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("completeness", help="expected / submitted / on time / late / missing")
        p.add_argument("form")
        p.add_argument("--period", required=True)
        p.add_argument("--unit", default="")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("remind", help="send the due reminders by e-mail (once each)")
        p.add_argument("--date", default="")
        p.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "_" + opts["action"])(opts)

    def _ensure_forms(self) -> None:
        from dieuhanh.reporting.services import report_forms_sync

        if not form_list(active=False).exists():
            report_forms_sync(actor=Actor.system("cli"))

    def _list(self, opts: dict[str, Any]) -> None:
        self._ensure_forms()
        rows = [
            {
                "code": f.code,
                "name": f.name_vi,
                "name_en": f.name_en,
                "regime": f.regime,
                "first_period": f.first_period,
                "elements": f.elements.filter(active=True).count(),
            }
            for f in form_list()
        ]
        if opts["json"]:
            self.emit_json(rows)
            return
        if not rows:
            self.stdout.write("Chưa có biểu mẫu / no forms")
        for r in rows:
            self.stdout.write(f"{r['code']:<22} {r['regime']:<12} {r['name']}")

    def _draft(self, opts: dict[str, Any]) -> None:
        from dieuhanh.reporting.drafting import draft_build, draft_docx, draft_xlsx

        self._ensure_forms()
        form = form_get(code=opts["form"])
        unit = orgunit_get(code=opts["unit"])
        draft = draft_build(form, unit, opts["period"])
        out = Path(opts["out"])
        if out.suffix.lower() != ".docx":
            out = out.with_suffix(out.suffix + ".docx") if out.suffix else out.with_suffix(".docx")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(draft_docx(draft))
            xlsx = out.with_suffix(".xlsx")
            xlsx.write_bytes(draft_xlsx(draft))
        except OSError as exc:
            raise UserError(
                "report.out", f"Không ghi được tệp {out}: {exc}", f"Cannot write {out}: {exc}"
            ) from exc
        if opts["json"]:
            self.emit_json(
                {
                    "form": form.code,
                    "unit": unit.code,
                    "period": draft.period.key,
                    "docx": str(out),
                    "xlsx": str(xlsx),
                }
            )
            return
        self.stdout.write(f"Đã soạn / drafted: {out}\n                   {xlsx}")

    def _sync(self, opts: dict[str, Any]) -> None:
        from dieuhanh.reporting.services import report_forms_sync

        result = report_forms_sync(actor=Actor.system("cli"))
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{result.created} mới/new, {result.updated} cập nhật/updated, "
            f"{result.unchanged} không đổi/unchanged"
        )
        for p in result.problems:
            self.stdout.write(f"  ! {p}")

    def _completeness(self, opts: dict[str, Any]) -> None:
        form = form_get(code=opts["form"])
        period = form_period(form, opts["period"])
        within = orgunit_get(code=opts["unit"]) if opts["unit"] else None
        c = completeness(form, period, within=within)
        if opts["json"]:
            self.emit_json(c.as_dict())
            return
        self.stdout.write(
            f"{form.code} {period.key} (hạn/due {c.deadline:%d/%m/%Y}): {c.expected} phải gửi/expected, "
            f"{c.submitted} đã gửi/submitted ({c.on_time} đúng hạn/on time, {c.late} trễ/late), "
            f"{c.missing} chưa gửi/missing, {c.accepted} đã duyệt/accepted"
        )

    def _remind(self, opts: dict[str, Any]) -> None:
        from dieuhanh.reporting.services import reminders_send

        day = date.fromisoformat(opts["date"]) if opts["date"] else None
        result = reminders_send(today=day)
        if opts["json"]:
            self.emit_json(result.as_dict())
            return
        self.stdout.write(
            f"{result.sent} thư/e-mails, {result.recipients} người nhận/recipients, "
            f"{result.already_sent} đã gửi trước/already sent"
        )
