"""Definitions at load: bad ones refused with file, line and reason; the rest (and the previously
loaded version of a refused one) keep working; the logic hash ignores labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from dieuhanh.indicators.engine import Catalog, load_catalog

GOOD = """\
indicators:
  - code: t.online
    name: {vi: Trực tuyến, en: Online}
    unit: "%"
    factor: 100
    table: dossiers
    period_by: received_day
    numerator: {count: "channel = 'online'"}
    denominator: {count: true}
  - code: t.score
    kind: composite
    name: {vi: Điểm, en: Score}
    unit: points
    components:
      - {indicator: t.online, rule: {threshold: 0.5, max: 10}}
"""


def load(tmp_path: Path, text: str, name: str = "pack.yaml", previous: Catalog | None = None) -> Catalog:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_catalog([path], previous=previous)


def test_shipped_packs_load_cleanly_with_every_contract_code() -> None:
    catalog = load_catalog()
    assert catalog.problems == ()
    for code in ["dvc.online_share", "dvc.on_time_share", "dvc.digitized_share", "dvc.online_payment_share",
                 "dvc.full_online_services_share", "dvc.partial_online_services_share", "vb.signed_electronic_share",
                 "cs766.total", "cs766.transparency", "cs766.progress", "cs766.online_services", "cs766.payment",
                 "cs766.digitization", "cs766.satisfaction"]:  # fmt: skip
        assert code in catalog, code
    total = catalog.get("cs766.total")
    assert total.max_points == 100
    assert {c.indicator for c in total.composite.components} == {  # type: ignore[union-attr]
        "cs766.transparency", "cs766.progress", "cs766.online_services", "cs766.payment", "cs766.digitization",
        "cs766.satisfaction",
    }  # fmt: skip
    # Groups the records cannot support say so instead of inventing a number.
    assert catalog.get("cs766.transparency").null_reason is not None
    assert catalog.get("cs766.online_services").null_reason is not None
    # Every scoring rule of the 766 groups names its source.
    for code in ("cs766.payment", "cs766.digitization", "cs766.satisfaction"):
        assert all(c.source for c in catalog.get(code).composite.components)  # type: ignore[union-attr]
    # Every target names the document that set it.
    assert all(t.source for d in catalog for t in d.targets)


@pytest.mark.parametrize(
    ("line", "snippet", "code", "reason"),
    [
        (8, "numerator: {count: \"chanel = 'online'\"}", "definition.unknown_column", "chanel"),
        (8, "numerator: {count: \"channel = = 'online'\"}", "definition.sql_syntax", "syntax"),
        (8, 'numerator: {count: "channel IN (SELECT 1)"}', "definition.sql_not_allowed", "Subquery"),
        (8, "numerator: {count: \"digitized > DATE '2025-01-01'\"}", "definition.sql_invalid", "BOOLEAN"),
        (
            8,
            "numerator: {count: \"dossiers.channel = 'online'\"}",
            "definition.qualified_column",
            "qualified",
        ),
        (7, "period_by: received_at", "definition.period_column", "DATE"),
        (8, "numerater: {count: true}", "definition.unknown_key", "numerater"),
    ],
)
def test_bad_record_definition_is_refused_with_file_line_and_reason(
    tmp_path: Path, line: int, snippet: str, code: str, reason: str
) -> None:
    lines = GOOD.splitlines()
    key = snippet.split(":")[0].strip()
    idx = next(i for i, text in enumerate(lines) if text.strip().startswith(key) or
               (key == "numerater" and text.strip().startswith("numerator")))  # fmt: skip
    lines[idx] = "    " + snippet
    catalog = load(tmp_path, "\n".join(lines) + "\n")
    problems = [p for p in catalog.problems if p.indicator == "t.online"]
    assert problems, catalog.problems
    p = problems[0]
    assert (p.file.endswith("pack.yaml"), p.line, p.code) == (True, line, code)
    assert reason in p.message_en and p.message_vi
    assert f"pack.yaml:{line}" in str(p)
    # The composite that uses it is refused too (unknown component), nothing else is loaded.
    assert "t.online" not in catalog and "t.score" not in catalog


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    catalog = load(tmp_path, GOOD.replace("unit: points", "unit: [points"))
    (p,) = catalog.problems
    assert p.code == "definition.yaml_syntax" and p.line is not None and p.line >= 13


def test_circular_composites_are_refused(tmp_path: Path) -> None:
    text = (
        GOOD
        + """\
  - code: t.loop_a
    kind: composite
    name: {vi: A, en: A}
    unit: points
    components: [{indicator: t.loop_b, use: value, rule: {points: true}}]
  - code: t.loop_b
    kind: composite
    name: {vi: B, en: B}
    unit: points
    components: [{indicator: t.loop_a, use: value, rule: {points: true}}]
