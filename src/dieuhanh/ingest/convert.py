"""Converting whole columns of text at once, each agreeing with a scalar reference.

The references are the one-value functions of `dieuhanh.ingest.validation` (`parse_timestamp`,
`parse_float`) and the mappings of labels; here they run vectorised:

- labels (enumerations, booleans, parameters, periods): the function runs once per distinct
  value (`by_value`), and the answers are spread back with one `take`;
- timestamps and numbers: Arrow's casts, which accept only a subset of what the references
  accept (ISO 8601 with fixed digit counts; plain decimal numbers) and agree with them on it.
  A block the casts refuse is split until the refusing values are found; those alone go through
  the reference, so a file with a few odd values costs a few extra casts, and messages still
  quote the exact value. Values whose result could differ (timestamps outside 1976-2200, where
  Vietnam's historical offsets or Python's limits matter; non-finite numbers) always do.

Every function takes a string array (null: nothing to convert) and returns the typed array, with
null where the value was refused, and the positions refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

TS = pa.timestamp("us", tz="UTC")
_LOCAL_OFFSET_US = 7 * 3600 * 1_000_000  # Asia/Ho_Chi_Minh has been UTC+07:00 since 13 June 1975
SAFE_FROM = pa.scalar(datetime(1976, 1, 1, tzinfo=UTC), TS)
SAFE_TO = pa.scalar(datetime(2200, 1, 1, tzinfo=UTC), TS)
_LEAF = 64  # below this many values, a refused block goes value by value
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)

Fast = Callable[[Any], tuple[Any, Any]]  # values -> (converted, doubtful mask or None); raises if refused


def by_value(values: Any, fn: Callable[[str], Any], typ: Any) -> tuple[Any, dict[int, tuple[str, ...]]]:
    """``fn`` once per distinct value; ``fn`` raises ValueError(vi, en) to refuse a value.

    Returns the converted array and {position: ValueError args} of the refused values.
    """
    if len(values) == 0:
        return pa.array([], typ), {}
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    results: list[Any] = []
    refused: dict[int, tuple[str, ...]] = {}
    for i, value in enumerate(encoded.dictionary.to_pylist()):
        try:
            results.append(fn(value))
        except ValueError as exc:
            results.append(None)
            refused[i] = exc.args
    converted = pc.take(pa.array(results, typ), encoded.indices)
    errors: dict[int, tuple[str, ...]] = {}
    if refused:
        where = pc.indices_nonzero(pc.is_in(encoded.indices, pa.array(list(refused), encoded.indices.type)))
        codes = pc.take(encoded.indices, where).to_pylist()
        errors = {pos: refused[code] for pos, code in zip(where.to_pylist(), codes, strict=True)}
    return converted, errors


def _refused(values: Any, converted: Any) -> list[int]:
    return pc.indices_nonzero(pc.and_(pc.is_valid(values), pc.is_null(converted))).to_pylist()  # type: ignore[no-any-return]


def blockwise(values: Any, source: Any, fast: Fast, slow: Callable[[str], Any], typ: Any) -> Any:
    """``fast`` over ``values``; where it refuses a block, smaller blocks; ``slow`` (the reference,
    returning None to refuse) per value of ``source`` (the text as sent) for what is left."""
    try:
        converted, doubtful = fast(values)
    except _ARROW_ERRORS:
        if len(values) <= _LEAF:
            return pa.array([_slow(slow, v) for v in source.to_pylist()], typ)
        step = max(_LEAF, -(-len(values) // 16))
        parts = [
            blockwise(values.slice(i, step), source.slice(i, step), fast, slow, typ)
            for i in range(0, len(values), step)
        ]
        return pa.concat_arrays(parts)
    return confirm(converted, doubtful, source, slow, typ)


def confirm(converted: Any, doubtful: Any, source: Any, slow: Callable[[str], Any], typ: Any) -> Any:
    """Replace the doubtful values of a fast conversion by the reference's."""
    if doubtful is None or not pc.any(doubtful).as_py():
        return converted
    doubtful = pc.fill_null(doubtful, False)
    again = pa.array([_slow(slow, v) for v in pc.take(source, pc.indices_nonzero(doubtful)).to_pylist()], typ)
    return pc.replace_with_mask(converted, doubtful, again)


def _slow(slow: Callable[[str], Any], value: str | None) -> Any:
    return None if value is None else slow(value)


