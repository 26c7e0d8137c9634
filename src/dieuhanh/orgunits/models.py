"""Administrative units and agencies: an effective-dated hierarchy with lineage.

Units are never deleted: a merged or renamed unit gets a `valid_to` date and a lineage row to
its successor, so figures recorded under it can still be placed and re-aggregated onto today's
units. Ancestor and subtree look-ups use the closure table `OrgUnitClosure` (one indexed join).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PROVINCE = "province", _("province")
    DEPARTMENT = "department", _("department / agency")
    DISTRICT = "district", _("district (historical)")
    COMMUNE = "commune", _("commune")
    WARD = "ward", _("ward")
    SPECIAL_ZONE = "special_zone", _("special zone")


# Kinds compared with each other in rankings ("units of the same level").
LEVEL_OF_KIND = {
    Kind.PROVINCE: "province",
    Kind.DEPARTMENT: "department",
    Kind.DISTRICT: "district",
    Kind.COMMUNE: "commune",
    Kind.WARD: "commune",
    Kind.SPECIAL_ZONE: "commune",
}

# Vietnamese and English names of the kinds, for files and messages (not translated at run time).
KIND_LABELS = {
    Kind.PROVINCE: ("Tỉnh/Thành phố", "Province"),
    Kind.DEPARTMENT: ("Sở, ban, ngành", "Department/agency"),
    Kind.DISTRICT: ("Huyện (trước 2025)", "District (before 2025)"),
    Kind.COMMUNE: ("Xã", "Commune"),
    Kind.WARD: ("Phường", "Ward"),
    Kind.SPECIAL_ZONE: ("Đặc khu", "Special zone"),
}


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_on(self, day: date) -> OrgUnitQuerySet:
        return self.filter(Q(valid_from__lte=day) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__gt=day) | Q(valid_to__isnull=True)
        )

    def current(self) -> OrgUnitQuerySet:
        return self.filter(valid_to__isnull=True)

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """The unit and all its descendants (one join on the closure table)."""
        return self.filter(ancestor_links__ancestor=unit)

    def ancestors_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """The unit and all its ancestors, nearest last (one join on the closure table)."""
        return self.filter(descendant_links__descendant=unit).order_by("-descendant_links__depth")


class OrgUnit(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    # Exclusive: the unit no longer exists on this day.
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="orgunit_validity_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level(self) -> str:
        return LEVEL_OF_KIND[Kind(self.kind)]

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


class OrgUnitClosure(models.Model):
    """Every (ancestor, descendant) pair of the parent tree, the unit itself at depth 0."""

    ancestor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="descendant_links")
    descendant = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="ancestor_links")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "descendant"], name="orgunit_closure_pair")
        ]
        indexes = [models.Index(fields=["descendant", "depth"])]

    def __str__(self) -> str:
        return f"{self.ancestor_id} > {self.descendant_id} ({self.depth})"


class OrgUnitLineage(models.Model):
    """A predecessor's figures that pass to a successor from `effective` on (mergers, splits).

    `share` is the part of the predecessor that went to this successor (1 for a merger; the
    shares of a split add up to 1).
    """

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="predecessor_links")
    share = models.DecimalField(max_digits=7, decimal_places=6, default=1)
    effective = models.DateField(_("effective"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="orgunit_lineage_pair"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="orgunit_lineage_share"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code} ({self.share})"


class OrgUnitGeometry(models.Model):
    """A unit's boundary (GeoJSON geometry, WGS 84), for maps. Kept apart so unit queries stay light."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="geometry")
    geojson = models.JSONField()
    source = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=400, blank=True)

    def __str__(self) -> str:
        return f"geometry of {self.unit_id}"
