"""Writing the past: the demo desk replays months of tickets through the real actions.

Two things differ from live work while history is written:

- Those events happened long ago, so what reacts to an event by telling someone *now* (mail
  to the customer) stands aside: events are announced as ``replayed``.
- The whole replay is one transaction, so announcements made "on commit" would all run at
  the end, stamped with today's time. Instead each is held until the replayed step that
  wrote it is over (``announce_written``, called by the replay under its travelled clock),
  so the SLA's entries carry the times they would have had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_written: ContextVar[list[Callable[[], None]] | None] = ContextVar("history_written", default=None)


@contextmanager
def replaying_history() -> Iterator[None]:
    token = _written.set([])
    try:
        yield
    finally:
        _written.reset(token)


def is_replaying_history() -> bool:
    return _written.get() is not None


def hold_until_step_ends(announce: Callable[[], None]) -> bool:
    """Holds an announcement while history is written; False when live (announce on commit)."""
    written = _written.get()
    if written is None:
        return False
    written.append(announce)
    return True


def announce_written() -> None:
    """Runs what the step just replayed announced, in order (announcements may add more)."""
    written = _written.get()
    while written:
        written.pop(0)()
