"""Security levels (cấp độ) of information systems: the criteria and the authority rules as data.

Two regimes, each with its source, are kept side by side:

- **Decree 85/2016/NĐ-CP** (criteria Art. 7–11, authority Art. 12), for dossiers dated before
  1 July 2026. Text: the legal code (Pháp điển), topic "An toàn thông tin mạng", articles
  3.1.NĐ.2.7–2.12 (copy in the diepxuan/diepxuan.github.io repository).
- **Decree 331/2026/NĐ-CP** (criteria Art. 11–15, authority Art. 18) under the Cybersecurity Law
  116/2025/QH15, for dossiers dated from 1 July 2026. Text: the full text kept by
  ldphuong-vn/vn-cyber-compliance (sources/van-ban-goc/toan-van/nd-331-2026-nd-cp-bao-ve-anm-httt.txt).

The rules themselves (criteria with their article, authority with its citation, the regimes' notes)
are data in `data/security_levels.yaml`, checked when loaded. The owner answers the questions of
`Criteria`; `suggest_level` returns every criterion met, each with its article, and the highest level
among them. Where the reading is uncertain a rule says so (`uncertain_vi/en`, shown in the interface
and docs/registry.md); nothing here is legal advice. This module imports no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

# --- the questions ---------------------------------------------------------------------------

PURPOSES = ("internal", "citizens", "infrastructure", "industrial", "other")
ONLINE_LEVELS = ("none", "up_to_2", "3_plus")
HARMS = ("none", "harm", "serious", "especially_serious")
INFRA_SCOPES = ("none", "one_body", "sector_province", "nationwide_24x7", "international")
ICS_GRADES = ("none", "grade_2_4", "grade_1", "special")

CHOICES: dict[str, tuple[str, ...]] = {
    "purpose": PURPOSES,
    "online_service_level": ONLINE_LEVELS,
    "classified_harm": HARMS,
    "infra_scope": INFRA_SCOPES,
    "ics_grade": ICS_GRADES,
}


@dataclass(frozen=True)
class Criteria:
    """What a system is and handles: the owner's answers, from which the level is suggested.

    purpose: the decrees' classification by function (ND 85 Art. 6(2), ND 331 Art. 9(2)):
        internal, citizens (serves citizens and businesses online), infrastructure, industrial
        (industrial control), other.
    public_info_only: it processes public information only.
    personal_data / data_subjects / sensitive_data: it processes private or personal information,
        of how many people, and whether sensitive personal data (ND 331's lower threshold).
    online_service_level: public online services under ND 85's old scale (none, up to level 2,
        level 3 or above). Since Decree 42/2022 levels are "một phần"/"toàn trình": both count as
        level 3 or above here (an interpretation, see `uncertain`).
    conditional_business: its online services are in a conditional business line.
    handles_procedures: it handles administrative procedures (TTHC): level 3 under ND 331 Art. 13(2)(b).
    classified_harm: for systems with state secrets or serving defence/security, the harm its
        sabotage would do to national security (none, harm, serious, especially serious).
    infra_scope: as shared information infrastructure: one body, one sector/ministry/province or
        several provinces, nationwide with 24/7 operation, national link with other countries.
    national_egov_24x7: a national e-government system that must run 24/7 with no unplanned stop.
    ics_grade: industrial control of construction works of grade II–IV, I, or special grade.
    national_critical_data: central storage of especially important national data.
    decided_level: a level set by the Prime Minister (both decrees) or by a risk assessment under
        the Ministry of Public Security's framework (ND 331; the framework is not yet issued).
    """

    purpose: str = "internal"
    public_info_only: bool = False
    personal_data: bool = False
    data_subjects: int | None = None
    sensitive_data: bool = False
    online_service_level: str = "none"
    conditional_business: bool = False
    handles_procedures: bool = False
    classified_harm: str = "none"
    infra_scope: str = "none"
    national_egov_24x7: bool = False
    ics_grade: str = "none"
    national_critical_data: bool = False
    decided_level: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criteria:
        names = set(cls.field_names())
        return cls(**{k: v for k, v in data.items() if k in names})

    def problems(self) -> list[tuple[str, str, str]]:
        """(field, Vietnamese, English) for every answer outside its choices."""
        out: list[tuple[str, str, str]] = []
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                out.append((name, f"Giá trị không hợp lệ: {value!r} ({', '.join(allowed)}).",
                            f"Invalid value {value!r} ({', '.join(allowed)})."))  # fmt: skip
        if self.data_subjects is not None and self.data_subjects < 0:
            out.append(
                ("data_subjects", "Số người không được âm.", "The number of people cannot be negative.")
            )
        if self.decided_level is not None and not 1 <= self.decided_level <= 5:
            out.append(("decided_level", "Cấp độ phải từ 1 đến 5.", "The level must be between 1 and 5."))
        return out


# --- the rules, loaded from data/security_levels.yaml ----------------------------------------

RULES_FILE = Path(__file__).parent / "data" / "security_levels.yaml"
SWITCH_DATE = date(2026, 7, 1)


@dataclass(frozen=True)
class Regime:
    code: str
    title_vi: str
    title_en: str
    applies_from: date | None  # inclusive
    applies_until: date | None  # exclusive
    source: str
    notes_vi: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    regime: str
    level: int
    article: int
    clause: int | None
    point: str
    text_vi: str
    text_en: str
    when: Mapping[str, Any]
    uncertain_vi: str = ""
    uncertain_en: str = ""

    @property
    def key(self) -> str:
        parts = [self.regime, f"d{self.article}"]
        if self.clause is not None:
            parts.append(f"k{self.clause}")
        if self.point:
            parts.append(self.point)
        return ".".join(parts)

    @property
    def citation_vi(self) -> str:
        parts = [f"điểm {self.point}"] if self.point else []
        if self.clause is not None:
            parts.append(f"khoản {self.clause}")
        parts.append(f"Điều {self.article}")
        return " ".join(parts) + f" {REGIMES[self.regime].title_vi}"

    @property
    def citation_en(self) -> str:
        ref = f"Art. {self.article}"
        if self.clause is not None:
            ref += f"({self.clause})"
        if self.point:
            ref += f"({self.point})"
        return f"{REGIMES[self.regime].title_en}, {ref}"

    def test(self, criteria: Criteria) -> bool:
        return _holds(self.when, criteria)


def _holds(condition: Mapping[str, Any], c: Criteria) -> bool:
    for key, expected in condition.items():
        if key == "any":
            if not any(_holds(alt, c) for alt in expected):
                return False
        elif key == "subjects_below":
            if c.data_subjects is None or c.data_subjects >= expected:
                return False
        elif key == "subjects_at_least":
            if c.data_subjects is None or c.data_subjects < expected:
                return False
        elif getattr(c, key) != expected:
            return False
    return True


def _check_condition(condition: Mapping[str, Any], where: str) -> None:
    names = set(Criteria.field_names())
    for key, value in condition.items():
        if key == "any":
            for alt in value:
                _check_condition(alt, where)
        elif key not in names | {"subjects_below", "subjects_at_least"}:
            raise ValueError(f"{RULES_FILE.name}: {where}: unknown question {key!r}")
        elif key in CHOICES and value not in CHOICES[key]:
            raise ValueError(f"{RULES_FILE.name}: {where}: {key}={value!r} is not one of {CHOICES[key]}")


def _load() -> tuple[dict[str, Regime], tuple[Criterion, ...], tuple[Authority, ...]]:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    regimes = {
        r["code"]: Regime(
            code=r["code"],
            title_vi=r["title_vi"],
            title_en=r["title_en"],
            applies_from=r["applies_from"],
            applies_until=r["applies_until"],
            source=r["source"],
            notes_vi=tuple(r.get("notes_vi", ())),
            notes_en=tuple(r.get("notes_en", ())),
        )
        for r in data["regimes"]
    }
    criteria = []
    for c in data["criteria"]:
        crit = Criterion(
            regime=c["regime"], level=int(c["level"]), article=int(c["article"]), clause=c.get("clause"),
            point=str(c.get("point", "")), text_vi=c["vi"], text_en=c["en"], when=c["when"],
            uncertain_vi=c.get("uncertain_vi", ""), uncertain_en=c.get("uncertain_en", ""),
        )  # fmt: skip
        _check_condition(crit.when, crit.key)
        criteria.append(crit)
    authorities = tuple(
        Authority(
            regime=a["regime"],
            levels=tuple(a["levels"]),
            appraiser=a["appraiser"],
            appraiser_vi=a["appraiser_vi"],
            appraiser_en=a["appraiser_en"],
            approver=a["approver"],
            approver_vi=a["approver_vi"],
            approver_en=a["approver_en"],
            citation_vi=a["citation_vi"],
            citation_en=a["citation_en"],
        )
        for a in data["authorities"]
    )
    return regimes, tuple(criteria), authorities


def regime_for(day: date) -> Regime:
    """The regime of a dossier dated `day`: ND 85 before 1 July 2026, ND 331 from then on."""
    for regime in REGIMES.values():
        starts_ok = regime.applies_from is None or regime.applies_from <= day
        if starts_ok and (regime.applies_until is None or day < regime.applies_until):
            return regime
    return REGIMES["nd85"]


# --- authority: who appraises and who approves ----------------------------------------------

SECURITY_UNIT = "security_unit"  # the owner's dedicated information-security unit
OWNER = "owner"  # the system's owner (chủ quản)
MINISTRY = "ministry"  # appraisal by a ministry, recorded in dieuhanh by the security unit
PRIME_MINISTER = "prime_minister"  # approval of the level-5 list, recorded by the owner


@dataclass(frozen=True)
class Authority:
    regime: str
    levels: tuple[int, ...]
    appraiser: str
    appraiser_vi: str
    appraiser_en: str
    approver: str
    approver_vi: str
    approver_en: str
    citation_vi: str
    citation_en: str

    @property
    def acting_appraiser(self) -> str:
        """The unit that performs (or, for a ministry's appraisal, records) the appraisal in dieuhanh."""
        return SECURITY_UNIT

    @property
    def acting_approver(self) -> str:
        """The unit that approves (or, for the Prime Minister's list, records the decision) in dieuhanh."""
        return SECURITY_UNIT if self.approver == SECURITY_UNIT else OWNER


def authority_for(regime: str, level: int) -> Authority:
    for a in AUTHORITIES:
        if a.regime == regime and level in a.levels:
            return a
    raise KeyError((regime, level))


def default_legal_basis(regime: str, level: int, criteria: tuple[Criterion, ...] = ()) -> str:
    """The legal basis stored with an approval: the criteria met for the level, then the authority."""
    parts = [c.citation_vi for c in criteria if c.level == level]
    parts.append(authority_for(regime, level).citation_vi)
    return "; ".join(parts)


REGIMES, CRITERIA, AUTHORITIES = _load()
ND85, ND331 = REGIMES["nd85"], REGIMES["nd331"]


@dataclass(frozen=True)
class Suggestion:
    regime: Regime
    level: int | None
    matches: tuple[Criterion, ...]  # every criterion met, highest level first

    @property
    def deciding(self) -> tuple[Criterion, ...]:
        """The criteria that set the suggested (highest) level."""
        return tuple(m for m in self.matches if m.level == self.level)

    @property
    def basis_vi(self) -> str:
        return "; ".join(m.citation_vi for m in self.deciding)

    @property
    def basis_en(self) -> str:
        return "; ".join(m.citation_en for m in self.deciding)

    # The highest level among the criteria met. ND 331 Art. 8(2) states it; ND 85's own wording of the
    # principle (its Art. 5) was not retrieved and is applied the same way.
    principle_vi = (
        "Đáp ứng tiêu chí của nhiều cấp độ thì áp dụng cấp độ cao nhất (khoản 2 Điều 8 NĐ 331/2026/NĐ-CP)."
    )
    principle_en = "Criteria of several levels met: the highest level applies (Decree 331/2026, Art. 8(2))."


def suggest_level(criteria: Criteria, regime: Regime) -> Suggestion:
    matched = [c for c in CRITERIA if c.regime == regime.code and c.test(criteria)]
    matched.sort(key=lambda c: (-c.level, c.article, c.clause or 0, c.point))
    level = matched[0].level if matched else None
    return Suggestion(regime=regime, level=level, matches=tuple(matched))
