"""Text analysis shared by indexing and querying: the same text always gives the same tokens.

Chinese is segmented into words with jieba-rs (``rjieba``: jieba's algorithm in Rust) and
jieba's dictionary less its rarest long words (``WORDS_FILE``; nothing is downloaded), after
folding traditional characters and Taiwan usage to mainland simplified with OpenCC (tw2sp), so
技術 and 技术, 資料庫 and 数据库 are one word.
English is lower-cased and plural-folded. Identifiers support staff paste verbatim (ticket
numbers, error codes, versions, IP addresses, serial numbers) stay whole tokens, so a query
for ``ERR_1024`` does not match every text mentioning "error" and "1024".

A second stream of Chinese character unigrams and bigrams backs up the word stream: a one-
or two-character query (卡, 网络) finds text that jieba segmented differently.

Indexing and querying share this module, so they always agree. Whatever changes the tokens
of some text (segmenter, dictionary, DOMAIN_WORDS, STOPWORDS, normalization) must bump
ANALYZER_VERSION: an index stamped with another version is rebuilt (``documents``).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_jieba: Any = None
_opencc: Any = None

# Words that carry no meaning for ranking; they only make OR queries noisy.
STOPWORDS = frozenset(
    """a an and are as at be but by for from has have i in is it its me my no not of on or
    our so that the their this to was we were will with you your please can do does did
    的 了 是 我 我们 你 你们 在 和 与 及 也 就 都 而 或 吗 呢 吧 啊 有 没有 一个 这个 那个 请 把 被
    为 对 从 到 时 中 上 下 后 会 能 要 说 还 又 很 让 给 着 过""".split()  # noqa: SIM905 - a word list reads best as text
)

# jieba's dictionary less the ~70,000 words of four or more characters that its corpus counts 3
# times or fewer (idioms, literary phrases, rare compounds: scripts/build_search_words.py). The
# full list costs ~32 MB in every process that segments, the web server's among them; this one
# ~15. Text that held one of the missing words is cut into its shorter words, the same way when
# indexed and when searched; relevance did not fall (bench/RESULTS.md, round 9).
WORDS_FILE = Path(__file__).resolve().parent / "data" / "words.txt"

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# An ASCII "compound": letters and digits joined by . _ : - / (ERR_1024, 5.2.1, 10.0.0.1,
# 0x80070005, SN-2024-AB12, TS202611230001).
COMPOUND = re.compile(r"[a-z0-9]+(?:[._:\-/][a-z0-9]+)*")
SEPARATORS = re.compile(r"[._:\-/]")
MAX_TOKEN = 64
SURROGATES = re.compile("[\ud800-\udfff]")
# Queries are cut before analysis: nobody types more, and analysis time stays bounded.
MAX_QUERY_CHARS = 500


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                jieba = _jieba_class().empty()
                add = jieba.add_word
                with WORDS_FILE.open(encoding="utf-8") as words:
                    for line in words:
                        word, frequency = line.split()
                        add(word, int(frequency), None)
                for word in DOMAIN_WORDS:
                    add(word, 20000, None)
                _jieba = jieba
    return _jieba


def _jieba_class() -> Any:
    """rjieba's ``Jieba``, taken from its compiled module without importing the package:
    ``import rjieba`` builds an instance with jieba's full dictionary (~32 MB resident) that
    would sit unused beside ours in every process that searches or indexes."""
    module = sys.modules.get("rjieba.rjieba")
    if module is None:
        package = importlib.util.find_spec("rjieba")  # finds the package, runs none of it
        spec = importlib.machinery.PathFinder.find_spec(
            "rjieba.rjieba", package.submodule_search_locations if package else None
        )
        if package is None or spec is None or spec.loader is None:
            raise ImportError("rjieba is not installed")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        # Registered, so a later ``import rjieba`` by anyone reuses it instead of loading the
        # extension a second time.
        sys.modules["rjieba.rjieba"] = module
    return module.Jieba


def _converter() -> Any:
    global _opencc
    if _opencc is None:
        with _lock:
            if _opencc is None:
                import opencc

                _opencc = opencc.OpenCC("tw2sp")
    return _opencc


# Bump when the tokens of some text change (see the module's docstring). 1: Python jieba;
# 2: jieba-rs, identical output on 59,985 of 59,986 random runs and on every run of the
# labelled set and the demo data, but not all: old documents are re-segmented; 3: the
# dictionary without jieba's rarest words (``WORDS_FILE``).
ANALYZER_VERSION = 3


def analyzer_version() -> int:
    """The index's stamp for documents analysed by this code (a callable default, so a bump
    needs no migration)."""
    return ANALYZER_VERSION


# Support vocabulary jieba's general dictionary splits apart.
DOMAIN_WORDS = (
    "工单", "闭环管理", "连不上", "打不开", "登录失败", "数据库", "防火墙", "证书", "白屏",
    "卡顿", "报错", "授权", "许可证", "网关", "打印机", "备份", "同步失败", "闪退",
)  # fmt: skip


def normalize(text: str) -> str:
    """Full-width to half-width, traditional to simplified, lower case, no lone surrogates."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", SURROGATES.sub("", text))
    if CJK_RUN.search(text):
        text = _converter().convert(text)
    return text.lower()


