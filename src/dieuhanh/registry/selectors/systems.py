"""Reads of the inventory: scoped lists, one system, its flags, its suggestions and allowed steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.core.errors import NotFound, PermissionDenied, UserError
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure
from dieuhanh.registry.levels import (
    REGIMES,
    SECURITY_UNIT,
    Criteria,
    Suggestion,
    authority_for,
    regime_for,
    suggest_level,
)
from dieuhanh.registry.models import (
    CRITERIA_FIELDS,
    OPEN_STATUSES,
    DossierStatus,
    InformationSystem,
    LevelDossier,
    SystemStatus,
)
from dieuhanh.registry.scoping import (
    registry_in_scope,
    registry_require,
    registry_restrict,
    require_acting_unit,
    security_unit_for,
)


def systems_all() -> QuerySet[InformationSystem]:
    """Every system, unscoped (the CLI operator, the indicator engine), with `open_status`: the
    status of the dossier in progress, if any."""
    open_status = LevelDossier.objects.filter(system=OuterRef("pk"), status__in=OPEN_STATUSES).order_by("-id")
    return InformationSystem.objects.select_related("owner_unit", "operating_unit", "approval").annotate(
        open_status=Subquery(open_status.values("status")[:1])
    )


def systems_visible(*, user: User) -> QuerySet[InformationSystem]:
    """The systems owned in the user's subtree (or in the subtree whose registry their unit keeps)."""
    return registry_restrict(systems_all(), user, unit_field="owner_unit")


def systems_filter(
    qs: QuerySet[InformationSystem],
    *,
    unit: OrgUnit | None = None,
    unapproved: bool = False,
    kind: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[InformationSystem]:
    """`unit`: owned in the unit's subtree. `unapproved`: not retired and without an approved level."""
    if unit is not None:
        qs = qs.filter(owner_unit__in=OrgUnitClosure.objects.filter(ancestor=unit).values("descendant_id"))
    if unapproved:
        qs = qs.filter(approval__isnull=True).exclude(status=SystemStatus.RETIRED)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("owner_unit__code", "name")


def system_get(*, user: User, code: str) -> InformationSystem:
    """One system in the user's scope; out-of-scope systems answer like missing ones."""
    system = systems_visible(user=user).filter(code=code).first()
    if system is None:
        raise NotFound(
            "registry.system_not_found", f"Không có hệ thống mã {code}.", f"No system with code {code}."
        )
    return system


@dataclass(frozen=True)
class SystemFlags:
    unapproved: bool  # in use or planned, with no approved level
    facts_changed: bool  # the criteria differ from those the level was approved on
    changed_fields: tuple[str, ...]

    @property
    def any(self) -> bool:
        return self.unapproved or self.facts_changed


def system_flags(system: InformationSystem) -> SystemFlags:
    approval = system.approval
    if approval is None:
        return SystemFlags(system.status != SystemStatus.RETIRED, False, ())
    approved = Criteria.from_dict(approval.criteria).as_dict()
    current = system.criteria().as_dict()
    changed = tuple(f for f in CRITERIA_FIELDS if approved.get(f) != current.get(f))
    return SystemFlags(False, bool(changed), changed)


def approval_status(system: InformationSystem) -> str:
    """ "approved" when a level is in force, else the open dossier's status, else "none"."""
    if system.approval_id:
        return DossierStatus.APPROVED.value
    return str(getattr(system, "open_status", None) or "none")


def system_suggestions(system: InformationSystem, *, on: date | None = None) -> list[Suggestion]:
    """The suggestion under the regime in force on `on` (today) first, then under the other one."""
    current = regime_for(on or timezone.localdate())
    others = [r for r in REGIMES.values() if r.code != current.code]
    criteria = system.criteria()
    return [suggest_level(criteria, current), *(suggest_level(criteria, r) for r in others)]


def system_dossiers(system: InformationSystem) -> list[LevelDossier]:
    return list(system.dossiers.order_by("-created_at", "-id"))


def system_as_dict(system: InformationSystem) -> dict[str, Any]:
    """The contract shape of `dieuhanh systems list --json` and the API's list."""
    approval = system.approval
    flags = system_flags(system)
    return {
        "code": system.code,
        "name": system.name,
        "owner_unit": system.owner_unit.code,
        "owner_unit_name": system.owner_unit.name,
        "operating_unit": system.operating_unit.code if system.operating_unit else None,
        "kind": system.kind,
        "status": system.status,
        "level": approval.proposed_level if approval else None,
        "approval_status": approval_status(system),
        "decision_number": approval.decision_number if approval else None,
        "decision_date": approval.decision_date.isoformat() if approval and approval.decision_date else None,
        "legal_basis": approval.legal_basis if approval else None,
        "regime": approval.regime if approval else None,
        "flags": {"unapproved": flags.unapproved, "facts_changed": flags.facts_changed},
    }


def dossier_get(*, user: User, pk: int) -> LevelDossier:
    dossier = LevelDossier.objects.select_related("system", "system__owner_unit").filter(pk=pk).first()
    if dossier is None or not registry_in_scope(user, dossier.system.owner_unit):
        raise NotFound("registry.dossier_not_found", f"Không có hồ sơ số {pk}.", f"No dossier {pk}.")
    return dossier


def dossier_allowed_steps(user: User, dossier: LevelDossier) -> set[str]:
    """The workflow steps this user may take on this dossier now (what the page offers)."""
    steps: set[str] = set()
    owner = dossier.system.owner_unit

    def allowed(check: Any) -> bool:
        try:
            check()
        except (PermissionDenied, UserError):
            return False
        return True

    if dossier.status in (DossierStatus.DRAFT, DossierStatus.RETURNED):
        if allowed(lambda: registry_require(user, "submit", owner)):
            steps |= {"edit", "submit"}
        return steps
    if dossier.proposed_level is None or dossier.status == DossierStatus.APPROVED:
        return steps
    authority = authority_for(dossier.regime, dossier.proposed_level)
    security = security_unit_for(owner)
    approver = security if authority.acting_approver == SECURITY_UNIT else owner
    if dossier.status == DossierStatus.SUBMITTED and allowed(
        lambda: require_acting_unit(user, "approve", security, "", "")
    ):
        steps |= {"appraise", "return"}
    if dossier.status == DossierStatus.APPRAISED and allowed(
        lambda: require_acting_unit(user, "approve", approver, "", "")
    ):
        steps |= {"approve", "return"}
    return steps


def system_can_edit(user: User, system: InformationSystem) -> bool:
    try:
        registry_require(user, "submit", system.owner_unit)
    except PermissionDenied:
        return False
    return True


@dataclass(frozen=True)
class UnapprovedPanel:
    """The IOC's short list of systems without an approved level in a unit's subtree."""

    total: int
    rows: list[InformationSystem]


def systems_unapproved_panel(*, user: User, unit: OrgUnit, limit: int = 10) -> UnapprovedPanel:
    """Systems in `unit`'s subtree the user may see, not retired and without an approved level."""
    qs = systems_filter(systems_visible(user=user), unit=unit, unapproved=True)
    return UnapprovedPanel(total=qs.count(), rows=list(qs[:limit]))
