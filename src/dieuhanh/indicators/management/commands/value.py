"""`dieuhanh value INDICATOR --unit CODE --period KEY [--json]`: one figure, stored or computed now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from dieuhanh.core.commands import DieuhanhCommand
from dieuhanh.indicators.selectors import indicator_value_lookup


class Command(DieuhanhCommand):
    help = "Một số liệu / one figure: numerator, denominator, value, target, status, rank."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("indicator", help="indicator code, e.g. dvc.online_share")
        parser.add_argument("--unit", required=True, help="unit code, e.g. 68")
        parser.add_argument("--period", required=True, help="period key: 2025, 2025Q3, 2025M07, R09-2025M07…")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="language of the text output")

    def handle(self, *args: Any, **opts: Any) -> None:
        out = indicator_value_lookup(
            code=opts["indicator"], unit_code=opts["unit"], period_key=opts["period"]
        )
        if opts["json"]:
            self.emit_json(out)
            return
        lang = opts["lang"]
        line = f"{out['name'][lang]} — {out['unit']} — {out['period']}: {out['display'][lang]}"
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
