"""Keeps SLA clocks in step with tickets: every ticket event may start, pause, resume,
re-target or complete a clock (``tickets.signals.ticket_event_recorded``, after commit).

The receiver runs where events are announced: in the worker (``tickets.tasks.announce_event``),
off the request path, or in the loading process within ``announced_in_process()`` (bulk loads
such as the demo). It syncs the clocks right there; queueing a second job would only add a
hop. A clock's arithmetic starts from the ticket's own times (``created_at``, the event's time),
not from when the job runs, so a deadline comes out the same whenever the job runs. What the
customer is promised at filing is computed in the filing transaction (``response_promise``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.dispatch import receiver

from supportdesk.sla.actions import promised_first_response, sync_ticket_clocks
from supportdesk.sla.emergency import declare_for_most_urgent
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.signals import (
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


@receiver(ticket_event_recorded, dispatch_uid="sla.sync_clocks")
def sync_clocks_on_ticket_event(sender: Any, ticket_id: int, event_id: int, **kwargs: Any) -> None:
    if kwargs.get("kind") in IGNORED_KINDS:
        return
    try:
        sync_ticket_clocks(ticket_id, cause_id=event_id)
        declare_for_most_urgent(ticket_id)
    except Exception:
        # The ticket change is committed already; a failing sync must not stop the other
        # receivers of this event. The next event re-syncs the clocks.
        logger.exception("could not sync the SLA clocks of ticket %s", ticket_id)


@receiver(response_promise, dispatch_uid="sla.response_promise")
def promise_first_response(sender: Any, ticket: Ticket, **kwargs: Any) -> dt.datetime | None:
    try:
        return promised_first_response(ticket)
    except Exception:
        # A broken calendar must not stop a customer filing a ticket: the priority's plain
        # target stands, and the clock (started by the worker) reports the problem.
        logger.exception("could not compute the SLA promise of a new ticket")
        return None
