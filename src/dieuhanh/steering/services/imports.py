"""Importing a directive's task table: units by code or exact name, row-by-row refusals.

Unlike unit imports, a task table is not refused as a whole: a row with an unknown unit, a
deadline before the directive's date or an empty content is refused with its row, field and
reason (Vietnamese and English), and the other rows are stored. Importing the same table again
changes nothing: a row is matched to an existing task by its STT (or, without one, its content).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import date

from django.utils import timezone

from dieuhanh.accounts.scoping import require
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import NotFound, Problem, UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive
from dieuhanh.steering.readers import TaskFile, TaskRow
from dieuhanh.steering.services.common import ImportCounts, TaskSpec, task_spec_problems
from dieuhanh.steering.services.tasks import directive_create, task_create, task_update


def _name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class UnitIndex:
    """Units by code, or by exact name (case and spacing aside) among the units that still exist."""

    def __init__(self, today: date) -> None:
        self.by_code: dict[str, OrgUnit] = {}
        self.by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        for u in OrgUnit.objects.all():
            self.by_code[u.code] = u
            if u.valid_to is None or u.valid_to > today:
                self.by_name[_name_key(u.name)].append(u)

    def find(self, text: str) -> OrgUnit | list[OrgUnit] | None:
        """The unit; None when unknown; the candidates when the name is ambiguous."""
        text = text.strip()
        if text in self.by_code:
            return self.by_code[text]
        found = self.by_name.get(_name_key(text), [])
        if len(found) == 1:
            return found[0]
        return found or None

    def find_many(self, cell: str) -> tuple[list[OrgUnit], list[str]]:
        """Units of a cell listing several (";" or new lines between them; "," too, unless the comma
        belongs to a name such as "Sở Văn hóa, Thể thao và Du lịch"). Returns (units, unknown parts)."""
        units: list[OrgUnit] = []
        unknown: list[str] = []
        for part in [p.strip() for p in cell.replace("\n", ";").split(";") if p.strip()]:
            hit = self.find(part)
            if isinstance(hit, OrgUnit):
                units.append(hit)
                continue
            pieces = [p.strip() for p in part.split(",") if p.strip()]
            i = 0
            while i < len(pieces):
                for j in range(len(pieces), i, -1):  # the longest run of pieces that names a unit
                    candidate = self.find(", ".join(pieces[i:j]))
                    if isinstance(candidate, OrgUnit):
                        units.append(candidate)
                        i = j
                        break
                else:
                    unknown.append(pieces[i])
                    i += 1
        return units, unknown


def _unknown_unit(file: str, row: int, fld: str, text: str, hit: object) -> Problem:
    if isinstance(hit, list) and hit:
        codes = ", ".join(u.code for u in hit)
        return Problem(
            "task.ambiguous_unit",
            f"Tên đơn vị {text!r} trùng nhiều đơn vị ({codes}): ghi mã đơn vị.",
            f"The unit name {text!r} matches several units ({codes}): give the code.",
            file=file,
            row=row,
            field=fld,
        )
    return Problem(
        "task.unknown_unit",
        f"Không có đơn vị {text!r} (ghi mã hoặc đúng tên đơn vị).",
        f"Unknown unit {text!r} (give its code or its exact name).",
        file=file,
        row=row,
        field=fld,
    )


def _spec(
    item: TaskRow, index: UnitIndex, directive: Directive, file: str, today: date
) -> TaskSpec | list[Problem]:
    problems = list(item.problems)
    lead: OrgUnit | None = None
    if not item.lead:
        problems.append(
            Problem(
                "task.lead_required",
                "Thiếu đơn vị chủ trì.",
                "The lead unit is missing.",
                file=file,
                row=item.row,
                field="lead",
            )
        )
    else:
        hit = index.find(item.lead)
        if isinstance(hit, OrgUnit):
            lead = hit
        else:
            problems.append(_unknown_unit(file, item.row, "lead", item.lead, hit))
    supporting, unknown = index.find_many(item.supporting)
    for text in unknown:
        problems.append(_unknown_unit(file, item.row, "supporting", text, index.find(text)))
    d = item.deadline
    spec = TaskSpec(
        content=item.content,
        lead=lead or OrgUnit(code="", name=""),  # an unknown lead still gets its other cells checked
        supporting=tuple(supporting),
        number=item.number,
        recurrence=d.recurrence if d else "once",
        due_on=d.due_on if d else None,
        due_day=d.due_day if d else None,
        expected_product=item.expected_product,
        target_indicator=item.target_indicator,
        target_value=item.target_value,
    )
    checks = task_spec_problems(spec, directive, file=file, row=item.row, today=today)
    if d is None:  # the reader already said why
        checks = [p for p in checks if p.code != "task.deadline_required"]
    problems += checks
    if problems or lead is None:  # an unknown lead always left a problem
        return problems
    return spec


def task_import(
    *, actor: Actor, directive: Directive, table: TaskFile, today: date | None = None
) -> ImportCounts:
    """Create or update the directive's tasks from a table; refused rows are reported, not fatal."""
    if actor.user is not None:
        require(actor.user, "approve", directive.issuer)
    today = today or timezone.localdate()
    index = UnitIndex(today)
    result = ImportCounts(directive=directive.number)
    existing = {t.number or f"\0{t.content.strip()}": t for t in directive.tasks.all()}
    seen: dict[str, int] = {}
    for position, item in enumerate(table.rows, start=1):
        if item.section:
            result.sections += 1
            continue
        outcome = _spec(item, index, directive, table.name, today)
        key = item.number.strip() or f"\0{item.content.strip()}"
        if not isinstance(outcome, list) and key in seen:
            outcome = [
                Problem(
                    "task.duplicate_number",
                    f"STT {item.number} trùng với dòng {seen[key]}.",
                    f"No. {item.number} repeats row {seen[key]}.",
                    file=table.name,
                    row=item.row,
                    field="number",
                )
            ]
        if isinstance(outcome, list):
            result.rejected += 1
            result.problems += outcome
            continue
        seen[key] = item.row
        task = existing.get(key)
        try:
            if task is None:
                task_create(actor=actor, directive=directive, spec=outcome, today=today, position=position)
                result.created += 1
            elif task_update(actor=actor, task=task, spec=outcome, today=today):
                result.updated += 1
            else:
                result.unchanged += 1
        except UserError as exc:  # e.g. changing the recurrence of a task already reported on
            result.rejected += 1
            result.problems += [
                Problem(p.code, p.message_vi, p.message_en, file=table.name, row=item.row, field=p.field)
                for p in (exc.problems or [Problem(exc.code, exc.message_vi, exc.message_en)])
            ]
    return result


