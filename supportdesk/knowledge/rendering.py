"""Markdown to safe HTML: markdown-it renders (raw HTML off), nh3 sanitises what is left.

Images may only come from our own server (relative URLs such as attachment downloads): a
remote image would leak every reader's address to a third party.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import nh3
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@functools.cache
def _md() -> MarkdownIt:
    # Imported on first use, not at start-up: only article pages render Markdown, and the
    # parser is a few MB in every web worker.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def _local_images_only(element: str, attribute: str, value: str) -> str | None:
    if (
        element == "img"
        and attribute == "src"
        and (not value.startswith("/") or value.startswith("//"))
    ):
        return None
    return value


def render_markdown(text: str) -> SafeString:
    html = _md().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_local_images_only,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
