"""Extension points of the ingest path, registered by other apps in their ``AppConfig.ready``.

The ingest app imports no other app: the environment app plugs its station registry into the
validation of observations and its VN_AQI derivation after an observations batch through these.

* ``register_checks(table, factory)``: ``factory(channel)`` is called once per batch (it may load a
  registry) and returns a `RowChecks`: ``fill`` may complete the text columns of a chunk before
  they are read (e.g. a station's unit when a row leaves it empty), ``check`` returns problems
  for rows whose every value was read (quarantined with their reasons like any other rule).
* ``register_record_filler(table, fn)``: ``fn(records)`` completes pushed records (dicts, MQTT
  and API) before their headers are checked, e.g. adds a missing ``unit_code``.
* ``register_after_batch(table, fn)``: ``fn(stored)`` runs after batches of that table are stored,
  with a list of `Stored` (each batch and its accepted rows, so a hook never has to find them in
  the lake again). ``batch_ingest`` calls it with its one batch, whatever the channel; the MQTT
  subscriber calls it on its own thread with every batch stored since the last call, so that a
  fast feed is not slowed by the work the hooks do. Errors are logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

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


class Stored(NamedTuple):
    batch: IngestBatch
    rows: pa.Table  # the batch's accepted rows, with the lake's columns


_AFTER: dict[str, list[Callable[[list[Stored]], None]]] = {}


def register_checks(table: str, factory: Callable[[str], RowChecks]) -> None:
    if factory not in _CHECKS.setdefault(table, []):
        _CHECKS[table].append(factory)


def register_record_filler(table: str, fn: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    if fn not in _FILLERS.setdefault(table, []):
        _FILLERS[table].append(fn)


def register_after_batch(table: str, fn: Callable[[list[Stored]], None]) -> None:
    if fn not in _AFTER.setdefault(table, []):
        _AFTER[table].append(fn)


def checks_for(table: str, *, channel: str = "") -> list[RowChecks]:
    return [factory(channel) for factory in _CHECKS.get(table, [])]


def fill_records(table: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for fn in _FILLERS.get(table, []):
        items = fn(items)
    return items


def after_batches(table: str, stored: list[Stored]) -> None:
    if not stored:
        return
    for fn in _AFTER.get(table, []):
        try:
            fn(stored)
        except Exception:
            log.exception("after-batch hook %s failed for batches %s", getattr(fn, "__name__", fn),
                          ", ".join(str(s.batch.pk) for s in stored))  # fmt: skip