"""
    )
    catalog = load(tmp_path, text)
    refused = {p.indicator: p for p in catalog.problems}
    assert set(refused) == {"t.loop_a", "t.loop_b"}
    assert refused["t.loop_a"].code == "definition.circular" and refused["t.loop_a"].line == 16
    assert "t.online" in catalog and "t.score" in catalog  # the others keep working


def test_target_without_a_source_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    denominator: {count: true}\n",
        "    denominator: {count: true}\n    targets:\n      - {year: 2025, value: 90}\n",
        1,
    )
    catalog = load(tmp_path, text)
    (p, *_rest) = catalog.problems
    assert (p.indicator, p.code, p.line) == ("t.online", "definition.target_source", 11)
    assert "source" in p.message_en


def test_duplicate_code_and_duplicate_key(tmp_path: Path) -> None:
    catalog = load(tmp_path, GOOD + GOOD.split("indicators:\n", 1)[1].split("  - code: t.score")[0])
    assert any(p.code == "definition.duplicate_code" and p.line == 16 for p in catalog.problems)
    catalog = load(tmp_path, GOOD.replace('    unit: "%"\n', '    unit: "%"\n    unit: count\n', 1))
    assert any(p.code == "definition.duplicate_key" and p.line == 5 for p in catalog.problems)


def test_previously_loaded_definitions_keep_working(tmp_path: Path) -> None:
    first = load(tmp_path, GOOD)
    assert not first.problems
    broken = GOOD.replace("channel = 'online'", "chanel = 'online'")
    second = load(tmp_path, broken, previous=first)
    assert second.get("t.online") is first.get("t.online")
    assert "t.score" in second
    assert {p.code for p in second.problems} >= {"definition.unknown_column", "definition.kept_previous"}
    # A whole file that no longer parses keeps all its definitions.
    third = load(tmp_path, "indicators: [", previous=first)
    assert set(third.definitions) == {"t.online", "t.score"}


def test_logic_hash_ignores_labels_and_follows_components(tmp_path: Path) -> None:
    base = load(tmp_path, GOOD)
    relabelled = load(
        tmp_path, GOOD.replace("{vi: Trực tuyến, en: Online}", "{vi: Nộp trực tuyến, en: Filed online}")
    )
    assert relabelled.logic_hash("t.online") == base.logic_hash("t.online")
    changed = load(tmp_path, GOOD.replace("channel = 'online'", "channel IN ('online', 'postal')"))
    assert changed.logic_hash("t.online") != base.logic_hash("t.online")
    # The composite using it changes too (its numbers would), though its own YAML did not.
    assert changed.logic_hash("t.score") != base.logic_hash("t.score")
    assert changed.get("t.score").own_hash() == base.get("t.score").own_hash()
    rule = load(tmp_path, GOOD.replace("threshold: 0.5", "threshold: 0.8"))
    assert rule.logic_hash("t.score") != base.logic_hash("t.score")
    assert rule.logic_hash("t.online") == base.logic_hash("t.online")


def test_definitions_are_frozen(tmp_path: Path) -> None:
    d = load(tmp_path, GOOD).get("t.online")
    with pytest.raises(AttributeError):
        d.code = "x"  # type: ignore[misc]
