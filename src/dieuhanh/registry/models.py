"""The digital-government registry: what a province keeps today in spreadsheets.

- `InformationSystem`: a system with its owner (chủ quản) and operating unit, what it is and
  handles (the criteria answers of `levels.Criteria`), and its current approved level dossier.
- `LevelDossier`: one security-level dossier (hồ sơ đề xuất cấp độ) and its workflow
  draft → submitted → appraised → approved, or returned. An approved dossier keeps the
  criteria it was approved on, so a later change of the facts is flagged.
- `SecurityUnitAssignment`: an owner's dedicated information-security unit; it appraises the
  owner's dossiers (and approves levels 1–2) and keeps the registry for the owner's subtree.
- `NationalSystem` (the national databases and systems, editable data), `LgspConnection` (the
  integration platform's connections to them), `Platform` (digital platforms deployed).
- `IocCentre`: a unit's intelligent operations centre, with its build timeline.
- `ProgrammeTimeline` + `Milestone`: **the milestone registration** — a unit's registered
  timeline for a programme (its IOC build, or any programme a steering task asks for), phases
  with due dates, forecasts and completion; slipping phases are flagged. Steering tasks reuse
  these two models (a task points at a `ProgrammeTimeline`); do not add a second timeline model.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.registry.levels import Criteria


class SystemKind(models.TextChoices):
    ONE_STOP_SHOP = "one_stop_shop", _("one-stop-shop (administrative procedures)")
    DOCUMENTS = "document_management", _("document management")
    PORTAL = "portal", _("portal")
    IOC = "ioc", _("operations centre (IOC)")
    LGSP = "lgsp", _("integration platform (LGSP)")
    SECTOR_DATABASE = "sector_database", _("sector database")
    INTERNAL = "internal", _("internal system")
    OTHER = "other", _("other")


class SystemStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPERATING = "operating", _("in operation")
    RETIRED = "retired", _("retired")


class Hosting(models.TextChoices):
    DATA_CENTRE = "data_centre", _("provincial data centre")
    CLOUD = "cloud", _("rented cloud service")
    ON_PREMISES = "on_premises", _("servers at the unit")
    NATIONAL = "national", _("central (national) infrastructure")
    OTHER = "other", _("other")


class Purpose(models.TextChoices):
    INTERNAL = "internal", _("internal operations")
    CITIZENS = "citizens", _("serves citizens and businesses")
    INFRASTRUCTURE = "infrastructure", _("information infrastructure")
    INDUSTRIAL = "industrial", _("industrial control")
    OTHER = "other", _("other")


class OnlineLevel(models.TextChoices):
    NONE = "none", _("no public online service")
    UP_TO_2 = "up_to_2", _("information and online services up to level 2")
    LEVEL_3_PLUS = "3_plus", _("online services at level 3 or above (partial or full online)")


class Harm(models.TextChoices):
    NONE = "none", _("no state secrets, not defence or security")
    HARM = "harm", _("sabotage would harm national security")
    SERIOUS = "serious", _("sabotage would seriously harm national security")
    ESPECIALLY_SERIOUS = "especially_serious", _("sabotage would do especially serious harm")


class InfraScope(models.TextChoices):
    NONE = "none", _("not shared infrastructure")
    ONE_BODY = "one_body", _("infrastructure of one body")
    SECTOR_PROVINCE = "sector_province", _("shared by one sector, one province or several provinces")
    NATIONWIDE = "nationwide_24x7", _("nationwide, running 24/7")
    INTERNATIONAL = "international", _("national link with other countries")


class IcsGrade(models.TextChoices):
    NONE = "none", _("no industrial control")
    GRADE_2_4 = "grade_2_4", _("works of grade II–IV")
    GRADE_1 = "grade_1", _("works of grade I")
    SPECIAL = "special", _("special-grade or national-security works")


CRITERIA_FIELDS = Criteria.field_names()


class InformationSystem(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    operating_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operating unit"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=SystemKind.choices, default=SystemKind.OTHER)
    status = models.CharField(
        _("status"), max_length=16, choices=SystemStatus.choices, default=SystemStatus.OPERATING
    )
    hosting = models.CharField(_("hosting"), max_length=16, choices=Hosting.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    # What the system is and handles: the answers the level is suggested from (levels.Criteria).
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.INTERNAL)
    public_info_only = models.BooleanField(_("public information only"), default=False)
    personal_data = models.BooleanField(_("private or personal information"), default=False)
    data_subjects = models.PositiveIntegerField(
        _("people whose personal data it holds"), null=True, blank=True
    )
    sensitive_data = models.BooleanField(_("sensitive personal data"), default=False)
    online_service_level = models.CharField(
        _("public online services"), max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    conditional_business = models.BooleanField(_("conditional business line"), default=False)
    handles_procedures = models.BooleanField(_("handles administrative procedures"), default=False)
    classified_harm = models.CharField(
        _("state secrets, defence, security"), max_length=20, choices=Harm.choices, default=Harm.NONE
    )
    infra_scope = models.CharField(
        _("shared infrastructure"), max_length=20, choices=InfraScope.choices, default=InfraScope.NONE
    )
    national_egov_24x7 = models.BooleanField(_("national e-government system, 24/7"), default=False)
    ics_grade = models.CharField(
        _("industrial control"), max_length=12, choices=IcsGrade.choices, default=IcsGrade.NONE
    )
    national_critical_data = models.BooleanField(_("central store of especially important national data"),
                                                 default=False)  # fmt: skip
    decided_level = models.PositiveSmallIntegerField(_("level decided by the Prime Minister or a risk assessment"),
                                                     null=True, blank=True)  # fmt: skip
    # The approved dossier in force (the latest approval), kept by the dossier services.
    approval = models.ForeignKey(
        "registry.LevelDossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["owner_unit__code", "name"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_level__isnull=True) | Q(decided_level__gte=1, decided_level__lte=5),
                name="registry_system_decided_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def criteria(self) -> Criteria:
        return Criteria.from_dict({f: getattr(self, f) for f in CRITERIA_FIELDS})


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPRAISED = "appraised", _("appraised")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


OPEN_STATUSES = (
    DossierStatus.DRAFT,
    DossierStatus.SUBMITTED,
    DossierStatus.APPRAISED,
    DossierStatus.RETURNED,
)


class Regime(models.TextChoices):
    ND85 = "nd85", "NĐ 85/2016/NĐ-CP"
    ND331 = "nd331", "NĐ 331/2026/NĐ-CP"


class LevelDossier(models.Model):
    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="dossiers")
    regime = models.CharField(_("legal regime"), max_length=8, choices=Regime.choices)
    suggested_level = models.PositiveSmallIntegerField(_("suggested level"), null=True, blank=True)
    suggested_basis = models.TextField(_("basis of the suggestion"), blank=True)
    proposed_level = models.PositiveSmallIntegerField(_("proposed level"), null=True, blank=True)
    override_reason = models.TextField(_("reason for another level"), blank=True)
    criteria = models.JSONField(_("criteria answered"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=DossierStatus.choices,
                              default=DossierStatus.DRAFT, db_index=True)  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    appraised_on = models.DateField(_("appraised on"), null=True, blank=True)
    appraisal_body = models.CharField(_("appraised by"), max_length=300, blank=True)
    appraisal_reference = models.CharField(_("appraisal document"), max_length=120, blank=True)
    appraisal_note = models.TextField(_("appraisal opinion"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=120, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=300, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_reason = models.TextField(_("reason for returning"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)  # e.g. the imported file

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("level dossier")
        verbose_name_plural = _("level dossiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_level__isnull=True) | Q(proposed_level__gte=1, proposed_level__lte=5),
                name="registry_dossier_level_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="registry_dossier_approval_has_decision",
            ),
        ]

    def __str__(self) -> str:
        level = self.proposed_level or "?"
        return f"{self.system.name} — cấp độ/level {level} ({self.status})"


class SecurityUnitAssignment(models.Model):
    """The dedicated information-security unit of an owner (and of the owner's subtree)."""

    owner = models.OneToOneField("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("owner unit"))  # fmt: skip
    security_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("security unit"))  # fmt: skip
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("security unit assignment")
        verbose_name_plural = _("security unit assignments")

    def __str__(self) -> str:
        return f"{self.owner_id} → {self.security_unit_id}"


class NationalSystem(models.Model):
    """A national database or system the provincial LGSP may connect to (editable data)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    managing_body = models.CharField(_("managing body"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in the list"), default=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("national database or system")
        verbose_name_plural = _("national databases and systems")

    def __str__(self) -> str:
        return self.name


class ConnectionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    TESTING = "testing", _("testing")
    CONNECTED = "connected", _("connected")
    STOPPED = "stopped", _("stopped")


class LgspConnection(models.Model):
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("owner unit"))  # fmt: skip
    national_system = models.ForeignKey(NationalSystem, on_delete=models.PROTECT, related_name="connections")
    status = models.CharField(_("status"), max_length=12, choices=ConnectionStatus.choices,
                              default=ConnectionStatus.PLANNED)  # fmt: skip
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    connected_on = models.DateField(_("connected on"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["unit__code", "national_system__position", "national_system__code"]
        verbose_name = _("LGSP connection")
        verbose_name_plural = _("LGSP connections")
        constraints = [
            models.UniqueConstraint(fields=["unit", "national_system"], name="registry_connection_pair")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} ↔ {self.national_system_id} ({self.status})"


class PlatformStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    PILOTING = "piloting", _("piloting")
    OPERATING = "operating", _("in operation")
    STOPPED = "stopped", _("stopped")


class Platform(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("owner unit"))  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=PlatformStatus.choices,
                              default=PlatformStatus.OPERATING)  # fmt: skip
    deployed_on = models.DateField(_("deployed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["unit__code", "code"]
        verbose_name = _("digital platform")
        verbose_name_plural = _("digital platforms")

    def __str__(self) -> str:
        return self.name


class ProgrammeTimeline(models.Model):
    """A unit's registered timeline for a programme: the milestone registration.

    `programme` is a short code shared by every unit following the same programme ("ioc-build"),
    so leaders can compare units. One timeline per unit and programme; its phases are `Milestone`s.
    """

    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))  # fmt: skip
    programme = models.SlugField(_("programme"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    registered_on = models.DateField(_("registered on"))
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["programme", "unit__code"]
        verbose_name = _("registered timeline")
        verbose_name_plural = _("registered timelines")
        constraints = [
            models.UniqueConstraint(fields=["unit", "programme"], name="registry_timeline_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.unit_id})"


class MilestoneState(models.TextChoices):
    NOT_DUE = "not_due", _("on schedule")
    SLIPPING = "slipping", _("slipping")
    OVERDUE = "overdue", _("overdue")
    DONE_ON_TIME = "done_on_time", _("done on time")
    DONE_LATE = "done_late", _("done late")


class Milestone(models.Model):
    """One phase of a registered timeline. `due_on` is the last day allowed (inclusive)."""

    timeline = models.ForeignKey(ProgrammeTimeline, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("phase"), max_length=300)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    forecast_on = models.DateField(_("expected on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["timeline_id", "position"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["timeline", "position"], name="registry_milestone_position"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_on__gte=models.F("starts_on")),
                name="registry_milestone_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def state(self, today: date) -> MilestoneState:
        if self.done_on is not None:
            return MilestoneState.DONE_ON_TIME if self.done_on <= self.due_on else MilestoneState.DONE_LATE
        if today > self.due_on:
            return MilestoneState.OVERDUE
        if self.forecast_on is not None and self.forecast_on > self.due_on:
            return MilestoneState.SLIPPING
        return MilestoneState.NOT_DUE

    def is_slipping(self, today: date) -> bool:
        """Flagged: past its due date and not done, or expected after its due date."""
        return self.state(today) in (MilestoneState.SLIPPING, MilestoneState.OVERDUE)


class IocStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    BUILDING = "building", _("being built")
    OPERATING = "operating", _("in operation")
    STOPPED = "stopped", _("stopped")


class IocCentre(models.Model):
    unit = models.OneToOneField("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("unit"))  # fmt: skip
    name = models.CharField(_("name"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=IocStatus.choices, default=IocStatus.PLANNED
    )
    operating_since = models.DateField(_("operating since"), null=True, blank=True)
    timeline = models.ForeignKey(ProgrammeTimeline, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("build timeline"))  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["unit__code"]
        verbose_name = _("operations centre (IOC)")
        verbose_name_plural = _("operations centres (IOC)")

    def __str__(self) -> str:
        return self.name
