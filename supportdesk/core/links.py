"""Links to a ticket's pages without a ``reverse()`` per link.

A queue or list page links every row, and ``reverse()`` (URL resolver, quoting) was a
twentieth of those pages: each URL pattern is reversed once per process with a stand-in
number, and each link fills in its own.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_NUMBER = "TS0NUMBER0"


@lru_cache(maxsize=128)
def _pattern(name: str, prefix: str, extra: tuple[str, ...]) -> str:
    return reverse(name, args=[_NUMBER, *extra])


def ticket_link(name: str, number: str, *extra: str) -> str:
    """``reverse(name, args=[number, *extra])`` for a URL whose first argument is a ticket
    number."""
    if not number.isalnum():  # never for the desk's own numbers; reverse() quotes the rest
        return reverse(name, args=[number, *extra])
    return _pattern(name, get_script_prefix(), extra).replace(_NUMBER, number)
