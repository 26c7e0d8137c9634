"""Rendered dashboard content, cached until the data changes.

A page's figures change only when something is written: every write goes through a service that
writes an audit row, and every computation records a compute run. So the pair (latest audit
entry, latest compute run) plus the local date (overdue tasks change at midnight) is the data
version: content cached under it is exact, and a page costs two indexed MAX queries when
nothing changed. Only the content is cached; the page shell (menu, forms with their CSRF token)
is rendered for each request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from dieuhanh.audit.models import AuditEntry
from dieuhanh.indicators.models import ComputeRun

TTL = 3600


def data_version() -> str:
    audit = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
    run = ComputeRun.objects.aggregate(m=Max("id"), f=Max("finished_at"))
    finished = run["f"].timestamp() if run["f"] else 0
    return f"{audit}.{run['m'] or 0}.{finished}.{timezone.localdate():%Y%m%d}"


def cached_html(parts: list[str], build: Callable[[], str]) -> str:
    key = "dh-page:" + hashlib.sha256("|".join([data_version(), *parts]).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, TTL)
    return str(html)
