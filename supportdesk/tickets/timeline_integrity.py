"""Detects a timeline changed outside the product: each event's hash chains to the previous."""

from __future__ import annotations

from supportdesk.tickets.models import Ticket, TicketEvent


def verify_timeline(ticket: Ticket) -> TicketEvent | None:
    """Returns the first event whose content or chain does not match, or None if intact."""
    previous = ""
    last: TicketEvent | None = None
    for event in ticket.events.order_by("id").iterator():
        if event.prev_hash != previous or event.compute_hash() != event.hash:
            return event
        previous, last = event.hash, event
    if last is not None and ticket.last_event_hash != last.hash:
        return last
    return None
