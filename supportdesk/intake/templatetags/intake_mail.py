from __future__ import annotations

from typing import Any

from django import template

from supportdesk.tickets.models import Ticket

from ..selectors import inbound_for_ticket, outbound_for_ticket

register = template.Library()


@register.inclusion_tag("intake/_ticket_mail_list.html")
def ticket_mail(ticket: Ticket) -> dict[str, Any]:
    """The outbox of one ticket, for the agent's ticket page."""
    return {
        "ticket": ticket,
        "mails": outbound_for_ticket(ticket),
        "received": inbound_for_ticket(ticket),
    }
