"""Keyed upserts: inserts, re-sends, newer and older versions of a record, moves between months."""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.lake import Lake, UnknownTableError, UpsertResult

from .conftest import dossier, query, rows, utc, vn

JAN = utc(2026, 1, 10)
FEB = utc(2026, 2, 10)
MAR = utc(2026, 3, 10)


def counts(result: UpsertResult) -> tuple[int, int, int, int]:
    return (result.inserted, result.updated, result.unchanged, result.superseded)


def test_first_batch_creates_the_table(lake: Lake) -> None:
    assert lake.version("dossiers") is None
    batch = rows("dossiers", [dossier("A", JAN, channel="online"), dossier("B", FEB, channel="direct")])
    result = lake.upsert("dossiers", batch, batch_id="b1", source="dvc")
    assert counts(result) == (2, 0, 0, 0)
    assert result.version == 0
    assert lake.version("dossiers") == 0
    got = query(lake, "SELECT record_id, channel, month, source, batch_id FROM dossiers ORDER BY record_id")
    assert got == [("A", "online", "2026-01", "dvc", "b1"), ("B", "direct", "2026-02", "dvc", "b1")]
    [entry] = lake.history("dossiers")
    assert (entry["version"], entry["operation"], entry["batch_id"], entry["source"]) == (
        0,
        "WRITE",
        "b1",
        "dvc",
    )


def test_an_identical_resend_changes_nothing_and_makes_no_version(lake: Lake) -> None:
    batch = rows("dossiers", [dossier("A", JAN, JAN), dossier("B", FEB, FEB), dossier("C", FEB)])
    lake.upsert("dossiers", batch, batch_id="b1", source="dvc")
    again = lake.upsert("dossiers", batch, batch_id="b2", source="dvc")
    assert counts(again) == (0, 0, 3, 0)
    assert again.version == 0
    assert len(lake.history("dossiers")) == 1
    assert query(lake, "SELECT DISTINCT batch_id FROM dossiers") == [("b1",)]


def test_the_same_record_id_from_another_source_is_another_record(lake: Lake) -> None:
    lake.upsert("dossiers", rows("dossiers", [dossier("A", JAN)]), batch_id="b1", source="dvc")
    result = lake.upsert("dossiers", rows("dossiers", [dossier("A", JAN)]), batch_id="b2", source="motcua")
    assert counts(result) == (1, 0, 0, 0)
    assert query(lake, "SELECT source FROM dossiers ORDER BY source") == [("dvc",), ("motcua",)]


def test_a_newer_updated_at_wins_and_an_older_one_loses(lake: Lake) -> None:
    first = dossier("A", JAN, utc(2026, 1, 10, 8), status="processing")
    lake.upsert("dossiers", rows("dossiers", [first]), batch_id="b1", source="dvc")

    newer = dossier("A", JAN, utc(2026, 1, 12, 8), status="finished", finished_at=utc(2026, 1, 12, 8))
    result = lake.upsert("dossiers", rows("dossiers", [newer]), batch_id="b2", source="dvc")
    assert counts(result) == (0, 1, 0, 0)
    assert result.version == 1

    older = dossier("A", JAN, utc(2026, 1, 11, 8), status="returned")
    same_time = dossier("A", JAN, utc(2026, 1, 12, 8), status="withdrawn")
    for stale in (older, same_time):
        result = lake.upsert("dossiers", rows("dossiers", [stale]), batch_id="b3", source="dvc")
        assert counts(result) == (0, 0, 1, 0)
        assert result.version == 1
    got = query(lake, "SELECT status, finished_day, batch_id, count(*) OVER () FROM dossiers")
    assert got == [("finished", dt.date(2026, 1, 12), "b2", 1)]


