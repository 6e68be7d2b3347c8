"""Signals other apps subscribe to instead of being called from here.

``ticket_event_recorded`` is sent after the transaction that wrote the event commits, once
per event, with ``ticket_id``, ``event_id`` and the event's ``kind``: notifications, SLA
clocks, mail and the search index listen to it, so a rolled-back change never notifies
anyone. ``kind`` lets each receiver skip what it does not care about without reading the row.
It is sent in the worker (``tasks.announce_event``, one queued job per event; at once when
jobs run inline, as in tests), so receivers never add to the time of the request. Within
``announced_in_process()`` it is sent in the process that committed, so receivers see that
process's context (bulk loads that sync SLA clocks inline, demo history being replayed).

``response_promise`` is sent while a new ticket is being filed, inside its transaction, with
the unsaved ``ticket``: a receiver may answer with the moment the first response is due (the
SLA does, in working time), which the customer is shown at once and the acknowledgement
mail repeats. The ticket falls back on its priority's wall-clock target when nobody answers.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

ticket_event_recorded = Signal()
response_promise = Signal()

_in_process: ContextVar[bool] = ContextVar("events_announced_in_process", default=False)


@contextmanager
def announced_in_process() -> Iterator[None]:
    """Within this block events are announced in this process after commit, not queued."""
    token = _in_process.set(True)
    try:
        yield
    finally:
        _in_process.reset(token)


def is_announced_in_process() -> bool:
    return _in_process.get()
