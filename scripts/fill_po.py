"""Fills empty msgstr entries of a .po file from a JSON dictionary (msgid -> translation).

Usage: python scripts/fill_po.py path/to/django.po translations.json
Used when adding strings in bulk; entries already translated are kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _unquote(block: str) -> str:
    return "".join(json.loads(f'"{part}"') for part in re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: Path, table: dict[str, str]) -> list[str]:
    text = po_path.read_text(encoding="utf-8")
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        msgid = _unquote(match.group("id"))
        current = _unquote(match.group("str"))
        if not msgid or current:
            return match.group(0)
        if msgid not in table:
            missing.append(msgid)
            return match.group(0)
        return f"msgid {match.group('id')}msgstr {_quote(table[msgid])}\n"

    pattern = re.compile(r'msgid (?P<id>(?:".*"\n)+)msgstr (?P<str>(?:".*"\n)+)')
    text = pattern.sub(replace, text)
    text = re.sub(r"#, fuzzy\n(?=#|msgid)", "", text)
    text = text.replace("#, fuzzy, ", "#, ")
    po_path.write_text(text, encoding="utf-8")
    return missing


if __name__ == "__main__":
    table = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    for msgid in fill(Path(sys.argv[1]), table):
        print("untranslated:", msgid)
