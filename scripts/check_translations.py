"""Fails if a zh_Hans catalogue has untranslated or fuzzy entries, or its .mo is stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "supportdesk"


def main() -> int:
    problems = []
    catalogues = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
    if not catalogues:
        problems.append("no zh_Hans catalogues found")
    for po in catalogues:
        text = po.read_text(encoding="utf-8")
        if "#, fuzzy" in text.split("\n\n", 1)[-1]:
            problems.append(f"{po}: fuzzy entries")
        stats = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if stats.returncode != 0 or "untranslated" in stats.stderr:
            problems.append(f"{po}: {stats.stderr.strip()}")
        compiled = subprocess.run(
            ["msgfmt", "-o", "-", str(po)],
            capture_output=True,
            check=False,
        )
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled.stdout:
            problems.append(f"{mo}: missing or out of date (run: bash scripts/messages.sh)")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
