"""Input and output schemas of the registry's API, and the functions that build the outputs."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema

from dieuhanh.registry import selectors as sel
from dieuhanh.registry.levels import Suggestion
from dieuhanh.registry.models import InformationSystem, LevelDossier


class SystemOut(Schema):
    code: str
    name: str
    owner_unit: str
    owner_unit_name: str
    operating_unit: str | None
    kind: str
    status: str
    level: int | None
    approval_status: str
    decision_number: str | None
    decision_date: date | None
    legal_basis: str | None
    regime: str | None
    flags: dict[str, bool]


class MatchOut(Schema):
    key: str
    level: int
    citation_vi: str
    citation_en: str
    text_vi: str
    text_en: str
    uncertain_vi: str
    uncertain_en: str


class SuggestionOut(Schema):
    regime: str
    level: int | None
    basis_vi: str
    basis_en: str
    matches: list[MatchOut]
    notes_vi: list[str]
    notes_en: list[str]


class DossierOut(Schema):
    id: int
    system: str
    regime: str
    status: str
    suggested_level: int | None
    suggested_basis: str
    proposed_level: int | None
    override_reason: str
    submitted_on: date | None
    appraised_on: date | None
    appraisal_body: str
    appraisal_reference: str
    decision_number: str
    decision_date: date | None
    approved_by: str
    legal_basis: str
    returned_reason: str


def dossier_out(d: LevelDossier) -> DossierOut:
    names = [n for n in DossierOut.model_fields if n not in {"id", "system"}]
    return DossierOut(id=d.pk, system=d.system.code, **{n: getattr(d, n) for n in names})


class SystemDetailOut(SystemOut):
    criteria: dict[str, Any]
    changed_fields: list[str]
    suggestions: list[SuggestionOut]
    dossiers: list[DossierOut]


def suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        regime=s.regime.code, level=s.level, basis_vi=s.basis_vi, basis_en=s.basis_en,
        matches=[MatchOut(key=m.key, level=m.level, citation_vi=m.citation_vi, citation_en=m.citation_en,
                          text_vi=m.text_vi, text_en=m.text_en, uncertain_vi=m.uncertain_vi,
                          uncertain_en=m.uncertain_en) for m in s.matches],
        notes_vi=list(s.regime.notes_vi), notes_en=list(s.regime.notes_en),
    )  # fmt: skip


def system_detail_out(system: InformationSystem) -> SystemDetailOut:
    return SystemDetailOut(
        **sel.system_as_dict(system), criteria=system.criteria().as_dict(),
        changed_fields=list(sel.system_flags(system).changed_fields),
        suggestions=[suggestion_out(s) for s in sel.system_suggestions(system)],
        dossiers=[dossier_out(d) for d in sel.system_dossiers(system)],
    )  # fmt: skip


class SystemIn(Schema):
    name: str
    owner_unit: str
    code: str = ""
    operating_unit: str | None = None
    kind: str = "other"
    status: str = "operating"
    hosting: str = ""
    description: str = ""
    criteria: dict[str, Any] = {}


class DossierIn(Schema):
    proposed_level: int | None = None
    override_reason: str = ""
    regime: str | None = None


class DayIn(Schema):
    on: date | None = None


class AppraiseIn(Schema):
    opinion: str = ""
    reference: str = ""
    on: date | None = None


class ApproveIn(Schema):
    decision_number: str
    decision_date: date
    legal_basis: str = ""


class ReturnIn(Schema):
    reason: str


class LevelIn(Schema):
    proposed_level: int | None
    override_reason: str = ""


class NationalSystemOut(Schema):
    code: str
    name: str
    name_en: str
    managing_body: str
    position: int
    active: bool
    note: str
    source: str


class NationalSystemIn(Schema):
    name: str
    name_en: str = ""
    managing_body: str = ""
    position: int = 0
    active: bool = True
    note: str = ""
    source: str = ""


class ConnectionOut(Schema):
    unit: str
    national_system: str
    national_system_name: str
    status: str
    planned_on: date | None
    connected_on: date | None
    stopped_on: date | None
    note: str

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.unit.code)

    @staticmethod
    def resolve_national_system(obj: Any) -> str:
        return str(obj.national_system.code)

    @staticmethod
    def resolve_national_system_name(obj: Any) -> str:
        return str(obj.national_system.name)


class PlatformOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str
    status: str
    deployed_on: date | None
    note: str

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.unit.code)


class MilestoneOut(Schema):
    id: int
    position: int
    name: str
    starts_on: date | None
    due_on: date
    forecast_on: date | None
    done_on: date | None
    state: str
    slipping: bool
    days_late: int


class TimelineOut(Schema):
    id: int
    unit: str
    programme: str
    title: str
    registered_on: date
    slipping: int
    milestones: list[MilestoneOut]


def timeline_out(timeline: Any) -> TimelineOut:
    view = sel.timeline_view(timeline)
    return TimelineOut(
        id=timeline.pk, unit=timeline.unit.code, programme=timeline.programme, title=timeline.title,
        registered_on=timeline.registered_on, slipping=len(view.slipping),
        milestones=[MilestoneOut(id=m.milestone.pk, position=m.milestone.position, name=m.milestone.name,
                                 starts_on=m.milestone.starts_on, due_on=m.milestone.due_on,
                                 forecast_on=m.milestone.forecast_on, done_on=m.milestone.done_on,
                                 state=m.state.value, slipping=m.slipping, days_late=m.days_late)
                    for m in view.milestones],
    )  # fmt: skip


class IocOut(Schema):
    unit: str
    unit_name: str
    name: str
    status: str
    operating_since: date | None
    timeline: TimelineOut | None


def ioc_out(i: Any) -> IocOut:
    return IocOut(
        unit=i.unit.code,
        unit_name=i.unit.name,
        name=i.name,
        status=i.status,
        operating_since=i.operating_since,
        timeline=timeline_out(i.timeline) if i.timeline else None,
    )


class MilestoneIn(Schema):
    forecast_on: date | None = None
    done_on: date | None = None
    note: str | None = None


class FiguresOut(Schema):
    unit: str
    unit_name: str
    figures: dict[str, Any]


class ConnectionIn(Schema):
    status: str
    planned_on: date | None = None
    connected_on: date | None = None
    stopped_on: date | None = None
    note: str = ""


class PlatformIn(Schema):
    name: str
    unit: str
    status: str = "operating"
    name_en: str = ""
    deployed_on: date | None = None
    note: str = ""


class MilestoneSpecIn(Schema):
    name: str
    due_on: date
    starts_on: date | None = None
    forecast_on: date | None = None
    done_on: date | None = None
    note: str = ""


class TimelineIn(Schema):
    title: str
    milestones: list[MilestoneSpecIn]
    note: str = ""


class IocIn(Schema):
    name: str
    status: str
    operating_since: date | None = None
    programme: str = ""  # attach the unit's registered timeline of this programme (e.g. "ioc-build")
    note: str = ""
