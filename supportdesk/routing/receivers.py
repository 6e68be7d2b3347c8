"""Routes each new ticket, whatever channel filed it (portal, API, email, phone)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from supportdesk.routing import tasks
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.signals import ticket_event_recorded

logger = logging.getLogger(__name__)


@receiver(ticket_event_recorded, dispatch_uid="routing.route_new_ticket")
def route_on_create(sender: Any, ticket_id: int, **kwargs: Any) -> None:
    # History being replayed (the demo desk) was assigned as its story tells.
    if kwargs.get("kind") != EventKind.CREATED or kwargs.get("replayed"):
        return
    try:
        tasks.route_ticket(ticket_id)
    except Exception:
        # The ticket is filed already; a routing failure leaves it unassigned in its queue,
        # where people see it, instead of turning the customer's submission into an error.
        logger.exception("could not route ticket %s", ticket_id)
