"""Lookups remembered for the length of one burst of work, and no longer.

Work that files many things in a row (mail intake files a batch of messages in one
transaction) opens :func:`lookups_shared`; within it, code that reads the same slowly
changing configuration for every item (the SLA policy and business calendar of each new
ticket) asks :func:`remembered` instead of reading it again. Outside such a block nothing is
remembered, so a web request always reads the current configuration. A change made by
someone else during the burst (well under a second) is seen by the next burst.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_shared: ContextVar[dict[Hashable, object] | None] = ContextVar("lookups_shared", default=None)


@contextmanager
def lookups_shared() -> Iterator[None]:
    """Within this block (this thread or task), :func:`remembered` answers are reused."""
    if _shared.get() is not None:
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or its answer for ``key`` from earlier in the same block."""
    shared = _shared.get()
    if shared is None:
        return read()
    if key not in shared:
        shared[key] = read()
    return shared[key]  # type: ignore[return-value]
