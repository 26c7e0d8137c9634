"""Periodic reporting: prefill from records, validation outcomes, the approval flow with its audit
rows, the lock and reopen, completeness, reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.models import User
from dieuhanh.audit.models import AuditEntry
from dieuhanh.audit.services import Actor
from dieuhanh.core.errors import PermissionDenied, UserError
from dieuhanh.core.periods import parse_period, period_of
from dieuhanh.indicators.selectors import indicator_value_lookup
from dieuhanh.ingest.models import Source
from dieuhanh.ingest.services import batch_ingest
from dieuhanh.lake import Lake
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.models import Origin, ReportForm, Submission, SubmissionStatus
from dieuhanh.reporting.selectors import completeness, deadline, lock_date, rules_check, submission_values
from dieuhanh.reporting.services import (
    completeness_publish,
    reminders_send,
    submission_accept,
    submission_open,
    submission_reopen,
    submission_return,
    submission_save,
    submission_submit,
)

pytestmark = pytest.mark.django_db

SEPT = "2025M09"
IN_SEPT = date(2025, 9, 20)  # a day inside the period: before its deadline and lock
ON_TIME = datetime(2025, 10, 6, 9, 0, tzinfo=UTC)  # the deadline is 7/10/2025
LATE = datetime(2025, 10, 9, 9, 0, tzinfo=UTC)
GOOD = {"HSCV_TOTAL": "120", "HSCV_ONLINE": "90", "TO_CNSCD": "có", "TO_CNSCD_THANH_VIEN": "7"}


def dossier(record_id: str, unit: str, received_at: str) -> dict[str, str]:
    return {"record_id": record_id, "unit_code": unit, "channel": "online", "received_at": received_at,
            "due_at": "2025-12-31T17:00:00+07:00", "status": "processing"}  # fmt: skip


@pytest.fixture
def users(make_user: Callable[[str, str], User]) -> dict[str, User]:
    return {
        "officer": make_user("officer", "24820"),
        "manager": make_user("manager", "24820"),
        "province": make_user("manager", "68"),
        "other": make_user("manager", "25270"),
    }


def filled(
    form: ReportForm, unit: OrgUnit, users: dict[str, User], values: dict[str, str] = GOOD
) -> Submission:
    sub = submission_open(
        actor=Actor.of(users["officer"]), form=form, unit=unit, period_key=SEPT, today=IN_SEPT
    )
    submission_save(actor=Actor.of(users["officer"]), submission=sub, raw=values, today=IN_SEPT)
    return sub


def test_deadlines_follow_the_form_rule(form: ReportForm) -> None:
    # 30/9/2025 is a Tuesday: the 5th working day after it is Tuesday 7/10; the lock 10 days later.
    assert deadline(form, parse_period(SEPT)) == date(2025, 10, 7)
    assert lock_date(form, parse_period(SEPT)) == date(2025, 10, 17)
    # 31/10/2026 is a Saturday: Monday 2/11 is the first working day, Friday 6/11 the fifth.
    assert deadline(form, parse_period("2026M10")) == date(2026, 11, 6)


def test_decree_09_deadline_is_the_25th_of_the_last_month() -> None:
    from dieuhanh.reporting.schedule import deadline_of

    # REGULATIONS.md §3 / core.periods: R09-2025M07 (15/6–14/7/2025) is due by 25/07/2025.
    assert deadline_of("day_of_last_month", 25, parse_period("R09-2025M07")) == date(2025, 7, 25)
    assert deadline_of("day_of_last_month", 25, parse_period("R09-2025Q3")) == date(2025, 9, 25)


def test_prefill_from_records_is_marked_and_never_asked(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User], motcua: Source
) -> None:
    rows = [dossier("A1", "24820", "2025-09-01T00:10:00+07:00"), dossier("A2", "24820", "2025-09-15T09:00:00+07:00"),
            dossier("A3", "24820", "2025-09-30T23:50:00+07:00"),
            dossier("B1", "24820", "2025-08-31T23:30:00+07:00"),  # August, local time
            dossier("B2", "24820", "2025-10-01T00:10:00+07:00"),  # October
            dossier("C1", "25270", "2025-09-10T09:00:00+07:00")]  # another commune  # fmt: skip
    batch_ingest(
        actor=Actor.system("test"), source=motcua, table="dossiers", records=list(enumerate(rows, 2))
    )
    sub = submission_open(actor=Actor.of(users["officer"]), form=form, unit=province["24820"], period_key=SEPT,
                          today=IN_SEPT)  # fmt: skip
    assert submission_values(sub)["DVC_TIEP_NHAN"] == 3
    assert sub.values.get(element__code="DVC_TIEP_NHAN").origin == Origin.RECORDS
    # Entering another figure for it is refused, naming the element; nothing is saved.
    with pytest.raises(UserError) as exc:
        submission_save(actor=Actor.of(users["officer"]), submission=sub, raw={**GOOD, "DVC_TIEP_NHAN": "50"},
                        today=IN_SEPT)  # fmt: skip
    assert exc.value.problems[0].code == "report.prefilled"
    assert exc.value.problems[0].field == "DVC_TIEP_NHAN"
    assert "HSCV_TOTAL" not in submission_values(sub)


def test_bad_values_are_refused_together_and_nothing_changes(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User]
) -> None:
    sub = filled(form, province["24820"], users)
    with pytest.raises(UserError) as exc:
        submission_save(actor=Actor.of(users["officer"]), submission=sub, today=IN_SEPT,
                        raw={"HSCV_TOTAL": "12,5", "HSCV_ONLINE": "-3", "TO_CNSCD": "maybe",
                             "TO_CNSCD_THANH_VIEN": "501", "TY_LE": "100,5"})  # fmt: skip
    found = {(p.field, p.code) for p in exc.value.problems}
    assert found == {("HSCV_TOTAL", "value.integer"), ("HSCV_ONLINE", "value.range"), ("TO_CNSCD", "value.boolean"),
                     ("TO_CNSCD_THANH_VIEN", "value.range"), ("TY_LE", "value.range")}  # fmt: skip
    assert all(p.message_vi and p.message_en for p in exc.value.problems)
    assert submission_values(sub)["HSCV_TOTAL"] == 120  # the earlier draft is intact


def test_vietnamese_notation_is_read(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User]
) -> None:
    sub = filled(form, province["24820"], users, {**GOOD, "HSCV_TOTAL": "1.234", "HSCV_ONLINE": "1 200",
                                                   "TY_LE": "87,5"})  # fmt: skip
    values = submission_values(sub)
    assert (values["HSCV_TOTAL"], values["HSCV_ONLINE"], values["TY_LE"], values["TO_CNSCD"]) == (
        1234,
        1200,
        87.5,
        1,
    )


def test_validation_rule_outcomes(form: ReportForm) -> None:
    def outcome(values: dict[str, float | None]) -> dict[str, bool | None]:
        return {r.rule.code: r.passed for r in rules_check(form, values)}

    assert outcome({"HSCV_TOTAL": 100, "HSCV_ONLINE": 90, "TO_CNSCD": 1, "TO_CNSCD_THANH_VIEN": 5}) == {
        "online_le_total": True, "team_has_members": True, "members_need_team": True}  # fmt: skip
    assert outcome({"HSCV_TOTAL": 100, "HSCV_ONLINE": 101, "TO_CNSCD": 1, "TO_CNSCD_THANH_VIEN": 2}) == {
        "online_le_total": False, "team_has_members": False, "members_need_team": True}  # fmt: skip
    # skip_if_any_missing: a missing side skips the rule; never_skip counts a missing value as 0.
    assert outcome({"HSCV_TOTAL": None, "HSCV_ONLINE": 5, "TO_CNSCD": None, "TO_CNSCD_THANH_VIEN": 4}) == {
        "online_le_total": None, "team_has_members": None, "members_need_team": False}  # fmt: skip
    assert outcome({"HSCV_TOTAL": 10, "HSCV_ONLINE": 10, "TO_CNSCD": 0, "TO_CNSCD_THANH_VIEN": 0}) == {
        "online_le_total": True, "team_has_members": True, "members_need_team": True}  # fmt: skip


def test_a_failing_rule_warns_on_save_and_blocks_submit(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User]
) -> None:
    sub = submission_open(actor=Actor.of(users["officer"]), form=form, unit=province["24820"], period_key=SEPT,
                          today=IN_SEPT)  # fmt: skip
    results = submission_save(actor=Actor.of(users["officer"]), submission=sub, today=IN_SEPT,
                              raw={**GOOD, "HSCV_ONLINE": "130"})  # fmt: skip
    assert [r.rule.code for r in results if r.failed] == ["online_le_total"]
    with pytest.raises(UserError) as exc:
        submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT)
    assert exc.value.code == "report.not_ready"
    assert [p.field for p in exc.value.problems] == ["online_le_total"]
    assert exc.value.problems[0].message_vi == "Hồ sơ xử lý trên mạng không được lớn hơn tổng số."
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT


def test_required_values_block_submit(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User]
) -> None:
    sub = filled(form, province["24820"], users, {"HSCV_TOTAL": "10"})
    with pytest.raises(UserError) as exc:
        submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT)
    # DVC_TIEP_NHAN comes from the records (0 dossiers is a known figure), TY_LE is optional.
    assert sorted(p.field for p in exc.value.problems if p.code == "report.required") == [
        "HSCV_ONLINE", "TO_CNSCD", "TO_CNSCD_THANH_VIEN"]  # fmt: skip


def test_officer_saves_manager_submits_level_above_accepts_into_the_lake(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User], lake_dir: Path
) -> None:
    sub = filled(form, province["24820"], users)
    with pytest.raises(PermissionDenied):  # an officer may enter, not send
        submission_submit(actor=Actor.of(users["officer"]), submission=sub, today=IN_SEPT)
    submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT, now=ON_TIME)
    for who in ("manager", "other"):  # the unit itself, or a sibling, cannot accept
        with pytest.raises(PermissionDenied):
            submission_accept(actor=Actor.of(users[who]), submission=sub)
    batch = submission_accept(actor=Actor.of(users["province"]), submission=sub)
    assert sub.status == SubmissionStatus.ACCEPTED and batch is not None and sub.accepted_batch == batch
    con = Lake(lake_dir).duckdb_connection()
    Lake(lake_dir).register_views(con)
    stored = dict(con.execute("SELECT data_element, value FROM data_values WHERE unit_code = '24820' "
                              "AND period = '2025M09'").fetchall())  # fmt: skip
    assert stored == {"DVC_TIEP_NHAN": 0.0, "HSCV_TOTAL": 120.0, "HSCV_ONLINE": 90.0, "TO_CNSCD": 1.0,
                      "TO_CNSCD_THANH_VIEN": 7.0}  # fmt: skip
    # Indicators read the accepted figures: 90 / 120 work records online.
    value = indicator_value_lookup(code="hscv.online_share", unit_code="68", period_key=SEPT)
    assert (value["numerator"], value["denominator"]) == (90, 120)
    # Accepted means locked.
    with pytest.raises(UserError) as exc:
        submission_save(actor=Actor.of(users["officer"]), submission=sub, raw=GOOD, today=IN_SEPT)
    assert exc.value.code == "report.accepted"
    actions = list(AuditEntry.objects.filter(object_type="reporting.submission", object_id=str(sub.pk))
                   .order_by("id").values_list("action", "actor_label"))  # fmt: skip
    assert actions == [("report.open", "officer-24820"), ("report.save", "officer-24820"),
                       ("report.submit", "manager-24820"), ("report.accept", "manager-68")]  # fmt: skip


def test_return_needs_a_comment_and_reopens_the_report(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User]
) -> None:
    sub = filled(form, province["24820"], users)
    submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT, now=ON_TIME)
    with pytest.raises(UserError) as exc:
        submission_return(actor=Actor.of(users["province"]), submission=sub, comment="  ", today=IN_SEPT)
    assert exc.value.code == "report.comment_required"
    submission_return(actor=Actor.of(users["province"]), submission=sub, comment="Kiểm tra lại số hồ sơ.",
                      today=IN_SEPT)  # fmt: skip
    assert (sub.status, sub.comment) == (SubmissionStatus.RETURNED, "Kiểm tra lại số hồ sơ.")
    submission_save(
        actor=Actor.of(users["officer"]), submission=sub, raw={"HSCV_ONLINE": "95"}, today=IN_SEPT
    )
    submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT, now=ON_TIME)
    assert sub.status == SubmissionStatus.SUBMITTED
    entry = AuditEntry.objects.get(action="report.return", object_id=str(sub.pk))
    assert entry.note == "Kiểm tra lại số hồ sơ." and entry.before["status"] == "submitted"


def test_after_the_lock_edits_need_a_reopen_which_is_audited(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User], lake_dir: Path
) -> None:
    sub = filled(form, province["24820"], users)
    after_lock = date(2025, 10, 18)
    with pytest.raises(UserError) as exc:
        submission_save(actor=Actor.of(users["officer"]), submission=sub, raw=GOOD, today=after_lock)
    assert exc.value.code == "report.locked" and "17/10/2025" in exc.value.message_vi
    with pytest.raises(PermissionDenied):
        submission_reopen(actor=Actor.of(users["manager"]), submission=sub, reason="xin mở", today=after_lock)
    submission_reopen(actor=Actor.of(users["province"]), submission=sub, reason="Đơn vị xin gia hạn.",
                      today=after_lock)  # fmt: skip
    assert sub.reopened_until == date(2025, 10, 25)
    submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=after_lock, now=LATE)
    submission_accept(actor=Actor.of(users["province"]), submission=sub)
    # Reopening an accepted report: audited with its reason, the unit may edit again.
    submission_reopen(actor=Actor.of(users["province"]), submission=sub, reason="Sai số thành viên tổ.",
                      today=IN_SEPT)  # fmt: skip
    assert sub.status == SubmissionStatus.RETURNED
    entry = AuditEntry.objects.filter(action="report.reopen", object_id=str(sub.pk)).latest("id")
    assert (entry.before["status"], entry.after["status"], entry.note) == ("accepted", "returned",
                                                                          "Sai số thành viên tổ.")  # fmt: skip
    submission_save(actor=Actor.of(users["officer"]), submission=sub, raw={"TO_CNSCD_THANH_VIEN": "9"},
                    today=IN_SEPT)  # fmt: skip
    assert submission_values(sub)["TO_CNSCD_THANH_VIEN"] == 9


def test_an_element_emptied_after_acceptance_is_withdrawn_from_the_lake_and_no_other_source_is_touched(
    form: ReportForm, province: dict[str, OrgUnit], users: dict[str, User], motcua: Source, lake_dir: Path
) -> None:
    province_user, manager = Actor.of(users["province"]), Actor.of(users["manager"])

    def stored() -> dict[str, tuple[float | None, str]]:
        lake = Lake(lake_dir)
        con = lake.duckdb_connection()
        lake.register_views(con)
        rows = con.execute("SELECT data_element, value, source FROM data_values WHERE unit_code = '24820' "
                           "AND period = '2025M09'").fetchall()  # fmt: skip
        return {r[0]: (r[1], r[2]) for r in rows}

    def send_and_accept(sub: Submission, raw: dict[str, str]) -> None:
        submission_save(actor=Actor.of(users["officer"]), submission=sub, raw=raw, today=IN_SEPT)
        submission_submit(actor=manager, submission=sub, today=IN_SEPT, now=ON_TIME)
        submission_accept(actor=province_user, submission=sub)

    # Another system already sent the optional self-assessment; the report leaves it empty.
    row = {"data_element": "TY_LE", "unit_code": "24820", "period": SEPT, "value": "55"}
    batch_ingest(actor=Actor.system("test"), source=motcua, table="data_values", records=[(2, row)])
    sub = filled(form, province["24820"], users)
    submission_submit(actor=manager, submission=sub, today=IN_SEPT, now=ON_TIME)
    submission_accept(actor=province_user, submission=sub)
    assert stored()["TY_LE"] == (55.0, motcua.code)  # not the report's: left alone

    submission_reopen(actor=province_user, submission=sub, reason="Bổ sung tỷ lệ.", today=IN_SEPT)
    send_and_accept(sub, {"TY_LE": "80"})
    assert stored()["TY_LE"] == (80.0, "bao-cao-dinh-ky")

    submission_reopen(actor=province_user, submission=sub, reason="Rút tỷ lệ tự đánh giá.", today=IN_SEPT)
    send_and_accept(sub, {"TY_LE": ""})
    after = stored()
    assert after["TY_LE"] == (None, "bao-cao-dinh-ky")  # withdrawn, not kept at 80
    assert after["HSCV_TOTAL"] == (120.0, "bao-cao-dinh-ky") and after["TO_CNSCD_THANH_VIEN"][0] == 7.0


def test_completeness_counts_and_indicator(
    form: ReportForm,
    province: dict[str, OrgUnit],
    users: dict[str, User],
    make_user: Callable[[str, str], User],
) -> None:
    # Expected: the two communes and the ward. 24820 on time and accepted, 25270 late, 24781 missing.
    sub = filled(form, province["24820"], users)
    submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT, now=ON_TIME)
    submission_accept(actor=Actor.of(users["province"]), submission=sub)
    officer = make_user("officer", "25270")
    late = submission_open(
        actor=Actor.of(officer), form=form, unit=province["25270"], period_key=SEPT, today=IN_SEPT
    )
    submission_save(actor=Actor.of(officer), submission=late, raw=GOOD, today=IN_SEPT)
    submission_submit(actor=Actor.of(users["other"]), submission=late, today=date(2025, 10, 9), now=LATE)
    c = completeness(form, parse_period(SEPT))
    assert (c.expected, c.submitted, c.on_time, c.late, c.missing, c.accepted) == (3, 2, 1, 1, 1, 1)
    assert {r.unit.code: r.state for r in c.rows} == {
        "24781": "missing",
        "24820": "accepted",
        "25270": "submitted",
    }
    completeness_publish(regime="month", period_key=SEPT)
    share = indicator_value_lookup(code="bc.completeness_share", unit_code="68", period_key=SEPT)
    on_time = indicator_value_lookup(code="bc.on_time_share", unit_code="68", period_key=SEPT)
    assert (share["numerator"], share["denominator"]) == (2, 3)
    assert (on_time["numerator"], on_time["denominator"]) == (1, 3)
    # The running month owes nothing yet: no figure rather than a false 0%.
    assert (
        completeness_publish(regime="month", period_key=period_of("month", timezone.localdate()).key) is None
    )
    # The IOC's e-documents sector shows the stored figure (2 / 3 = 66,7%).
    client = Client()
    client.force_login(users["province"])
    page = client.get(f"/linh-vuc/van-ban-dien-tu/?regime=month&period={SEPT}&unit=68").content.decode()
    assert "Tỷ lệ báo cáo định kỳ đã gửi" in page and "66,7" in page
    # The period's page lists the units, and its filters keep only those asked for.
    listed = client.get(f"/bao-cao/{form.code}/{SEPT}/").content.decode()
    assert all(f"<code>{code}</code>" in listed for code in ("24781", "24820", "25270"))
    for state, only in [("missing", "24781"), ("late", "25270"), ("submitted", "25270")]:
        page = client.get(f"/bao-cao/{form.code}/{SEPT}/?state={state}").content.decode()
        assert [code for code in ("24781", "24820", "25270") if f"<code>{code}</code>" in page] == [only], (
            state
        )


def test_reminders_before_and_after_the_deadline_once_each(
    form: ReportForm,
    province: dict[str, OrgUnit],
    users: dict[str, User],
    make_user: Callable[[str, str], User],
) -> None:
    for user in User.objects.all():
        user.email = f"{user.username}@lamdong.gov.vn"
        user.save()
    sub = filled(form, province["24820"], users)
    submission_submit(actor=Actor.of(users["manager"]), submission=sub, today=IN_SEPT, now=ON_TIME)
    before = reminders_send(today=date(2025, 10, 6))  # deadline 7/10, reminders from 4/10
    # 24820 has submitted; 25270 has a manager with an e-mail; 24781 has nobody to write to.
    assert (before.sent, before.without_recipients) == (1, ["24781"])
    assert mail.outbox[-1].to == ["manager-25270@lamdong.gov.vn"]
    assert "07/10/2025" in mail.outbox[-1].subject
    assert reminders_send(today=date(2025, 10, 7)).sent == 0  # once per period and kind
    after = reminders_send(today=date(2025, 10, 8))
    # After the deadline the managers of the level above are told too, so the ward is covered.
    assert after.sent == 2
    assert {tuple(sorted(m.to)) for m in mail.outbox[-2:]} == {
        ("manager-25270@lamdong.gov.vn", "manager-68@lamdong.gov.vn"),
        ("manager-68@lamdong.gov.vn",),
    }
    assert reminders_send(today=date(2025, 10, 9)).sent == 0
    assert AuditEntry.objects.filter(action="report.remind").count() == 3
