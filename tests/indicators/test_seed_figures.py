"""The seed figures of DOMAIN.md, from records at their real scale, computed by the shipped packs.

The rows are generated inside DuckDB (no lake needed: the engine runs on any connection whose
views or tables have the fact tables' names and columns). Expected figures are the seeds' own
arithmetic, written out by hand.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dieuhanh.indicators.engine import Engine, format_value, load_catalog
from dieuhanh.lake import TABLES
from dieuhanh.lake.sql import view_sql
from tests.indicators.helpers import unit_context

TODAY = date(2025, 12, 20)
UNITS = [
    {"code": "68", "level": "province"},
    {"code": "68-VP", "level": "department", "parent": "68"},
    {"code": "24820", "level": "commune", "parent": "68"},
    {"code": "25270", "level": "commune", "parent": "68"},
]


@pytest.fixture(scope="module")
def figures() -> dict[tuple[str, str, str], object]:
    con = duckdb.connect()
    for spec in TABLES.values():
        con.execute(view_sql(spec, [], name=f"empty_{spec.name}"))
        con.execute(f"CREATE TABLE {spec.name} AS SELECT * FROM empty_{spec.name}")
    # 583,139 dossiers received in 2025, 127,265 of them online, 399,159 digitised (583,139 × 68.45% =
    # 399,158.6: the nearest count). Split over two communes and the province office.
    con.execute(
        "INSERT INTO dossiers (record_id, unit_code, channel, received_day, digitized) "
        "SELECT i::VARCHAR, CASE i % 3 WHEN 0 THEN '24820' WHEN 1 THEN '25270' ELSE '68-VP' END, "
        "CASE WHEN i < 127265 THEN 'online' ELSE 'direct' END, DATE '2025-01-01' + (i % 365)::INTEGER, "
        "i < 399159 FROM range(583139) t(i)"
    )
    # The catalogue: 1,805 procedures, 497 fully online, 719 partly online.
    con.execute(
        "INSERT INTO services (procedure_code, unit_code, online_level) "
        "SELECT 'P' || i, '68-VP', CASE WHEN i < 497 THEN 'full' WHEN i < 497 + 719 THEN 'partial' ELSE 'none' END "
        "FROM range(1805) t(i)"
    )
    # Outgoing documents: 9,850 of 10,000 electronic and signed (> 98%); incoming ones do not count.
    con.execute(
        "INSERT INTO documents (record_id, unit_code, direction, sent_day, electronic, digitally_signed) "
        "SELECT i::VARCHAR, '68-VP', 'outgoing', DATE '2025-03-01', i < 9900, i < 9850 FROM range(10000) t(i) "
        "UNION ALL SELECT 'in' || i, '68-VP', 'incoming', DATE '2025-03-01', false, false FROM range(500) t(i)"
    )
    # LGSP: 8 of 13 national databases connected.
    con.execute(
        "INSERT INTO data_values (data_element, unit_code, period, value) VALUES "
        "('LGSP_NDB_CONNECTED', '68', '2025', 8), ('LGSP_NDB_TOTAL', '68', '2025', 13)"
    )
    engine = Engine(load_catalog(), unit_context(UNITS, TODAY))
    codes = [
        "dvc.online_share", "dvc.digitized_share", "dvc.full_online_services_share",
        "dvc.partial_online_services_share", "vb.signed_electronic_share", "lgsp.national_db_connected_share",
    ]  # fmt: skip
    result = engine.run_duckdb(con, codes=codes, regimes=["year", "month"])
    return {(v.indicator, v.unit, v.period): v for v in result.all()}


def test_online_share_21_8_percent(figures: dict) -> None:  # type: ignore[type-arg]
    v = figures[("dvc.online_share", "68", "2025")]
    assert (v.numerator, v.denominator) == (127_265, 583_139)
    assert v.value == pytest.approx(127_265 / 583_139 * 100)  # 21.8241…
    assert format_value(v.value, "%", 1, "vi") == "21,8%"
    assert format_value(v.value, "%", 1, "en") == "21.8%"


def test_digitised_share_68_45_percent(figures: dict) -> None:  # type: ignore[type-arg]
    v = figures[("dvc.digitized_share", "68", "2025")]
    assert (v.numerator, v.denominator) == (399_159, 583_139)  # 68.4501 %
    assert format_value(v.value, "%", 2, "vi") == "68,45%"


def test_catalogue_shares_27_53_and_39_8_percent(figures: dict) -> None:  # type: ignore[type-arg]
    full = figures[("dvc.full_online_services_share", "68", "2025")]
    partial = figures[("dvc.partial_online_services_share", "68", "2025")]
    assert (full.numerator, full.denominator, partial.numerator) == (497, 1805, 719)
    assert format_value(full.value, "%", 2) == "27,53%"
    assert format_value(partial.value, "%", 1) == "39,8%"  # as the seed writes it
    assert format_value(partial.value, "%", 2) == "39,83%"  # the definition's two decimals


def test_signed_electronic_documents_above_98_percent(figures: dict) -> None:  # type: ignore[type-arg]
    v = figures[("vb.signed_electronic_share", "68", "2025M03")]
    assert (v.numerator, v.denominator, v.value) == (9850, 10000, pytest.approx(98.5))


def test_lgsp_8_of_13(figures: dict) -> None:  # type: ignore[type-arg]
    v = figures[("lgsp.national_db_connected_share", "68", "2025")]
    assert format_value(v.value, "%", 1) == "61,5%"


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "lang", "shown"),
    [
        (21.82414, "%", 1, "vi", "21,8%"),
        (127265, "count", 0, "vi", "127.265"),
        (127265, "count", 0, "en", "127,265"),
        (1234567.891, "billion VND", 2, "vi", "1.234.567,89 tỷ đồng"),
        (15.255, "points", 2, "en", "15.26 points"),
        (0.05, "%", 1, "vi", "0,1%"),  # half up, not to even
        (None, "%", 1, "vi", "—"),
        (-3.14159, "%", 2, "vi", "-3,14%"),
    ],
)
def test_format_value(value: float | None, unit: str, decimals: int, lang: str, shown: str) -> None:
    assert format_value(value, unit, decimals, lang) == shown
