"""List pages of steering: my unit's tasks (with alerts), the overdue list, figures; XLSX exports."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from dieuhanh.accounts.scoping import in_scope, restrict
from dieuhanh.core.periods import Lang, PeriodError, parse_period, period_of
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.exports import tasks_xlsx
from dieuhanh.steering.models import Occurrence, Task
from dieuhanh.steering.schedule import Status
from dieuhanh.steering.selectors import (
    TaskLine,
    occurrences_visible,
    task_alerts,
    task_figures,
    task_lines,
    task_overdue,
)
from dieuhanh.steering.views_milestones import slipping_phases
from dieuhanh.web.pages import page, user_of

ROLES = ("lead", "support", "issued")


def _xlsx(lines: list[TaskLine], title: str, filename: str) -> HttpResponse:
    body = tasks_xlsx(lines, title=title, today=timezone.localdate())
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks the user's unit (and subtree) leads, supports or issued, with the alerts on top."""
    user = user_of(request)
    today = timezone.localdate()
    status = request.GET.get("status", "open")  # what is still to do, unless asked otherwise
    role = request.GET.get("role", "")
    q = request.GET.get("q", "").strip()
    qs = occurrences_visible(user=user)
    if status in Status.values:
        qs = qs.in_status(status, today)
    elif status == "open":
        qs = qs.filter(done_on__isnull=True)
    if q:
        qs = qs.filter(task__content__icontains=q)
    role_field = {"lead": "lead_unit", "support": "supporting_units", "issued": "directive__issuer"}.get(role)
    if role_field:
        qs = qs.filter(task__in=restrict(Task.objects.all(), user, unit_field=role_field).values("pk"))
    qs = qs.order_by("deadline", "pk")
    unit = user.unit
    if request.GET.get("format") == "xlsx":
        name = unit.name if unit else ""
        return _xlsx(
            task_lines(qs, today=today), f"Nhiệm vụ — {name}", f"nhiem-vu-{unit.code if unit else ''}.xlsx"
        )
    page = Paginator(qs.values_list("pk", flat=True), 50).get_page(request.GET.get("page"))
    lines = task_lines(Occurrence.objects.filter(pk__in=list(page)).order_by("deadline", "pk"), today=today)
    return render(
        request,
        "steering/my_tasks.html",
        {
            "alerts": task_alerts(user=user, today=today),
            "slipping": slipping_phases(user=user, today=today),
            "page": page,
            "lines": lines,
            "status": status,
            "role": role,
            "q": q,
            "statuses": Status.choices,
            "filters": request.GET,
            "today": today,
        },
    )


@page
def overdue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    code = request.GET.get("unit", "").strip()
    unit = OrgUnit.objects.filter(code=code).first() if code else None
    if unit is not None and not in_scope(user, unit):
        unit = None
    lines = task_overdue(today=today, user=user, unit=unit)
    if request.GET.get("format") == "xlsx":
        title = "Nhiệm vụ quá hạn" + (f" — {unit.name}" if unit else "")
        return _xlsx(lines, title, f"qua-han-{today:%Y%m%d}.xlsx")
    by_unit: dict[str, int] = {}
    for x in lines:
        by_unit[x.lead_unit_name] = by_unit.get(x.lead_unit_name, 0) + 1
    return render(
        request,
        "steering/overdue.html",
        {
            "lines": lines,
            "unit": unit,
            "code": code,
            "today": today,
            "by_unit": sorted(by_unit.items(), key=lambda kv: (-kv[1], kv[0])),
        },
    )


@page
def figures(request: HttpRequest) -> HttpResponse:
    """Assigned, done on time, done late, overdue per lead unit for a period."""
    user = user_of(request)
    today = timezone.localdate()
    key = request.GET.get("period", "").strip()
    error = ""
    try:
        period = parse_period(key) if key else period_of("quarter", today)
    except PeriodError as exc:
        error = exc.message_en if (get_language() or "vi").startswith("en") else exc.message_vi
        period = period_of("quarter", today)
    fig = task_figures(period=period, today=today, user=user)
    lang: Lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    quick = [
        period_of("month", today),
        period_of("quarter", today),
        period_of("quarter", today).previous(),
        period_of("year", today),
        period_of("year", today).previous(),
        period_of("r09_quarter", today),
    ]
    biggest = max([r.assigned for r in fig.rows] or [1])
    return render(
        request,
        "steering/figures.html",
        {
            "fig": fig,
            "period": period,
            "label": period.label(lang),
            "error": error,
            "key": key or period.key,
            "quick": [(p.key, p.label(lang)) for p in quick],
            "biggest": biggest,
        },
    )
