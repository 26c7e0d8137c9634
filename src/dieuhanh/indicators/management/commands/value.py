"""`dieuhanh value INDICATOR --unit CODE --period KEY [--as-of WHEN] [--json]`: one figure, stored or
computed now; with `--as-of`, computed from the lake as it stood then ("what did we know on 1 March?").

`--as-of 2026-03-01` is the end of that day in Vietnam (everything stored by 23:59:59 that day);
a time may be given, `2026-03-01T10:30` (Vietnam time) or with an offset `2026-03-01T03:30Z`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.core.errors import UserError
from dieuhanh.indicators.selectors import indicator_value_lookup


class Command(DieuhanhCommand):
    help = "Một số liệu / one figure: numerator, denominator, value, target, status, rank."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("indicator", help="indicator code, e.g. dvc.online_share")
        parser.add_argument("--unit", required=True, help="unit code, e.g. 68")
        parser.add_argument("--period", required=True, help="period key: 2025, 2025Q3, 2025M07, R09-2025M07…")
        parser.add_argument(
            "--as-of", help="compute from the lake as it stood then: YYYY-MM-DD (end of that day) or ISO time"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="language of the text output")

    def handle(self, *args: Any, **opts: Any) -> None:
        as_of = parse_as_of(opts["as_of"]) if opts["as_of"] else None
        out = indicator_value_lookup(
            code=opts["indicator"], unit_code=opts["unit"], period_key=opts["period"], as_of=as_of
        )
        if opts["json"]:
            self.emit_json(out)
            return
        lang = opts["lang"]
        line = f"{out['name'][lang]} — {out['unit']} — {out['period']}: {out['display'][lang]}"
        if as_of is not None:
            line += {"vi": " (theo dữ liệu lúc ", "en": " (as known at "}[lang]
            line += f"{as_of.astimezone(LOCAL):%d/%m/%Y %H:%M:%S})"
        if out["denominator"] is not None:
            line += f" ({out['numerator']} / {out['denominator']})"
        self.stdout.write(line)
        if out["reason_text"]:
            self.stdout.write(f"  {out['reason_text'][lang]}")
        if out["target"] is not None:
            label = {"vi": "Chỉ tiêu", "en": "Target"}[lang]
            self.stdout.write(f"  {label}: {out['target']} ({out['target_source']}) → {out['status']}")
        if out["rank"] is not None:
            label = {"vi": "Xếp hạng", "en": "Rank"}[lang]
            self.stdout.write(f"  {label}: {out['rank']}/{out['rank_of']}")


LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def parse_as_of(text: str) -> datetime:
    """A date (the end of that day in Vietnam) or an ISO time (Vietnam time when no offset is given)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(0), LOCAL) - timedelta(microseconds=1)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            "value.bad_as_of",
            f"--as-of {text!r} không hợp lệ: dùng YYYY-MM-DD hoặc thời điểm ISO (2026-03-01T10:30).",
            f"--as-of {text!r} is invalid: use YYYY-MM-DD or an ISO time (2026-03-01T10:30).",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL)
