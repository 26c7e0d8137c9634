"""Demo data of steering for Lâm Đồng (GSO 68): the tasks that close the seed articles, assigned to
today's units, with progress reports (some on time, some late, some missing) and extensions.

What the seeds say, and what is illustrative:
- Seed 000 (meeting of the provincial steering committee, 18/9/2023): approve the security level
  of 100% of information systems before 30/11/2023; hand over the provincial portal and the
  document axis; open the provincial IOC on 06/10/2023; localities without an IOC register their
  build timeline with the Department (Lâm Hà, Đơn Dương, Di Linh — whose timelines the registry's
  demo registers, on the dates it gives) and complete it on schedule.
- Seed 002 (conference of 26/01/2024; the article is about Đắk Lắk, its tasks are applied here to
  Lâm Đồng's departments as an illustration): each department issues its 2024 plan before
  16/2/2024; online public services and information security are followed up every period.
- Seed 004 (9/5/2024, the Prime Minister at the national committee's 8th meeting): reorganise the
  steering committee before 10/5/2024; review information security; remove mobile dead zones.
The directives' numbers start with "DEMO-": the seeds give none. Departments of 2023 map to
today's (Sở TT&TT → Sở KH&CN). Reports, their dates and the extensions are illustrative.
Safe to run again: existing directives and tasks are kept; reports are only added to occurrences
that have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from dieuhanh.audit.services import Actor
from dieuhanh.core.periods import TZ
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.steering.models import Directive, Occurrence, Task
from dieuhanh.steering.services import (
    TaskSpec,
    directive_create,
    extension_decide,
    extension_request,
    progress_report,
    task_create,
    task_occurrences_sync,
)

PROVINCE = "68"
D = date


@dataclass
class DemoTask:
    number: str
    content: str
    lead: str
    supporting: tuple[str, ...] = ()
    due_on: date | None = None
    recurrence: str = "once"
    product: str = ""
    target: tuple[str, Decimal] | None = None
    # What happened: "done" on a day, or "extended" (asked, decided, new deadline) before that.
    done_on: date | None = None
    progress: tuple[date, int, str] | None = None  # a report short of 100%
    extension: tuple[date, date, str, bool] | None = None  # asked on, until, reason, approved


@dataclass
class DemoDirective:
    number: str
    issued_on: date
    summary: str
    tasks: list[DemoTask] = field(default_factory=list)


DEPARTMENTS_2024 = ["68-SNV", "68-STC", "68-SYT", "68-SGDDT", "68-SNNMT", "68-SXD", "68-SCT", "68-SVHTTDL"]
# Day each department issued its 2024 plan (None: never reported, so still overdue).
PLANS_2024 = [D(2024, 2, 5), D(2024, 2, 15), D(2024, 2, 16), D(2024, 2, 26), D(2024, 2, 8), None,
              D(2024, 3, 4), D(2024, 2, 14)]  # fmt: skip

DIRECTIVES = [
    DemoDirective("DEMO-01/TB-BCĐ", D(2023, 9, 18),
        "Kết luận cuộc họp thường trực Ban Chỉ đạo chuyển đổi số tỉnh ngày 18/9/2023 (bài 000).", [
        DemoTask("1", "Rà soát, đôn đốc các đơn vị chủ quản hoàn thiện hồ sơ, tổ chức thẩm định và đề xuất "
                 "UBND tỉnh phê duyệt cấp độ an toàn thông tin; hoàn thành phê duyệt cấp độ an toàn đối với "
                 "100% hệ thống thông tin của tỉnh.", "68-SKHCN", ("68-VPUB",), D(2023, 11, 30),
                 product="Quyết định phê duyệt cấp độ của các hệ thống",
                 target=("registry.approved_share", Decimal(100)), done_on=D(2023, 12, 15),
                 progress=(D(2023, 11, 10), 70, "Đã thẩm định 9/12 hồ sơ đề xuất cấp độ.")),
        DemoTask("2", "Phối hợp với Văn phòng UBND tỉnh hoàn thiện bàn giao nhiệm vụ quản lý Cổng Thông tin "
                 "điện tử tỉnh và Trục liên thông văn bản điện tử.", "68-SKHCN", ("68-VPUB",), D(2023, 10, 31),
                 product="Biên bản bàn giao", done_on=D(2023, 10, 27)),
        DemoTask("3", "Hoàn thiện trung tâm điều hành thông minh (IOC) cấp tỉnh, khai trương ngày 06/10/2023.",
                 "68-SKHCN", ("68-VPUB",), D(2023, 10, 6), product="IOC tỉnh đi vào hoạt động",
                 done_on=D(2023, 10, 5)),
        DemoTask("4.1", "Đăng ký tiến độ xây dựng trung tâm IOC theo các mốc thời gian cụ thể, gửi Sở Thông "
                 "tin và Truyền thông (nay Sở Khoa học và Công nghệ) để tổng hợp, theo dõi (địa bàn Lâm Hà cũ).",
                 "24871", ("68-SKHCN",), D(2023, 11, 15), product="Tiến độ đăng ký (mốc tiến độ)",
                 done_on=D(2023, 11, 1)),
        DemoTask("4.2", "Đăng ký tiến độ xây dựng trung tâm IOC theo các mốc thời gian cụ thể (địa bàn Đơn "
                 "Dương cũ).", "24931", ("68-SKHCN",), D(2023, 11, 15), product="Tiến độ đăng ký (mốc tiến độ)",
                 done_on=D(2023, 11, 1)),
        DemoTask("4.3", "Đăng ký tiến độ xây dựng trung tâm IOC theo các mốc thời gian cụ thể (địa bàn Di Linh "
                 "cũ).", "25000", ("68-SKHCN",), D(2023, 11, 15), product="Tiến độ đăng ký (mốc tiến độ)",
                 extension=(D(2023, 11, 10), D(2026, 6, 30), "Chờ sắp xếp đơn vị hành chính cấp xã.", True),
                 done_on=D(2026, 6, 1)),
        DemoTask("5", "Hoàn thành trung tâm điều hành thông minh (IOC) theo tiến độ đã đăng ký (Di Linh).",
                 "25000", ("68-SKHCN",), D(2027, 3, 31), product="IOC đi vào vận hành",
                 progress=(D(2026, 9, 10), 40, "Xong lựa chọn nhà thầu; đang lắp đặt hạ tầng.")),
    ]),
    DemoDirective("DEMO-02/KH-BCĐ", D(2024, 1, 26),
        "Triển khai nhiệm vụ chuyển đổi số năm 2024 (bài 002, hội nghị 26/01/2024; nội dung áp dụng minh họa "
        "cho các sở của Lâm Đồng).", [
        *(DemoTask(f"1.{i}", "Ban hành kế hoạch hoạt động của Ban Chỉ đạo chuyển đổi số năm 2024 của đơn vị, "
                   "chủ đề “Phát triển kinh tế số với 4 trụ cột công nghiệp CNTT, số hóa các ngành kinh tế, "
                   "quản trị số, dữ liệu số”.", code, ("68-SKHCN",), D(2024, 2, 16),
                   product="Kế hoạch năm 2024 của đơn vị", done_on=done)
          for i, (code, done) in enumerate(zip(DEPARTMENTS_2024, PLANS_2024, strict=True), start=1)),
        DemoTask("2", "Nâng cao hiệu quả dịch vụ công trực tuyến, nhất là 53 dịch vụ công thiết yếu; báo cáo tỷ "
                 "lệ hồ sơ trực tuyến, số hóa hồ sơ và tái sử dụng dữ liệu theo kỳ báo cáo.", "68-VPUB",
                 ("68-SKHCN",), recurrence="r09_quarter", product="Báo cáo quý",
                 target=("dvc.online_share", Decimal(50))),
        DemoTask("3", "Bảo đảm an toàn thông tin, an ninh mạng; khắc phục lỗ hổng bảo mật, báo cáo tình hình "
                 "hằng tháng.", "68-SKHCN", (), recurrence="r09_month", product="Báo cáo tháng"),
    ]),
    DemoDirective("DEMO-03/UBND-CĐS", D(2024, 5, 3),
        "Triển khai chỉ đạo của Thủ tướng tại Phiên họp thứ 8 Ủy ban Quốc gia về chuyển đổi số (bài 004).", [
        DemoTask("1", "Tham mưu kiện toàn Ban Chỉ đạo chuyển đổi số tỉnh, bảo đảm hoạt động mạnh mẽ, thực chất.",
                 "68-SNV", ("68-SKHCN",), D(2024, 5, 10), product="Quyết định kiện toàn Ban Chỉ đạo",
                 extension=(D(2024, 5, 8), D(2024, 5, 31), "Chờ ý kiến Ban Thường vụ Tỉnh ủy về nhân sự.", True),
                 done_on=D(2024, 5, 28)),
        DemoTask("2", "Tổng rà soát, đánh giá tình hình bảo đảm an toàn thông tin mạng, an ninh mạng đối với các "
                 "hệ thống thông tin trong phạm vi quản lý.", "68-SKHCN", ("68-VPUB",), D(2024, 6, 30),
                 product="Báo cáo rà soát", done_on=D(2024, 6, 25)),
        DemoTask("3", "Phối hợp với doanh nghiệp viễn thông, điện lực xóa bỏ các vùng lõm sóng di động tại các "
                 "thôn đã có điện lưới quốc gia.", "68-SKHCN", ("68-SCT",), D(2024, 12, 31),
                 product="Danh sách thôn đã có sóng",
                 extension=(D(2024, 12, 20), D(2026, 12, 31), "Doanh nghiệp chưa bố trí đủ trạm BTS.", True),
                 progress=(D(2026, 10, 15), 80, "Đã phủ sóng 41/52 thôn.")),
        DemoTask("4", "Rà soát, cập nhật danh mục dịch vụ công trực tuyến toàn trình trên Cổng Dịch vụ công.",
                 "68-VPUB", ("68-SKHCN",), D(2024, 7, 31), product="Danh mục được công bố",
                 extension=(D(2024, 7, 29), D(2024, 9, 30), "Chờ bộ, ngành công bố thủ tục.", False)),
    ]),
]  # fmt: skip


@dataclass
class DemoResult:
    created: int = 0
    unchanged: int = 0
    reports: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": 0, "unchanged": self.unchanged, "reports": self.reports}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def _spec(t: DemoTask, units: dict[str, OrgUnit]) -> TaskSpec:
    return TaskSpec(
        content=t.content, lead=units[t.lead], supporting=tuple(units[c] for c in t.supporting), number=t.number,
        recurrence=t.recurrence, due_on=t.due_on, expected_product=t.product,
        target_indicator=t.target[0] if t.target else "", target_value=t.target[1] if t.target else None,
    )  # fmt: skip


def _history(actor: Actor, t: DemoTask, occ: Occurrence, today: date) -> int:
    """The reports and extension of a one-off task, added once."""
    if occ.reports.exists() or occ.extensions.exists():
        return 0
    written = 0
    if t.progress and t.progress[0] <= today:
        progress_report(
            actor=actor, occurrence=occ, text=t.progress[2], percent=t.progress[1], at=_at(t.progress[0])
        )
        written += 1
    if t.extension and t.extension[0] <= today:
        asked, until, reason, approved = t.extension
        ext = extension_request(actor=actor, occurrence=occ, until=until, reason=reason, at=_at(asked))
        note = "Đồng ý gia hạn." if approved else "Không gia hạn: đề nghị hoàn thành đúng hạn."
        extension_decide(
            actor=actor, extension=ext, approve=approved, note=note, at=_at(asked + timedelta(days=2))
        )
        occ.refresh_from_db()
        written += 1
    if t.done_on and t.done_on <= today:
        progress_report(actor=actor, occurrence=occ, text="Đã hoàn thành: " + (t.product or "nhiệm vụ") + ".",
                        percent=100, at=_at(t.done_on, 16))  # fmt: skip
        written += 1
    return written


def _recurring(actor: Actor, task: Task, today: date) -> int:
    """Reports of the periods: on time mostly, late every fifth, missing every seventh, the current one
    in progress."""
    written = 0
    for i, occ in enumerate(task.occurrences.order_by("due_on"), start=1):
        if occ.reports.exists():
            continue
        if occ.deadline >= today:  # the current period
            if occ.deadline - timedelta(days=20) <= today:
                progress_report(actor=actor, occurrence=occ, text="Đang tổng hợp số liệu kỳ báo cáo.", percent=50,
                                at=_at(today - timedelta(days=1)))  # fmt: skip
                written += 1
            continue
        if i % 7 == 0:
            continue  # never reported: overdue
        day = occ.deadline + timedelta(days=4) if i % 5 == 0 else occ.deadline - timedelta(days=3)
        if day >= today:
            continue
        progress_report(actor=actor, occurrence=occ, text=f"Đã gửi báo cáo kỳ {occ.period_key}.", percent=100,
                        at=_at(day))  # fmt: skip
        written += 1
    return written


def steering_demo(actor: Actor, today: date | None = None) -> DemoResult:
    """Build (or leave as it is) the steering demo. Needs the units and departments of province 68."""
    today = today or timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.all()}
    result = DemoResult()
    for d in DIRECTIVES:
        directive = Directive.objects.filter(issuer=units[PROVINCE], number=d.number).first()
        if directive is None:
            directive = directive_create(actor=actor, number=d.number, issued_on=d.issued_on,
                                         issuer=units[PROVINCE], summary=d.summary)  # fmt: skip
        existing = {t.number: t for t in directive.tasks.all()}
        for position, t in enumerate(d.tasks, start=1):
            task = existing.get(t.number)
            if task is None:
                task = task_create(actor=actor, directive=directive, spec=_spec(t, units), today=today,
                                   position=position)  # fmt: skip
                result.created += 1
            else:
                result.unchanged += 1
            if task.is_recurring:
                task_occurrences_sync(actor=actor, today=today, tasks=[task])
                result.reports += _recurring(actor, task, today)
            else:
                result.reports += _history(actor, t, task.occurrences.get(), today)
    return result
