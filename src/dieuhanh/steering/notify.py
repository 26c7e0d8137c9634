"""Alerts by e-mail: one daily digest per unit of its overdue tasks and those due within 7 days.

`steering_daily()` is what a scheduler calls once a day (cron or a systemd timer running
`dieuhanh tasks digest`, or the django-tasks task `dieuhanh.steering.tasks.steering_daily_task`):
it opens the new periods of recurring tasks, then sends the digests through Django's e-mail
backend (`DIEUHANH_EMAIL_BACKEND`). A unit's digest goes to the active accounts of that unit with
an e-mail address; it lists the tasks the unit leads, those it supports, and the overdue tasks it
issued. Calling it again the same day sends nothing new (unless `force`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.audit.services import Actor, audit_record
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import DigestSent, Occurrence
from dieuhanh.steering.schedule import DUE_SOON_DAYS, Status
from dieuhanh.steering.selectors import TaskLine, task_lines
from dieuhanh.steering.services import task_occurrences_sync

SECTIONS = ("lead_overdue", "lead_due_soon", "support_overdue", "support_due_soon", "issued_overdue")


@dataclass
class UnitDigest:
    unit: OrgUnit
    lines: dict[str, list[TaskLine]] = field(default_factory=lambda: {s: [] for s in SECTIONS})

    @property
    def overdue(self) -> int:
        return len({x.occurrence_id for s in SECTIONS if s.endswith("overdue") for x in self.lines[s]})

    @property
    def due_soon(self) -> int:
        return len({x.occurrence_id for s in SECTIONS if s.endswith("due_soon") for x in self.lines[s]})


@dataclass
class DigestResult:
    day: date
    opened: int = 0
    sent: int = 0
    recipients: int = 0
    already_sent: int = 0
    without_recipients: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "occurrences_opened": self.opened,
            "sent": self.sent,
            "recipients": self.recipients,
            "already_sent": self.already_sent,
            "units_without_recipients": self.without_recipients,
        }


def digests_for(*, today: date) -> dict[str, UnitDigest]:
    """Unit code → what its digest lists (only units with something to say)."""
    # Overdue or due within the next days: not done, deadline at most DUE_SOON_DAYS ahead.
    qs = Occurrence.objects.filter(done_on__isnull=True, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))
    lines = task_lines(qs.order_by("deadline", "pk"), today=today)
    wanted: set[str] = set()
    for x in lines:
        wanted.update([x.lead_unit, x.issuer, *x.supporting_units])
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=wanted)}
    out: dict[str, UnitDigest] = {}

    def put(code: str, section: str, line: TaskLine) -> None:
        out.setdefault(code, UnitDigest(units[code])).lines[section].append(line)

    for x in lines:
        when = "overdue" if x.status == Status.OVERDUE else "due_soon"
        put(x.lead_unit, f"lead_{when}", x)
        for code in x.supporting_units:
            put(code, f"support_{when}", x)
        if when == "overdue" and x.issuer != x.lead_unit:
            put(x.issuer, "issued_overdue", x)
    return out


def _site_url() -> str:
    return str(getattr(settings, "DIEUHANH_SITE_URL", "") or os.environ.get("DIEUHANH_SITE_URL", "")).rstrip(
        "/"
    )


def render_digest(digest: UnitDigest, *, today: date) -> tuple[str, str]:
    """Subject and plain-text body, Vietnamese first then English."""
    unit = digest.unit
    site = _site_url()
    sections = []
    titles = {
        "lead_overdue": ("Chủ trì — quá hạn", "Led by your unit — overdue"),
        "lead_due_soon": (
            f"Chủ trì — đến hạn trong {DUE_SOON_DAYS} ngày",
            f"Led — due within {DUE_SOON_DAYS} days",
        ),
        "support_overdue": ("Phối hợp — quá hạn", "Supported by your unit — overdue"),
        "support_due_soon": (
            f"Phối hợp — đến hạn trong {DUE_SOON_DAYS} ngày",
            f"Supported — due within {DUE_SOON_DAYS} days",
        ),
        "issued_overdue": ("Do đơn vị giao — quá hạn", "Assigned by your unit — overdue"),
    }
    for key in SECTIONS:
        if digest.lines[key]:
            rows = [
                {
                    "line": x,
                    "url": site
                    + reverse("steering:task_detail", args=[x.task_id])
                    + f"?occ={x.occurrence_id}",
                }
                for x in digest.lines[key]
            ]
            sections.append({"vi": titles[key][0], "en": titles[key][1], "rows": rows})
    subject = (
        f"[dieuhanh] {unit.name}: {digest.overdue} nhiệm vụ quá hạn, {digest.due_soon} sắp đến hạn / "
        f"{digest.overdue} overdue, {digest.due_soon} due soon"
    )
    body = render_to_string(
        "steering/email/digest.txt", {"unit": unit, "today": today, "sections": sections, "site": site}
    )
    return subject, body


def task_digest_send(
    *, today: date | None = None, force: bool = False, actor: Actor | None = None
) -> DigestResult:
    """Send each unit its digest for `today` (once a day unless `force`)."""
    today = today or timezone.localdate()
    actor = actor or Actor.system("scheduler")
    result = DigestResult(day=today)
    digests = digests_for(today=today)
    done = set(DigestSent.objects.filter(day=today).values_list("unit__code", flat=True))
    recipients: dict[str, list[str]] = defaultdict(list)
    for code, email in (
        User.objects.filter(unit__code__in=list(digests), is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("unit__code", "email")
    ):
        recipients[code].append(email)
    connection = get_connection()
    for code in sorted(digests):
        digest = digests[code]
        if code in done and not force:
            result.already_sent += 1
            continue
        to = recipients.get(code, [])
        if not to:
            result.without_recipients.append(code)
            continue
        subject, body = render_digest(digest, today=today)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection).send()
        with transaction.atomic():
            DigestSent.objects.update_or_create(
                unit=digest.unit,
                day=today,
                defaults={
                    "sent_at": timezone.now(),
                    "recipients": len(to),
                    "overdue": digest.overdue,
                    "due_soon": digest.due_soon,
                },
            )
            audit_record(
                actor=actor,
                action="task.digest_send",
                object_type="steering.digest",
                object_id=f"{code}/{today.isoformat()}",
                object_repr=subject[:300],
                unit=digest.unit,
                after={"recipients": len(to), "overdue": digest.overdue, "due_soon": digest.due_soon},
            )
        result.sent += 1
        result.recipients += len(to)
    return result


def steering_daily(*, today: date | None = None, force: bool = False) -> DigestResult:
    """The daily job: open new periods of recurring tasks, then send the digests."""
    today = today or timezone.localdate()
    actor = Actor.system("scheduler")
    opened = task_occurrences_sync(actor=actor, today=today)
    result = task_digest_send(today=today, force=force, actor=actor)
    result.opened = opened
    return result
