"""The level suggestion: every criterion of Decree 85/2016 and Decree 331/2026, with its article."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dieuhanh.registry.levels import (
    CRITERIA,
    ND85,
    ND331,
    Criteria,
    authority_for,
    default_legal_basis,
    regime_for,
    suggest_level,
)

CITIZENS = {"purpose": "citizens"}
CASES_85: list[tuple[str, dict[str, Any], int, str]] = [
    ("nd85.d7", {"purpose": "internal", "public_info_only": True}, 1,
     "Điều 7 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d8.k1", {"purpose": "internal", "personal_data": True}, 2,
     "khoản 1 Điều 8 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d8.k2.a", {**CITIZENS, "online_service_level": "up_to_2"}, 2,
     "điểm a khoản 2 Điều 8 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d8.k2.b", {**CITIZENS}, 2, "điểm b khoản 2 Điều 8 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d8.k2.c", {**CITIZENS, "personal_data": True, "data_subjects": 9_999}, 2,
     "điểm c khoản 2 Điều 8 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d8.k3", {"purpose": "infrastructure", "infra_scope": "one_body"}, 2,
     "khoản 3 Điều 8 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d9.k1", {"purpose": "internal", "classified_harm": "harm"}, 3,
     "khoản 1 Điều 9 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d9.k2.a", {**CITIZENS, "online_service_level": "3_plus"}, 3,
     "điểm a khoản 2 Điều 9 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d9.k2.b", {**CITIZENS, "conditional_business": True}, 3,
     "điểm b khoản 2 Điều 9 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d9.k2.c", {**CITIZENS, "personal_data": True, "data_subjects": 10_000}, 3,
     "điểm c khoản 2 Điều 9 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d9.k3", {"purpose": "infrastructure", "infra_scope": "sector_province"}, 3,
     "khoản 3 Điều 9 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d9.k4", {"purpose": "industrial", "ics_grade": "grade_2_4"}, 3,
     "khoản 4 Điều 9 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d10.k1", {"purpose": "internal", "classified_harm": "serious"}, 4,
     "khoản 1 Điều 10 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d10.k2", {**CITIZENS, "national_egov_24x7": True}, 4,
     "khoản 2 Điều 10 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d10.k3", {"purpose": "infrastructure", "infra_scope": "nationwide_24x7"}, 4,
     "khoản 3 Điều 10 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d10.k4", {"purpose": "industrial", "ics_grade": "grade_1"}, 4,
     "khoản 4 Điều 10 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d11.k1", {"purpose": "internal", "classified_harm": "especially_serious"}, 5,
     "khoản 1 Điều 11 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d11.k2", {"purpose": "other", "national_critical_data": True}, 5,
     "khoản 2 Điều 11 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d11.k3", {"purpose": "infrastructure", "infra_scope": "international"}, 5,
     "khoản 3 Điều 11 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d11.k4", {"purpose": "industrial", "ics_grade": "special"}, 5,
     "khoản 4 Điều 11 Nghị định số 85/2016/NĐ-CP"),
    ("nd85.d11.k5", {"purpose": "other", "decided_level": 5}, 5,
     "khoản 5 Điều 11 Nghị định số 85/2016/NĐ-CP"),
]  # fmt: skip
CASES_331: list[tuple[str, dict[str, Any], int, str]] = [
    ("nd331.d11.k1", {"purpose": "internal", "public_info_only": True}, 1,
     "khoản 1 Điều 11 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d11.k2", {"purpose": "other", "decided_level": 1}, 1,
     "khoản 2 Điều 11 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d12.k1", {"purpose": "internal", "personal_data": True}, 2,
     "khoản 1 Điều 12 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d12.k2.a", {**CITIZENS}, 2, "điểm a khoản 2 Điều 12 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d12.k2.b", {**CITIZENS, "personal_data": True, "data_subjects": 99_999}, 2,
     "điểm b khoản 2 Điều 12 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d12.k3", {"purpose": "infrastructure", "infra_scope": "one_body"}, 2,
     "khoản 3 Điều 12 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d12.k4", {"purpose": "other", "decided_level": 2}, 2,
     "khoản 4 Điều 12 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k1", {"purpose": "internal", "classified_harm": "harm"}, 3,
     "khoản 1 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k2.a", {**CITIZENS, "conditional_business": True}, 3,
     "điểm a khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k2.b", {**CITIZENS, "handles_procedures": True}, 3,
     "điểm b khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k2.c", {**CITIZENS, "personal_data": True, "data_subjects": 100_000}, 3,
     "điểm c khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k3", {"purpose": "infrastructure", "infra_scope": "sector_province"}, 3,
     "khoản 3 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k4", {"purpose": "industrial", "ics_grade": "grade_2_4"}, 3,
     "khoản 4 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d13.k5", {"purpose": "other", "decided_level": 3}, 3,
     "khoản 5 Điều 13 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d14.k1", {"purpose": "internal", "classified_harm": "serious"}, 4,
     "khoản 1 Điều 14 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d14.k2", {"purpose": "infrastructure", "infra_scope": "nationwide_24x7"}, 4,
     "khoản 2 Điều 14 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d14.k3", {"purpose": "industrial", "ics_grade": "grade_1"}, 4,
     "khoản 3 Điều 14 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d14.k4", {"purpose": "other", "decided_level": 4}, 4,
     "khoản 4 Điều 14 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d15.k1", {"purpose": "internal", "classified_harm": "especially_serious"}, 5,
     "khoản 1 Điều 15 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d15.k2", {"purpose": "other", "national_critical_data": True}, 5,
     "khoản 2 Điều 15 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d15.k3", {"purpose": "infrastructure", "infra_scope": "international"}, 5,
     "khoản 3 Điều 15 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d15.k4", {"purpose": "industrial", "ics_grade": "special"}, 5,
     "khoản 4 Điều 15 Nghị định số 331/2026/NĐ-CP"),
    ("nd331.d15.k5", {"purpose": "other", "decided_level": 5}, 5,
     "khoản 5 Điều 15 Nghị định số 331/2026/NĐ-CP"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "answers", "level", "citation"), CASES_85, ids=[c[0] for c in CASES_85])
def test_each_criterion_of_decree_85(key: str, answers: dict[str, Any], level: int, citation: str) -> None:
    suggestion = suggest_level(Criteria(**answers), ND85)
    assert suggestion.level == level
    deciding = {c.key: c.citation_vi for c in suggestion.deciding}
    assert deciding[key] == citation
    assert citation in suggestion.basis_vi


@pytest.mark.parametrize(("key", "answers", "level", "citation"), CASES_331, ids=[c[0] for c in CASES_331])
def test_each_criterion_of_decree_331(key: str, answers: dict[str, Any], level: int, citation: str) -> None:
    suggestion = suggest_level(Criteria(**answers), ND331)
    assert suggestion.level == level
    deciding = {c.key: c.citation_vi for c in suggestion.deciding}
    assert deciding[key] == citation


def test_every_criterion_in_the_rules_is_tested() -> None:
    tested = {c[0] for c in CASES_85} | {c[0] for c in CASES_331}
    assert {c.key for c in CRITERIA} == tested
    assert len(CRITERIA) == 44


def test_english_citation() -> None:
    suggestion = suggest_level(Criteria(purpose="citizens", handles_procedures=True), ND331)
    assert suggestion.basis_en == "Decree 331/2026/ND-CP, Art. 13(2)(b)"


def test_procedures_are_level_3_under_331_but_follow_online_services_under_85() -> None:
    procedures = Criteria(purpose="citizens", handles_procedures=True)
    assert suggest_level(procedures, ND331).level == 3
    # ND 85 has no criterion of its own for procedures: without level-3 online services it stays at 2.
    assert suggest_level(procedures, ND85).level == 2
    assert suggest_level(Criteria(purpose="citizens", handles_procedures=True, online_service_level="3_plus"),
                         ND85).level == 3  # fmt: skip


def test_data_subject_thresholds_differ_between_the_decrees() -> None:
    basic = Criteria(purpose="citizens", personal_data=True, data_subjects=50_000)
    assert suggest_level(basic, ND85).level == 3  # ≥ 10,000 users
    assert suggest_level(basic, ND331).level == 2  # < 100,000 basic data subjects
    sensitive = Criteria(purpose="citizens", personal_data=True, sensitive_data=True, data_subjects=50_000)
    assert suggest_level(sensitive, ND331).level == 3  # ≥ 10,000 sensitive data subjects
    assert "điểm c khoản 2 Điều 13" in suggest_level(sensitive, ND331).basis_vi
    unknown = Criteria(purpose="citizens", personal_data=True)
    assert [c.key for c in suggest_level(unknown, ND331).matches] == ["nd331.d12.k2.a"]


def test_the_highest_level_met_wins_and_all_matches_are_listed() -> None:
    c = Criteria(purpose="citizens", handles_procedures=True, infra_scope="nationwide_24x7")
    suggestion = suggest_level(c, ND331)
    assert suggestion.level == 4
    assert [m.key for m in suggestion.matches] == ["nd331.d14.k2", "nd331.d13.k2.b", "nd331.d12.k2.a"]


def test_no_criterion_met_gives_no_suggestion() -> None:
    assert suggest_level(Criteria(purpose="other"), ND331).level is None


def test_regime_follows_the_dossier_date() -> None:
    assert regime_for(date(2026, 6, 30)).code == "nd85"
    assert regime_for(date(2026, 7, 1)).code == "nd331"
    assert ND331.notes_vi and "19/8/2026" in ND331.notes_vi[0]


def test_uncertain_readings_are_marked() -> None:
    d9 = next(c for c in CRITERIA if c.key == "nd85.d9.k2.a")
    assert "NĐ 42/2022" in d9.uncertain_vi and "Decree 42/2022" in d9.uncertain_en
    framework = next(c for c in CRITERIA if c.key == "nd331.d13.k5")
    assert "Bộ Công an" in framework.uncertain_vi


@pytest.mark.parametrize(
    ("regime", "level", "appraiser", "approver", "citation"),
    [("nd85", 1, "security_unit", "security_unit", "khoản 1 Điều 12 Nghị định số 85/2016/NĐ-CP"),
     ("nd85", 3, "security_unit", "owner", "khoản 2 Điều 12 Nghị định số 85/2016/NĐ-CP"),
     ("nd85", 4, "ministry", "owner", "điểm a, d khoản 3 Điều 12 Nghị định số 85/2016/NĐ-CP"),
     ("nd85", 5, "ministry", "prime_minister", "điểm a, d, đ khoản 3 Điều 12 Nghị định số 85/2016/NĐ-CP"),
     ("nd331", 2, "security_unit", "security_unit", "khoản 1 Điều 18 Nghị định số 331/2026/NĐ-CP"),
     ("nd331", 3, "security_unit", "owner", "khoản 2 Điều 18 Nghị định số 331/2026/NĐ-CP"),
     ("nd331", 4, "ministry", "owner", "điểm a, d khoản 3 Điều 18 Nghị định số 331/2026/NĐ-CP"),
     ("nd331", 5, "ministry", "prime_minister", "điểm a, d, đ khoản 3 Điều 18 Nghị định số 331/2026/NĐ-CP")],
)  # fmt: skip
def test_who_appraises_and_approves(
    regime: str, level: int, appraiser: str, approver: str, citation: str
) -> None:
    authority = authority_for(regime, level)
    assert (authority.appraiser, authority.approver, authority.citation_vi) == (appraiser, approver, citation)


def test_ministry_of_the_regime_appraises_levels_4_and_5() -> None:
    assert authority_for("nd85", 4).appraiser_vi.startswith("Bộ Thông tin và Truyền thông")
    assert authority_for("nd331", 4).appraiser_vi.startswith("Bộ Công an")


def test_default_legal_basis_names_criteria_and_authority() -> None:
    matches = suggest_level(Criteria(purpose="citizens", handles_procedures=True), ND331).matches
    assert default_legal_basis("nd331", 3, matches) == (
        "điểm b khoản 2 Điều 13 Nghị định số 331/2026/NĐ-CP; khoản 2 Điều 18 Nghị định số 331/2026/NĐ-CP"
    )
