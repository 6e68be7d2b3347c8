"""Keeps SLA clocks in step with tickets: every ticket event may start, pause, resume,
re-target or complete a clock (``tickets.signals.ticket_event_recorded``, after commit).

The clocks are brought in line by the worker (``tasks.sync_clocks``), off the request path:
a clock's arithmetic starts from the ticket's own times (``created_at``, the event's time),
not from when the job runs, so a deadline comes out the same whenever the job runs. What the
customer is promised at filing is computed in the filing transaction (``response_promise``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.dispatch import receiver

from supportdesk.sla.actions import promised_first_response
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.signals import (
    announced_in_process,
    response_promise,
    ticket_event_recorded,
)

logger = logging.getLogger(__name__)

# Events that never change a clock (the SLA's own among them, which would loop).
IGNORED_KINDS = frozenset(
    {
        EventKind.SLA, EventKind.NOTE, EventKind.ATTACHMENT, EventKind.LINK,
        EventKind.NOTIFICATION, EventKind.KNOWLEDGE, EventKind.CHECKLIST, EventKind.EMAIL,
        EventKind.EMERGENCY, EventKind.ROUTING, EventKind.REPRODUCTION,
        EventKind.DATA_REQUEST, EventKind.COLLABORATION,
    }
)  # fmt: skip


_inline: ContextVar[bool] = ContextVar("sla_sync_inline", default=False)


@contextmanager
def clocks_synced_inline() -> Iterator[None]:
    """Within this block clocks are synced in this process, not queued (bulk loads)."""
    token = _inline.set(True)
    try:
        # The events themselves must then reach this receiver here, not in the worker.
        with announced_in_process():
            yield
    finally:
        _inline.reset(token)


@receiver(ticket_event_recorded, dispatch_uid="sla.sync_clocks")
def sync_clocks_on_ticket_event(sender: Any, ticket_id: int, event_id: int, **kwargs: Any) -> None:
    if kwargs.get("kind") in IGNORED_KINDS:
        return
    from supportdesk.sla.tasks import sync_clocks

    try:
        if _inline.get():
            sync_clocks.call_local(ticket_id, event_id)
        else:
            sync_clocks(ticket_id, event_id)
    except Exception:
        # The ticket change is committed already; a queue problem must not turn the user's
        # successful action into an error page. The next event re-syncs the clocks.
        logger.exception("could not queue the SLA clocks of ticket %s", ticket_id)


@receiver(response_promise, dispatch_uid="sla.response_promise")
def promise_first_response(sender: Any, ticket: Ticket, **kwargs: Any) -> dt.datetime | None:
    try:
        return promised_first_response(ticket)
    except Exception:
        # A broken calendar must not stop a customer filing a ticket: the priority's plain
        # target stands, and the clock (started by the worker) reports the problem.
        logger.exception("could not compute the SLA promise of a new ticket")
        return None
