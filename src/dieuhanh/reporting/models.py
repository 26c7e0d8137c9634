"""Periodic reporting: report forms (DHIS2's data sets), their submissions and approval.

A `ReportForm` collects `FormElement`s (each a data element of the lake's `data_values`) for a
period regime from the units that must submit. A `Submission` is one unit's answer for one period:
draft → submitted (by the unit's manager) → accepted or returned (by the level above). Accepted
values are written to `data_values`, so indicators read them like any other reported figure.
Values a source system already sent are prefilled from the indicators and never asked again
(`SubmissionValue.origin = records`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.periods import REGIMES

REGIME_CHOICES = [(r, r) for r in REGIMES if r not in ("day", "week")]
REGIME_LABELS = {
    "month": ("Hằng tháng", "Monthly"),
    "quarter": ("Hằng quý", "Quarterly"),
    "half": ("6 tháng", "Half-yearly"),
    "year": ("Hằng năm", "Yearly"),
    "r09_month": ("Hằng tháng (kỳ chốt NĐ 09)", "Monthly (Decree 09 window)"),
    "r09_quarter": ("Hằng quý (kỳ chốt NĐ 09)", "Quarterly (Decree 09 window)"),
    "r09_half": ("6 tháng (kỳ chốt NĐ 09)", "Half-yearly (Decree 09 window)"),
    "r09_year": ("Hằng năm (kỳ chốt NĐ 09)", "Yearly (Decree 09 window)"),
}


class DeadlineKind(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days after the cut-off")
    DAY_OF_LAST_MONTH = "day_of_last_month", _("day of the period's last month")


class ReportForm(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    regime = models.CharField(_("period regime"), max_length=16, choices=REGIME_CHOICES)
    first_period = models.CharField(
        _("first period"), max_length=20, help_text=_("the first period key units must report, e.g. 2026M07")
    )
    unit_kinds = models.JSONField(
        _("kinds of units that submit"), default=list, blank=True, help_text=_('e.g. ["commune", "ward"]')
    )
    units = models.ManyToManyField(
        "orgunits.OrgUnit", blank=True, related_name="report_forms", verbose_name=_("other units that submit")
    )
    deadline_kind = models.CharField(_("deadline rule"), max_length=20, choices=DeadlineKind.choices)
    deadline_value = models.PositiveSmallIntegerField(_("deadline value"))
    lock_after_days = models.PositiveSmallIntegerField(_("locked after (days past the deadline)"), default=10)
    remind_before_days = models.PositiveSmallIntegerField(_("reminder (days before the deadline)"), default=3)
    title_vi = models.CharField(_("title of the drafted report"), max_length=300, blank=True)
    recipients = models.JSONField(_("recipients (Nơi nhận)"), default=list, blank=True)
    summary_recipients = models.JSONField(
        _("recipients of the summary by the level above"), default=list, blank=True
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    origin = models.CharField(_("defined in"), max_length=300, blank=True, help_text=_("pack file, or empty"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    def regime_label(self, lang: str = "vi") -> str:
        vi, en = REGIME_LABELS.get(self.regime, (self.regime, self.regime))
        return en if lang == "en" else vi


class ValueType(models.TextChoices):
    INTEGER = "integer", _("whole number")
    NUMBER = "number", _("number")
    PERCENT = "percent", _("percentage")
    BOOLEAN = "boolean", _("yes / no")


class Aggregate(models.TextChoices):
    SUM = "sum", _("sum")
    MEAN = "mean", _("mean")


class FormElement(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(_("data element"), max_length=64, help_text=_("e.g. HSCV_TOTAL"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    section = models.CharField(_("section"), max_length=200, blank=True)
    value_type = models.CharField(
        _("type"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    uom = models.CharField(_("unit of measure"), max_length=40, blank=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    prefill_indicator = models.CharField(
        _("prefilled from indicator"),
        max_length=80,
        blank=True,
        help_text=_("an indicator computed from records; its value is filled in and not asked"),
    )
    aggregate = models.CharField(
        _("summed up the tree as"), max_length=8, choices=Aggregate.choices, default=Aggregate.SUM
    )
    target = models.FloatField(_("target"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["form", "position", "id"]
        verbose_name = _("data element of a form")
        verbose_name_plural = _("data elements of a form")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="reporting_element_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi


class Operator(models.TextChoices):
    EQ = "==", "="
    NE = "!=", "≠"
    LT = "<", "<"
    LE = "<=", "≤"
    GT = ">", ">"
    GE = ">=", "≥"


class MissingValues(models.TextChoices):
    SKIP_IF_ANY = "skip_if_any_missing", _("skip the rule if any value is missing")
    SKIP_IF_ALL = "skip_if_all_missing", _("skip the rule if every value is missing")
    NEVER_SKIP = "never_skip", _("count missing values as 0")


class ValidationRule(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(_("code"), max_length=64)
    left = models.CharField(_("left side"), max_length=300, help_text=_("e.g. HSCV_ONLINE"))
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("right side"), max_length=300, help_text=_("e.g. HSCV_TOTAL"))
    missing = models.CharField(
        _("missing values"), max_length=24, choices=MissingValues.choices, default=MissingValues.SKIP_IF_ANY
    )
    message_vi = models.CharField(_("message (Vietnamese)"), max_length=300)
    message_en = models.CharField(_("message (English)"), max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["form", "id"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="reporting_rule_code")]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")


class Submission(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="report_submissions")
    period = models.CharField(_("period"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("saved"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    reopened_until = models.DateField(_("open for edits until"), null=True, blank=True)
    accepted_batch = models.ForeignKey(
        "ingest.IngestBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["form", "-period", "unit__code"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["form", "unit", "period"], name="reporting_submission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form.code} {self.unit.code} {self.period}"


class Origin(models.TextChoices):
    ENTERED = "entered", _("entered by the unit")
    RECORDS = "records", _("from the records")


class SubmissionValue(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    element = models.ForeignKey(FormElement, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ENTERED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "element"], name="reporting_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.element_id}={self.value}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("before the deadline")
    AFTER = "after", _("missing after the deadline")


class ReminderSent(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "unit", "period", "kind"], name="reporting_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.kind}"
