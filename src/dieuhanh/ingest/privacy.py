"""The personal-data guard (Decree 13/2023/NĐ-CP): dieuhanh keeps no citizen's personal data.

Before anything of a batch is written, its column names and its free-text values are checked
for what looks like a citizen's name, an ID-card number (CMND: 9 digits, CCCD: 12 digits), a
phone number or an e-mail address. One hit refuses the whole batch: the sender must remove the
column or fix its export, and no copy of the value is kept (rejected rows store it masked).

`personal_value` is the reference, one value at a time. `personal_values` gives the same answers
for a whole Arrow column: one RE2 pass (`pyarrow.compute.match_substring_regex`) keeps the values
that could be personal data (`CANDIDATE` matches every value `personal_value` flags, and almost
nothing else), then `personal_value` decides for those few, once per distinct value.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dieuhanh.core.tabular import fold

# Folded header words that name personal data. A header containing one of these is refused.
PERSONAL_HEADERS = (
    "ho ten", "ho va ten", "ten cong dan", "ten nguoi", "nguoi nop", "chu ho so", "nguoi yeu cau",
    "full name", "citizen name", "applicant", "so dien thoai", "dien thoai", "phone", "mobile",
    "email", "e mail", "thu dien tu", "cccd", "cmnd", "can cuoc", "chung minh", "so dinh danh",
    "id card", "identity", "ngay sinh", "date of birth", "birth", "dia chi thuong tru", "home address",
    "ho chieu", "passport",
)  # fmt: skip

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_ID_CARD = re.compile(r"\d{9}|\d{12}")
_PHONE = re.compile(r"(?:\+?84|0)\d{9,10}")
# The most frequent Vietnamese family names; a value that starts with one and reads like a name
# (2–5 capitalised words, letters only) is treated as a person's name.
_SURNAMES = {
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho",
    "ngo", "duong", "ly", "dinh", "truong", "lam", "mai", "trinh", "cao", "luong", "ha", "ton", "kieu",
}  # fmt: skip


def personal_header(header: str) -> bool:
    key = fold(header)
    return any(word == key or f" {word} " in f" {key} " for word in PERSONAL_HEADERS)


def personal_value(value: str) -> tuple[str, str] | None:
    """If the value looks like personal data: (Vietnamese, English) names of what it looks like."""
    text = value.strip()
    if not text:
        return None
    if _EMAIL.search(text):
        return "địa chỉ thư điện tử", "an e-mail address"
    compact = re.sub(r"[\s.()-]", "", text)
    if _PHONE.fullmatch(compact):
        return "số điện thoại", "a phone number"
    if _ID_CARD.fullmatch(compact):
        return "số CMND/CCCD", "an ID-card number"
    words = text.split()
    if (
        2 <= len(words) <= 5
        and fold(words[0]) in _SURNAMES
        and all(w[0].isupper() and w.replace("-", "").isalpha() for w in words)
    ):
        return "họ tên người", "a person's name"
    return None


# What Python's str.split()/strip() count as whitespace (str.isspace), as an RE2 class body.
WHITESPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
# Every non-ASCII code point that is not whitespace.
_NON_ASCII = (
    r"\x{80}-\x{84}\x{86}-\x{9f}\x{a1}-\x{167f}\x{1681}-\x{1fff}\x{200b}-\x{2027}\x{202a}-\x{202e}"
    r"\x{2030}-\x{205e}\x{2060}-\x{2fff}\x{3001}-\x{10ffff}"
)
# An e-mail needs x@y.z with no @ or dot in y (Python's \w and [\w-] never hold @ or a dot).
_RE2_EMAIL = r"[^@]@[^@.]+\.[^@.]"
# Phone and ID-card numbers: only digits, whitespace and . ( ) - +, with at least nine digits.
_RE2_SEP = rf"[{WHITESPACE}.()+\-]"
_RE2_NUMBER = rf"^{_RE2_SEP}*(?:\p{{Nd}}{_RE2_SEP}*){{9,}}$"
# Names: 2-5 words of letters or hyphens, each starting with a capital (any non-ASCII letter may
# be one), the first with the initial of a family name in _SURNAMES.
_RE2_WORD = rf"(?:[A-Z]|[{_NON_ASCII}])[A-Za-z\-{_NON_ASCII}]*"
_RE2_FIRST = (
    rf"(?:[{''.join(sorted({s[0].upper() for s in _SURNAMES}))}]|[{_NON_ASCII}])[A-Za-z\-{_NON_ASCII}]*"
)
_RE2_NAME = rf"^{_RE2_FIRST}(?:[{WHITESPACE}]+{_RE2_WORD}){{1,4}}$"
CANDIDATE = f"{_RE2_EMAIL}|{_RE2_NUMBER}|{_RE2_NAME}"


def personal_values(values: Any) -> dict[int, tuple[str, str]]:
    """`personal_value` for a column of stripped strings: {position: what it looks like}."""
    if len(values) >= 20_000 and pc.count_distinct(values.slice(0, 5_000)).as_py() < 1_000:
        # Few distinct values (codes, labels): look at each once.
        encoded = pc.dictionary_encode(values)
        found = _personal(encoded.dictionary)
        if not found:
            return {}
        where = pc.indices_nonzero(pc.is_in(encoded.indices, pa.array(list(found), encoded.indices.type)))
        codes = pc.take(encoded.indices, where).to_pylist()
        return {pos: found[code] for pos, code in zip(where.to_pylist(), codes, strict=True)}
    return _personal(values)


def _personal(values: Any) -> dict[int, tuple[str, str]]:
    if len(values) == 0:
        return {}
    hits = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(values, CANDIDATE), False))
    if len(hits) == 0:
        return {}
    found: dict[int, tuple[str, str]] = {}
    seen: dict[str, tuple[str, str] | None] = {}
    for position, value in zip(hits.to_pylist(), pc.take(values, hits).to_pylist(), strict=True):
        if value not in seen:
            seen[value] = personal_value(value)
        what = seen[value]
        if what is not None:
            found[position] = what
    return found


def mask(value: str) -> str:
    return "***" if value else value