# --- timestamps --------------------------------------------------------------------------------
def _utc(values: Any) -> tuple[Any, Any]:
    """ISO 8601 with an offset or Z."""
    return _checked(values.cast(TS))


def _local(values: Any) -> tuple[Any, Any]:
    """ISO 8601 without an offset: Vietnam local time."""
    naive = values.cast(pa.timestamp("us")).cast(pa.int64())
    return _checked(pc.subtract(naive, _LOCAL_OFFSET_US).cast(TS))


# dd/mm/yyyy [hh:mm[:ss]] → yyyy-mm-dd [hh:mm[:ss]], padding one-digit days, months and hours.
_VN_STEPS = (
    (r"^(\d)/", r"0\1/"),
    (r"^(\d\d)/(\d)/", r"\1/0\2/"),
    (r"^(\d\d/\d\d/\d{4})[ T](\d):", r"\1 0\2:"),
    (r"^(\d\d)/(\d\d)/(\d{4})[ T](\d\d:\d\d(?::\d\d)?)$", r"\3-\2-\1 \4"),
    (r"^(\d\d)/(\d\d)/(\d{4})$", r"\3-\2-\1"),
)


def _vietnamese(values: Any) -> tuple[Any, Any]:
    for pattern, replacement in _VN_STEPS:
        values = pc.replace_substring_regex(values, pattern, replacement)
    return _local(values)


def _checked(ts: Any) -> tuple[Any, Any]:
    outside = pc.or_(pc.less(ts, SAFE_FROM), pc.greater_equal(ts, SAFE_TO))
    return ts, outside


def _first_success(*attempts: Fast) -> Fast:
    def run(values: Any) -> tuple[Any, Any]:
        for attempt in attempts[:-1]:
            try:
                return attempt(values)
            except _ARROW_ERRORS:
                continue
        return attempts[-1](values)

    return run


_TIMESTAMP = _first_success(_utc, _local, _vietnamese)
_HAS_OFFSET = r"(?:Z|[+-]\d\d(?::?\d\d)?)$"


def timestamps(values: Any, reference: Callable[[str], datetime]) -> tuple[Any, list[int]]:
    """Text → UTC timestamps; ``reference`` is `parse_timestamp`. Returns (array, refused positions)."""

    def slow(text: str) -> datetime | None:
        try:
            return reference(text)
        except (ValueError, OverflowError):
            return None

    try:
        converted, doubtful = _TIMESTAMP(values)
    except _ARROW_ERRORS:
        # Mixed files (some times with an offset, some without): each kind apart, then blocks.
        offset = pc.fill_null(pc.match_substring_regex(values, _HAS_OFFSET), False)
        converted = pa.nulls(len(values), TS)
        for part in (offset, pc.invert(offset)):
            if pc.any(part).as_py():
                sub = values.filter(part)
                converted = pc.replace_with_mask(converted, part, blockwise(sub, sub, _TIMESTAMP, slow, TS))
    else:
        converted = confirm(converted, doubtful, values, slow, TS)
    return converted, _refused(values, converted)


# --- numbers -----------------------------------------------------------------------------------
def decimal_text(values: Any) -> Any:
    """What `parse_float` does to the text before reading it: no spaces; 1.234,5 and 12,5 read
    with a decimal comma."""
    values = pc.replace_substring(values, " ", "")
    comma = pc.fill_null(pc.match_substring(values, ","), False)
    if not pc.any(comma).as_py():
        return values
    dot = pc.fill_null(pc.match_substring(values, "."), False)
    both = pc.and_(comma, dot)
    swapped = pc.replace_substring(pc.replace_substring(values, ".", ""), ",", ".")
    return pc.if_else(both, swapped, pc.if_else(comma, pc.replace_substring(values, ",", "."), values))


def _float(values: Any) -> tuple[Any, Any]:
    out = values.cast(pa.float64())
    return out, pc.invert(pc.is_finite(out))  # inf and nan: the reference refuses them


def floats(values: Any, reference: Callable[[str], float]) -> tuple[Any, list[int]]:
    """Text → float64; ``reference`` is `parse_float`. Returns (array, refused positions)."""

    def slow(text: str) -> float | None:
        try:
            return reference(text)
        except ValueError:
            return None

    converted = blockwise(decimal_text(values), values, _float, slow, pa.float64())
    return converted, _refused(values, converted)
