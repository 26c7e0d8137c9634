"""Milestone registration: a unit registers its timeline for a programme (e.g. its IOC build) and
reports on its phases; slipping phases are flagged.

One model, not two: the timelines and phases are the registry's (`registry.ProgrammeTimeline`,
`registry.Milestone`), written and read only through its services and selectors
(`timeline_register`, `milestone_report`, `timelines_visible`, `timeline_get`, `timeline_view`).
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dieuhanh.accounts.models import User
from dieuhanh.accounts.scoping import restrict
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import UserError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.readers import parse_date
from dieuhanh.registry.selectors import TimelineView, timeline_get, timeline_view, timelines_visible
from dieuhanh.registry.services import IOC_PROGRAMME, MilestoneSpec, milestone_report, timeline_register
from dieuhanh.steering.forms import DATE
from dieuhanh.web.pages import page, refuse, user_of


class TimelineForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    programme = forms.SlugField(label=_("Programme (code)"), max_length=64, initial=IOC_PROGRAMME)
    title = forms.CharField(label=_("Title"), max_length=300)
    phases = forms.CharField(
        label=_("Phases"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One phase a line: name | due date (dd/mm/yyyy) | start date (optional)."),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        units = restrict(OrgUnit.objects.filter(valid_to__isnull=True), user, unit_field="self")
        self.fields["unit"].queryset = units.order_by("kind", "name")  # type: ignore[attr-defined]


def parse_phases(text: str) -> list[MilestoneSpec]:
    """ "Lắp đặt thiết bị | 30/06/2024 | 01/03/2024" lines → phases; raises `UserError` naming the line."""
    out: list[MilestoneSpec] = []
    for number, line in enumerate([x for x in text.splitlines() if x.strip()], start=1):
        parts = [p.strip() for p in re.split(r"\s*[|;\t]\s*", line.strip())]
        try:
            due = parse_date(parts[1]) if len(parts) > 1 and parts[1] else None
            start = parse_date(parts[2]) if len(parts) > 2 and parts[2] else None
        except ValueError:
            due = None
            start = None
        if due is None:
            raise UserError(
                "milestone.bad_line",
                f"Dòng {number} ({line.strip()!r}): cần 'tên giai đoạn | dd/mm/yyyy'.",
                f"Line {number} ({line.strip()!r}): expected 'phase name | dd/mm/yyyy'.",
            )
        out.append(MilestoneSpec(name=parts[0], due_on=due, starts_on=start))
    return out


def slipping_phases(*, user: User, today: date) -> list[tuple[TimelineView, object]]:
    """(timeline, phase) pairs flagged as slipping, for the alerts of "my unit's tasks"."""
    views = [timeline_view(t, today=today) for t in timelines_visible(user=user)]
    return [(v, m) for v in views for m in v.slipping]


@page
def milestones(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    programme = request.GET.get("programme", "").strip()
    views = [timeline_view(t, today=today) for t in timelines_visible(user=user, programme=programme)]
    if request.GET.get("slipping") == "1":
        views = [v for v in views if v.slipping]
    form = None
    if user.can("submit") and user.unit is not None:
        form = TimelineForm(request.POST or None, user=user, initial={"unit": user.unit_id})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                timeline, outcome = timeline_register(
                    actor=Actor.of(user),
                    unit=d["unit"],
                    programme=d["programme"],
                    title=d["title"],
                    milestones=parse_phases(d["phases"]),
                    source="dieuhanh: chỉ đạo, điều hành",
                )
                messages.success(request, f"{timeline.title}: {outcome}")
                return redirect(reverse("steering:milestones") + f"?programme={timeline.programme}")
            except UserError as exc:
                refuse(request, exc)
    programmes = sorted({v.timeline.programme for v in views} | {IOC_PROGRAMME})
    return render(
        request,
        "steering/milestones.html",
        {
            "views": views,
            "form": form,
            "programme": programme,
            "programmes": programmes,
            "today": today,
            "can_report": user.can("submit"),
            "date_widget": DATE,
        },
    )


@page
@require_POST
def milestone_update(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Record a phase's expected date or the day it was done."""
    user = user_of(request)
    timeline = timeline_get(user=user, pk=pk)
    phase = next((m for m in timeline.milestones.all() if m.position == position), None)
    if phase is None:
        raise Http404
    forecast = request.POST.get("forecast_on") or None
    done = request.POST.get("done_on") or None
    try:
        milestone_report(
            actor=Actor.of(user),
            milestone=phase,
            forecast_on=date.fromisoformat(forecast) if forecast else None,
            done_on=date.fromisoformat(done) if done else None,
        )
    except ValueError:
        refuse(request, UserError("value.bad_date", "Ngày không hợp lệ.", "Invalid date."))
    except UserError as exc:
        refuse(request, exc)
    return redirect(reverse("steering:milestones") + f"?programme={timeline.programme}")
