"""The personal-data guard (Decree 13/2023/NĐ-CP): dieuhanh keeps no citizen's personal data.

Before anything of a batch is written, its column names and its free-text values are checked
for what looks like a citizen's name, an ID-card number (CMND: 9 digits, CCCD: 12 digits), a
phone number or an e-mail address. One hit refuses the whole batch: the sender must remove the
column or fix its export, and no copy of the value is kept (rejected rows store it masked).
"""

from __future__ import annotations

import re

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


def mask(value: str) -> str:
    return "***" if value else value
