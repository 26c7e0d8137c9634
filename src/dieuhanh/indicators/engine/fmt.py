"""Numbers as people read them: ``21,8%`` in Vietnamese, ``21.8%`` in English.

Vietnamese writes a decimal comma and groups thousands with dots (``127.265``); English the
other way round. Used by the CLI's text output and the web pages.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Unit of measure → (Vietnamese suffix, English suffix). Others are written after a space.
UNIT_SUFFIXES = {
    "%": ("%", "%"),
    "points": (" điểm", " points"),
    "điểm": (" điểm", " points"),
    "count": ("", ""),
    "dossiers": (" hồ sơ", " dossiers"),
    "documents": (" văn bản", " documents"),
    "services": (" dịch vụ", " services"),
    "VND": (" đồng", " VND"),
    "billion VND": (" tỷ đồng", " billion VND"),
}


def format_number(value: float, decimals: int, lang: str = "vi") -> str:
    """``value`` rounded half-up to ``decimals`` places, with the language's separators."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"  # 127,265.5
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_value(value: float | None, unit: str, decimals: int, lang: str = "vi") -> str:
    """A value with its unit for display: ``format_value(21.824, "%", 1)`` → ``"21,8%"``.

    None (no figure) is shown as an em dash.
    """
    if value is None:
        return "—"
    vi, en = UNIT_SUFFIXES.get(unit, (f" {unit}", f" {unit}"))
    return format_number(value, decimals, lang) + (en if lang == "en" else vi)