def fold_word(word: str) -> str:
    """Plural and simple suffix folding for English words (a light stemmer)."""
    if not word.isalpha() or not word.isascii() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 7:
        return word[:-3]
    if word.endswith("ed") and len(word) >= 6:
        return word[:-2]
    return word


@dataclass
class Analysis:
    words: list[str] = field(default_factory=list)
    grams: list[str] = field(default_factory=list)
    # Whole identifiers found in the text (error codes, ticket numbers...): a query made of
    # one of them is an exact look-up.
    identifiers: list[str] = field(default_factory=list)


def _ascii_tokens(chunk: str, *, for_index: bool, out: Analysis) -> None:
    for match in COMPOUND.finditer(chunk):
        token = match.group()[:MAX_TOKEN]
        parts = [p for p in SEPARATORS.split(token) if p]
        has_digit = any(ch.isdigit() for ch in token)
        if len(parts) > 1 and (has_digit or "_" in token):
            out.words.append(token)
            out.identifiers.append(token)
            if for_index:
                # "1024" alone still finds ERR_1024; the query for ERR_1024 stays exact.
                out.words.extend(fold_word(p) for p in parts if p not in STOPWORDS)
            continue
        if len(parts) == 1 and has_digit and any(ch.isalpha() for ch in token) and len(token) >= 6:
            out.identifiers.append(token)
        for part in parts:
            if part not in STOPWORDS:
                out.words.append(fold_word(part))


@lru_cache(maxsize=2048)
def _cjk_run_tokens(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Words and character grams of one run of Chinese characters. Cached: support text
    repeats its phrases (product names, 无法登录, 提示报错...). Kept small: 50,000 runs held
    ~200 MB in a long-lived process, and jieba-rs segments a run in microseconds anyway."""
    words = tuple(w for w in _segmenter().cut_for_search(run) if w not in STOPWORDS and w.strip())
    if len(run) == 1:
        return words, (run, run)
    grams: list[str] = []
    for i in range(len(run) - 1):
        grams += (run[i], run[i : i + 2])
    grams.append(run[-1])
    return words, tuple(grams)


def _cjk_tokens(run: str, *, out: Analysis) -> None:
    words, grams = _cjk_run_tokens(run)
    out.words += words
    out.grams += grams


def analyze(text: str, *, for_index: bool = True) -> Analysis:
    out = Analysis()
    if not text:
        return out
    text = normalize(text)
    pos = 0
    for run in CJK_RUN.finditer(text):
        _ascii_tokens(text[pos : run.start()], for_index=for_index, out=out)
        _cjk_tokens(run.group(), out=out)
        pos = run.end()
    _ascii_tokens(text[pos:], for_index=for_index, out=out)
    return out


@lru_cache(maxsize=10_000)
def _normalized_phrase(phrase: str) -> str:
    # Synonym phrases are checked against every query: fold each one once, not per query.
    return normalize(phrase)


@dataclass
class Query:
    words: list[str]
    grams: list[str]
    identifiers: list[str]
    highlight_terms: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.grams


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def analyze_query(text: str, synonyms: list[list[str]] | None = None) -> Query:
    """Tokens to look up for what a user typed; when the text contains a phrase of a synonym
    group (from the articles' synonym lists), the words of the whole group are added."""
    text = (text or "")[:MAX_QUERY_CHARS]
    found = analyze(text, for_index=False)
    words = _unique(found.words)
    if synonyms:
        folded = normalize(text)
        extra: list[str] = []
        for group in synonyms:
            if any(p and _normalized_phrase(p) in folded for p in group):
                for phrase in group:
                    extra.extend(analyze(phrase, for_index=False).words)
        words = _unique(words + extra)
    # Grams are a fallback for short Chinese queries: the unigram for one character, the
    # bigrams otherwise (not every unigram of a long query, which would match everything).
    grams: list[str] = []
    for run in CJK_RUN.finditer(normalize(text)):
        chars = run.group()
        if len(chars) == 1:
            grams.append(chars)
        else:
            grams.extend(chars[i : i + 2] for i in range(len(chars) - 1))
    terms = _unique(words + [g for g in grams if len(g) > 1] + [g for g in grams if len(g) == 1])
    return Query(
        words=words[:64],
        grams=_unique(grams)[:64],
        identifiers=_unique(found.identifiers),
        highlight_terms=terms,
    )


def index_form(token: str) -> str:
    """The token as stored in FTS5 and tsvector: punctuation inside identifiers encoded, so
    neither engine's own tokenizer splits ``err_1024`` or ``5.2.1`` apart."""
    if token.isalnum():
        return token
    return "".join(ch if ch.isalnum() else f"x{ord(ch):02x}" for ch in token)


def joined(tokens: list[str]) -> str:
    text = " ".join(tokens)
    if text.replace(" ", "").isalnum():  # the usual case: nothing to encode
        return text
    return " ".join(index_form(t) for t in tokens)
