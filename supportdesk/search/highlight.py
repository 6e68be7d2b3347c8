"""Snippets with the matched words marked, computed on the original text."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from supportdesk.search.analysis import normalize


def _folded(text: str) -> str:
    # Positions in the folded text must be positions in the original: traditional to
    # simplified keeps lengths almost always; when it does not, fall back to lower case.
    try:
        folded = normalize(text)
    except Exception:  # a converter failure must never cost the result list
        folded = text.lower()
    return folded if len(folded) == len(text) else text.lower()


def _spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = folded.find(term, end)
    return sorted(spans)


def highlight(text: str, terms: list[str], *, width: int = 0) -> SafeString:
    """``text`` escaped with ``<mark>`` around each term; cut to a window of ``width``
    characters around the first match when ``width`` is set."""
    text = text or ""
    spans = _spans(_folded(text), terms)
    lo, hi = 0, len(text)
    if width and len(text) > width:
        first = spans[0][0] if spans else 0
        lo = max(0, first - width // 4)
        hi = min(len(text), lo + width)
    parts: list[str] = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in spans:
        if start < lo or end > hi:
            continue
        parts.append(escape(text[pos:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    parts.append(escape(text[pos:hi]))
    if hi < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