def test_without_updated_at_any_difference_replaces(lake: Lake) -> None:
    lake.upsert(
        "dossiers",
        rows("dossiers", [dossier("A", JAN, None, status="processing")]),
        batch_id="b1",
        source="x",
    )
    same = lake.upsert(
        "dossiers",
        rows("dossiers", [dossier("A", JAN, None, status="processing")]),
        batch_id="b2",
        source="x",
    )
    assert counts(same) == (0, 0, 1, 0)
    changed = lake.upsert(
        "dossiers", rows("dossiers", [dossier("A", JAN, None, status="finished")]), batch_id="b3", source="x"
    )
    assert counts(changed) == (0, 1, 0, 0)
    assert query(lake, "SELECT status FROM dossiers") == [("finished",)]


def test_duplicate_keys_in_one_batch_keep_the_latest_then_the_last(lake: Lake) -> None:
    batch = rows(
        "dossiers",
        [
            dossier("A", JAN, utc(2026, 1, 12), status="finished"),
            dossier("A", JAN, utc(2026, 1, 11), status="processing"),  # older, sent later: loses
            dossier("B", FEB, utc(2026, 2, 11), status="processing"),
            dossier("B", FEB, utc(2026, 2, 11), status="returned"),  # same time, sent last: wins
            dossier("C", FEB, None, status="processing"),
            dossier("C", FEB, utc(2026, 2, 1), status="finished"),  # a time beats none
        ],
    )
    result = lake.upsert("dossiers", batch, batch_id="b1", source="dvc")
    assert counts(result) == (3, 0, 0, 3)
    got = query(lake, "SELECT record_id, status FROM dossiers ORDER BY record_id")
    assert got == [("A", "finished"), ("B", "returned"), ("C", "finished")]


def test_a_record_whose_received_at_moves_to_another_month(lake: Lake) -> None:
    lake.upsert(
        "dossiers",
        rows("dossiers", [dossier("A", JAN, JAN), dossier("B", JAN, JAN)]),
        batch_id="b1",
        source="dvc",
    )
    lake.upsert("dossiers", rows("dossiers", [dossier("C", FEB, FEB)]), batch_id="b2", source="dvc")

    corrected = dossier("A", MAR, utc(2026, 3, 11))
    result = lake.upsert("dossiers", rows("dossiers", [corrected]), batch_id="b3", source="dvc")
    assert counts(result) == (0, 1, 0, 0)
    got = query(lake, "SELECT record_id, month, received_day FROM dossiers ORDER BY record_id")
    assert got == [
        ("A", "2026-03", dt.date(2026, 3, 10)),
        ("B", "2026-01", dt.date(2026, 1, 10)),
        ("C", "2026-02", dt.date(2026, 2, 10)),
    ]
    predicate = lake.history("dossiers", 1)[0]["parameters"]["predicate"]
    assert predicate == "month = '2026-01' OR month = '2026-03'"  # where it was and where it goes

    # The stale January version, sent again, neither moves it back nor leaves a copy.
    stale = lake.upsert("dossiers", rows("dossiers", [dossier("A", JAN, JAN)]), batch_id="b4", source="dvc")
    assert counts(stale) == (0, 0, 1, 0)
    # Nor does a move within one batch that also inserts into the old month.
    moved_back = [dossier("A", FEB, utc(2026, 3, 12)), dossier("D", MAR, MAR)]
    assert counts(lake.upsert("dossiers", rows("dossiers", moved_back), batch_id="b5", source="dvc")) == (
        1,
        1,
        0,
        0,
    )
    got = query(lake, "SELECT record_id, month FROM dossiers ORDER BY record_id")
    assert got == [("A", "2026-02"), ("B", "2026-01"), ("C", "2026-02"), ("D", "2026-03")]


def test_a_morning_in_february_is_february(lake: Lake) -> None:
    lake.upsert(
        "dossiers", rows("dossiers", [dossier("A", vn(2026, 2, 1, 6, 30))]), batch_id="b1", source="dvc"
    )
    assert query(lake, "SELECT month, received_day, received_at FROM dossiers") == [
        ("2026-02", dt.date(2026, 2, 1), utc(2026, 1, 31, 23, 30))
    ]
    assert [p.name for p in (lake.root / "dossiers").glob("month=*")] == ["month=2026-02"]


