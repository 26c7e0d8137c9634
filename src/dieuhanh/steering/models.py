"""Steering: directives, the tasks they assign, their occurrences, progress and extensions.

A `Task` is what a directive assigns (content, lead unit, supporting units, deadline). Every task
has one or more `Occurrence`s: a one-off task has one (period key ""), a recurring task one per
period (monthly, quarterly, Decree 09 window …). Status, reports and extensions belong to the
occurrence. `Occurrence.deadline` and `done_on` are kept up to date by the services, so every
status is a comparison of dates the database can filter on (`OccurrenceQuerySet.with_status`).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from dieuhanh.steering.schedule import DUE_SOON_DAYS, Recurrence, Status, status_of


class Directive(models.Model):
    """A steering document (văn bản chỉ đạo): plan, decision, conclusion, official letter."""

    number = models.CharField(_("number and sign"), max_length=80)
    issued_on = models.DateField(_("date"))
    issuer = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="directives", verbose_name=_("issued by")
    )
    summary = models.TextField(_("summary"), blank=True)
    file = models.FileField(_("file"), upload_to="steering/directives/%Y/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="steering_directive_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


class Task(models.Model):
    directive = models.ForeignKey(
        Directive, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("directive")
    )
    number = models.CharField(_("no."), max_length=20, blank=True)  # STT in the directive's table
    position = models.PositiveIntegerField(default=0)
    content = models.TextField(_("task"))
    lead_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="tasks_led", verbose_name=_("lead unit")
    )
    supporting_units = models.ManyToManyField(
        "orgunits.OrgUnit", blank=True, related_name="tasks_supported", verbose_name=_("supporting units")
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=12, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)  # one-off tasks
    due_day = models.PositiveSmallIntegerField(_("day of the month due"), null=True, blank=True)
    starts_on = models.DateField(_("recurs from"), null=True, blank=True)
    ends_on = models.DateField(_("recurs until"), null=True, blank=True)
    expected_product = models.CharField(_("expected product"), max_length=300, blank=True)
    target_indicator = models.CharField(_("target indicator"), max_length=80, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["directive", "position", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "number"], condition=~Q(number=""), name="steering_task_number"
            ),
            models.CheckConstraint(
                condition=(Q(recurrence="once") & Q(due_on__isnull=False))
                | (~Q(recurrence="once") & Q(starts_on__isnull=False)),
                name="steering_task_deadline",
            ),
        ]

    def __str__(self) -> str:
        text = self.content if len(self.content) <= 80 else self.content[:79] + "…"
        return f"{self.number + '. ' if self.number else ''}{text}"

    @property
    def is_recurring(self) -> bool:
        return self.recurrence != Recurrence.ONCE


class OccurrenceQuerySet(models.QuerySet["Occurrence"]):
    def with_status(self, today: date) -> OccurrenceQuerySet:
        """Annotate `status` as of `today`, the same rule as `schedule.status_of`."""
        return self.annotate(
            status=Case(
                When(done_on__isnull=False, done_on__lte=F("deadline"), then=Value(Status.DONE_ON_TIME)),
                When(done_on__isnull=False, then=Value(Status.DONE_LATE)),
                When(deadline__lt=today, then=Value(Status.OVERDUE)),
                When(reported_at__isnull=False, then=Value(Status.IN_PROGRESS)),
                default=Value(Status.NOT_STARTED),
                output_field=models.CharField(),
            )
        )

    def in_status(self, status: str, today: date) -> OccurrenceQuerySet:
        """Only the occurrences in `status` on `today` (the rule of `schedule.status_of`)."""
        done = Q(done_on__isnull=False)
        open_ = Q(done_on__isnull=True, deadline__gte=today)
        return self.filter(
            {
                Status.DONE_ON_TIME: done & Q(done_on__lte=F("deadline")),
                Status.DONE_LATE: done & Q(done_on__gt=F("deadline")),
                Status.OVERDUE: Q(done_on__isnull=True, deadline__lt=today),
                Status.IN_PROGRESS: open_ & Q(reported_at__isnull=False),
                Status.NOT_STARTED: open_ & Q(reported_at__isnull=True),
            }[Status(status)]
        )

    def overdue(self, today: date) -> OccurrenceQuerySet:
        return self.filter(done_on__isnull=True, deadline__lt=today)

    def due_soon(self, today: date, days: int = DUE_SOON_DAYS) -> OccurrenceQuerySet:
        """Not done, due from today to `days` days ahead (inclusive)."""
        return self.filter(
            done_on__isnull=True, deadline__gte=today, deadline__lte=today + timedelta(days=days)
        )


class Occurrence(models.Model):
    """One due instance of a task: the task itself when one-off, one period of a recurring task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="occurrences")
    period_key = models.CharField(_("period"), max_length=16, blank=True)
    due_on = models.DateField(_("deadline as assigned"))
    deadline = models.DateField(_("deadline"), db_index=True)  # after approved extensions
    done_on = models.DateField(_("done on"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    reported_at = models.DateTimeField(_("last report"), null=True, blank=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("task occurrence")
        verbose_name_plural = _("task occurrences")
        constraints = [
            models.UniqueConstraint(fields=["task", "period_key"], name="steering_occurrence_period"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="steering_occurrence_percent"),
        ]
        indexes = [models.Index(fields=["done_on", "deadline"])]

    def __str__(self) -> str:
        return f"{self.task} [{self.period_key or self.due_on.isoformat()}]"

    def status_on(self, today: date) -> str:
        return status_of(
            deadline=self.deadline, done_on=self.done_on, reported=self.reported_at is not None, today=today
        )

    def days_overdue(self, today: date) -> int:
        return max(0, (today - self.deadline).days) if self.done_on is None else 0


class ProgressReport(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reports")
    at = models.DateTimeField(_("time"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(_("reported by"), max_length=150)
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="steering_report_percent")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y} {self.percent}%"


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="steering/reports/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Extension(models.Model):
    """A request to move an occurrence's deadline, decided by the issuing level. Never deleted."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="extensions")
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(_("requested by"), max_length=150)
    previous_deadline = models.DateField(_("deadline before"))
    requested_until = models.DateField(_("new deadline requested"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("decision"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(_("decided by"), max_length=150, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence"], condition=Q(state="pending"), name="steering_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.previous_deadline:%d/%m/%Y} → {self.requested_until:%d/%m/%Y} ({self.state})"


class DigestSent(models.Model):
    """The daily e-mail digest of one unit, so a scheduler may call the job more than once a day."""

    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="steering_digest_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"
