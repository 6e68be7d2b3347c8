"""Writing the past: the demo desk replays months of tickets through the real actions.

Those events happened long ago, so what reacts to an event *now* (mail to the customer) must
stand aside while history is written, or loading the demo would send hundreds of stale
acknowledgements and replies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_replaying: ContextVar[bool] = ContextVar("replaying_history", default=False)


@contextmanager
def replaying_history() -> Iterator[None]:
    token = _replaying.set(True)
    try:
        yield
    finally:
        _replaying.reset(token)


def is_replaying_history() -> bool:
    return _replaying.get()