def test_observations_replace_on_any_difference(lake: Lake) -> None:
    def obs(value: float, at: dt.datetime = JAN) -> dict[str, object]:
        return {
            "station_code": "S1",
            "unit_code": "U",
            "parameter": "pm25",
            "observed_at": at,
            "value": value,
        }

    first = lake.upsert(
        "observations",
        rows("observations", [obs(10.0), obs(11.0, utc(2026, 1, 10, 1, 40))]),
        batch_id="1",
        source="m",
    )
    assert counts(first) == (2, 0, 0, 0)
    same = lake.upsert("observations", rows("observations", [obs(10.0)]), batch_id="2", source="other")
    assert counts(same) == (0, 0, 1, 0)
    fixed = lake.upsert("observations", rows("observations", [obs(12.5)]), batch_id="3", source="m")
    assert counts(fixed) == (0, 1, 0, 0)
    got = query(lake, "SELECT hour, value FROM observations ORDER BY observed_at")
    assert got == [(JAN, 12.5), (utc(2026, 1, 10, 1), 11.0)]


def test_services_and_data_values(lake: Lake) -> None:
    services = rows(
        "services",
        [
            {"procedure_code": "P1", "unit_code": "U1", "name": "Cấp giấy phép", "online_level": "full"},
            {"procedure_code": "P1", "unit_code": "U2", "name": "Cấp giấy phép", "online_level": "partial"},
        ],
    )
    assert counts(lake.upsert("services", services, batch_id="s1", source="csdl")) == (2, 0, 0, 0)
    assert counts(lake.upsert("services", services, batch_id="s2", source="csdl")) == (0, 0, 2, 0)
    values = rows(
        "data_values", [{"data_element": "pop", "unit_code": "U1", "period": "R09-2025M07", "value": 3.0}]
    )
    assert counts(lake.upsert("data_values", values, batch_id="d1", source="dhis2")) == (1, 0, 0, 0)
    assert query(lake, "SELECT year, value FROM data_values") == [("2025", 3.0)]
    assert query(lake, "SELECT count(*) FROM services") == [(2,)]
    assert not list((lake.root / "services").glob("*=*"))  # not partitioned


def test_documents_compare_values_and_keep_their_sent_day(lake: Lake) -> None:
    doc = {"record_id": "VB1", "unit_code": "U", "direction": "outgoing", "sent_at": vn(2026, 3, 1, 0, 5)}
    assert counts(lake.upsert("documents", rows("documents", [doc]), batch_id="1", source="qlvb")) == (
        1,
        0,
        0,
        0,
    )
    assert counts(lake.upsert("documents", rows("documents", [doc]), batch_id="2", source="qlvb")) == (
        0,
        0,
        1,
        0,
    )
    signed = {**doc, "electronic": True, "digitally_signed": True}
    assert counts(lake.upsert("documents", rows("documents", [signed]), batch_id="3", source="qlvb")) == (
        0,
        1,
        0,
        0,
    )
    got = query(lake, "SELECT sent_day, month, digitally_signed, batch_id FROM documents")
    assert got == [(dt.date(2026, 3, 1), "2026-03", True, "3")]


def test_an_empty_batch_does_nothing(lake: Lake) -> None:
    result = lake.upsert("dossiers", rows("dossiers", []), batch_id="b0", source="dvc")
    assert counts(result) == (0, 0, 0, 0)
    assert result.version is None
    assert not lake.exists("dossiers")


def test_an_unknown_table_is_refused(lake: Lake) -> None:
    with pytest.raises(UnknownTableError):
        lake.upsert("invoices", rows("dossiers", []), batch_id="b", source="s")
