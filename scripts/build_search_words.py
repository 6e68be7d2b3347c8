#!/usr/bin/env python
"""Writes the search segmenter's word list (``supportdesk/search/data/words.txt``).

The list is jieba's dictionary (``jieba/dict.txt`` from the jieba 0.42.1 package on PyPI, the
same list jieba-rs bundles; MIT licence, see ``supportdesk/search/data/README.md``) without its
rarest long entries: the ~70,000 words of four or more characters that jieba counts 3 times or
fewer in its corpus, mostly idioms, literary phrases and rare compounds. The full dictionary
costs ~32 MB in every process that segments (the web server among them); the 279,000 words kept
cost ~15 MB. Every word of up to three characters stays, however rare: jieba gives its newer
IT words (误删, 宕机, 弹窗, 报错, 掉线, 订单号, 收不到, 验证码) a count of 3, and without them
they would fall apart into loose characters; the trie's size grows with the long words, not
with these. A missing long word is segmented into its shorter words (财务部门: 财务, 部门), the
same way when text is indexed and when it is searched for (bench/RESULTS.md, round 9, has the
relevance measured both ways).

    pip download --no-deps jieba==0.42.1 && tar xzf jieba-0.42.1.tar.gz
    python scripts/build_search_words.py jieba-0.42.1/jieba/dict.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

MIN_FREQUENCY = 4
TARGET = Path(__file__).resolve().parent.parent / "supportdesk/search/data/words.txt"


def main(source: str) -> None:
    kept = 0
    with open(source, encoding="utf-8") as src, TARGET.open("w", encoding="utf-8") as out:
        for line in src:
            word, frequency = line.split()[:2]
            if len(word) <= 3 or int(frequency) >= MIN_FREQUENCY:
                out.write(f"{word} {frequency}\n")
                kept += 1
    print(f"{kept} words written to {TARGET}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
