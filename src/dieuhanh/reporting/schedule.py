"""When a report is due and when it locks (pure functions of the form's rule and the period).

Deadline rules (a form holds one):

* ``working_days`` N — the N-th working day (Monday–Friday) after the period's last day, the
  "cut-off + N working days" rule provinces set for their own regimes (e.g. Khánh Hòa: 2);
* ``day_of_last_month`` D — day D of the period's last month, Decree 09/2019/NĐ-CP Art. 13's
  "no later than the 25th of the last month of the period" for reports to the Government.

No holiday calendar is applied (none is published as data); the lock date is the deadline plus
``lock_after_days`` calendar days. After it, edits need the level above to reopen.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from dieuhanh.core.periods import Period


def working_days_after(day: date, n: int) -> date:
    """The n-th working day (Mon–Fri) strictly after `day`; n = 0 gives `day` itself."""
    d = day
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def deadline_of(kind: str, value: int, period: Period) -> date:
    last_day = period.end - timedelta(days=1)
    if kind == "working_days":
        return working_days_after(last_day, value)
    if kind == "day_of_last_month":
        return last_day.replace(day=min(value, monthrange(last_day.year, last_day.month)[1]))
    raise ValueError(f"unknown deadline rule {kind!r}")


def lock_of(deadline: date, lock_after_days: int) -> date:
    """The last day edits are allowed without a reopen."""
    return deadline + timedelta(days=lock_after_days)
