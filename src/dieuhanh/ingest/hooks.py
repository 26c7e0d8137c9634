"""Extension points of the ingest path, registered by other apps in their ``AppConfig.ready``.

The ingest app imports no other app: the environment app plugs its station registry into the
validation of observations and its VN_AQI derivation after an observations batch through these.

* ``register_checks(table, factory)``: ``factory(channel)`` is called once per batch (it may load a
  registry) and returns a `RowChecks`: ``fill`` may complete the text columns of a chunk before
  they are read (e.g. a station's unit when a row leaves it empty), ``check`` returns problems
  for rows whose every value was read (quarantined with their reasons like any other rule).
* ``register_record_filler(table, fn)``: ``fn(records)`` completes pushed records (dicts, MQTT
  and API) before their headers are checked, e.g. adds a missing ``unit_code``.
* ``register_after_batch(table, fn)``: ``fn(batch)`` runs after a batch of that table is stored
  (``batch_ingest`` calls it, whatever the channel). It must never raise; errors are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from dieuhanh.ingest.models import IngestBatch

log = logging.getLogger(__name__)

#: (position in the chunk, rule order, code, field, message_vi, message_en)
Found = tuple[int, int, str, str, str, str]


class RowChecks(Protocol):
    def fill(self, sent: dict[str, Any], n: int) -> None:
        """Complete the text columns ``sent`` (name → Arrow string array or None) of a chunk of ``n`` rows."""

    def check(self, typed: dict[str, Any], where: Callable[[Any], list[int]], order: int) -> list[Found]:
        """Problems of rows; ``where(condition)`` gives the positions of readable rows where it holds."""


_CHECKS: dict[str, list[Callable[[str], RowChecks]]] = {}
_FILLERS: dict[str, list[Callable[[list[dict[str, Any]]], list[dict[str, Any]]]]] = {}
_AFTER: dict[str, list[Callable[[IngestBatch], None]]] = {}


def register_checks(table: str, factory: Callable[[str], RowChecks]) -> None:
    if factory not in _CHECKS.setdefault(table, []):
        _CHECKS[table].append(factory)


def register_record_filler(table: str, fn: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    if fn not in _FILLERS.setdefault(table, []):
        _FILLERS[table].append(fn)


def register_after_batch(table: str, fn: Callable[[IngestBatch], None]) -> None:
    if fn not in _AFTER.setdefault(table, []):
        _AFTER[table].append(fn)


def checks_for(table: str, *, channel: str = "") -> list[RowChecks]:
    return [factory(channel) for factory in _CHECKS.get(table, [])]


def fill_records(table: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for fn in _FILLERS.get(table, []):
        items = fn(items)
    return items


def after_batch(batch: IngestBatch) -> None:
    for fn in _AFTER.get(batch.table, []):
        try:
            fn(batch)
        except Exception:
            log.exception("after-batch hook %s failed for batch %s", getattr(fn, "__name__", fn), batch.pk)
