"""Keeps SLA clocks in step with tickets: every ticket event may start, pause, resume,
re-target or complete a clock (``tickets.signals.ticket_event_recorded``, after commit)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from supportdesk.sla.actions import sync_ticket_clocks
from supportdesk.sla.emergency import declare_for_most_urgent
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import TicketEvent
from supportdesk.tickets.signals import ticket_event_recorded

logger = logging.getLogger(__name__)

# Events that never change a clock (the SLA's own among them, which would loop).
IGNORED_KINDS = frozenset(
    {
        EventKind.SLA, EventKind.NOTE, EventKind.ATTACHMENT, EventKind.LINK,
        EventKind.NOTIFICATION, EventKind.KNOWLEDGE, EventKind.CHECKLIST, EventKind.EMAIL,
        EventKind.EMERGENCY,
    }
)  # fmt: skip


@receiver(ticket_event_recorded, dispatch_uid="sla.sync_clocks")
def sync_clocks_on_ticket_event(sender: Any, ticket_id: int, event_id: int, **kwargs: Any) -> None:
    kind = kwargs.get("kind") or (
        TicketEvent.objects.filter(pk=event_id).values_list("kind", flat=True).first()
    )
    if kind is None or kind in IGNORED_KINDS:
        return
    try:
        sync_ticket_clocks(ticket_id, cause_id=event_id)
        declare_for_most_urgent(ticket_id)
    except Exception:
        # The ticket change is committed already; a clock problem must not turn the user's
        # successful action into an error page. The next event re-syncs the clocks.
        logger.exception("could not update SLA clocks of ticket %s", ticket_id)
