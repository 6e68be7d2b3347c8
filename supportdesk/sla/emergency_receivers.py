"""Meets the emergency's "contact the customer" clock when an agent replies or calls.

Kept apart from ``receivers.py`` (the clock sync, which the ticket-creation path tunes):
this one only looks at reply and call events and touches only the contact clock.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from supportdesk.sla.emergency import CONTACT_KINDS, record_customer_contact
from supportdesk.tickets.signals import ticket_event_recorded

logger = logging.getLogger(__name__)


@receiver(ticket_event_recorded, dispatch_uid="sla.emergency_contact")
def meet_contact_on_reply_or_call(
    sender: Any, ticket_id: int, event_id: int, **kwargs: Any
) -> None:
    kind = kwargs.get("kind")
    if kind is not None and kind not in CONTACT_KINDS:
        return
    try:
        record_customer_contact(ticket_id, event_id)
    except Exception:
        # The reply or call is committed already; the clock must not turn it into an error.
        logger.exception("could not meet the contact clock of ticket %s", ticket_id)