def directive_for_import(
    *,
    actor: Actor,
    table: TaskFile,
    number: str | None = None,
    issuer: OrgUnit | None = None,
    issued_on: date | None = None,
    summary: str = "",
) -> Directive:
    """The directive a task table belongs to: named by `number` or by the table's title ("Kèm theo
    Kế hoạch số 45/KH-UBND ngày 26/01/2024"); registered when it does not exist yet and its date is
    known (the issuer defaults to the root unit when there is exactly one)."""
    ref = table.directive_ref()
    if number is None and ref is not None:
        number, issued_on = ref[0], issued_on or ref[1]
    if not number:
        raise UserError(
            "directive.unknown",
            f"Tệp {table.name} không nêu văn bản: dùng --directive SỐ (và --date, --issuer để đăng ký mới), "
            "hoặc ghi dòng tiêu đề 'Kèm theo Kế hoạch số …/KH-UBND ngày dd/mm/yyyy'.",
            f"{table.name} names no directive: use --directive NUMBER (with --date and --issuer to register it), "
            "or a title line 'Kèm theo Kế hoạch số …/KH-UBND ngày dd/mm/yyyy'.",
        )
    number = " ".join(number.split())
    found = Directive.objects.filter(number=number).select_related("issuer")
    if issuer is not None:
        found = found.filter(issuer=issuer)
    matches = list(found[:2])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(
            "directive.ambiguous",
            f"Có nhiều văn bản số {number}: thêm --issuer MÃ_ĐƠN_VỊ.",
            f"Several directives are numbered {number}: add --issuer UNIT_CODE.",
        )
    if issuer is None:
        roots = list(OrgUnit.objects.filter(parent__isnull=True, valid_to__isnull=True)[:2])
        issuer = roots[0] if len(roots) == 1 else None
    if issued_on is None or issuer is None:
        raise NotFound(
            "directive.not_found",
            f"Chưa có văn bản số {number}: thêm --date dd/mm/yyyy và --issuer MÃ_ĐƠN_VỊ để đăng ký.",
            f"No directive numbered {number} yet: add --date dd/mm/yyyy and --issuer UNIT_CODE to register it.",
        )
    return directive_create(actor=actor, number=number, issued_on=issued_on, issuer=issuer, summary=summary)
