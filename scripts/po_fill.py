"""Fill empty (or fuzzy) msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Used by developers when adding UI strings: `python scripts/po_fill.py vi.json` then
`dieuhanh compilemessages`. Entries already translated are kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "src/dieuhanh/locale/vi/LC_MESSAGES/django.po"


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line.strip()) for line in lines)


def main() -> None:
    table: dict[str, str] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    text = PO.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    out, missing = [], []
    for block in blocks:
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)$', block + "\n", re.M)
        if not m or "msgid_plural" in block:
            out.append(block)
            continue
        msgid = unquote(m.group(1).splitlines())
        msgstr = unquote(m.group(2).splitlines())
        fuzzy = "#, fuzzy" in block
        if msgid and (not msgstr or fuzzy):
            if msgid in table:
                block = block[: m.start(2)] + json.dumps(table[msgid], ensure_ascii=False)
                block = block.replace("#, fuzzy\n", "")
                block = re.sub(r"#\| msgid .*\n", "", block)
            else:
                missing.append(msgid)
        out.append(block)
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for msgid in missing:
        print("untranslated:", msgid)


if __name__ == "__main__":
    main()
