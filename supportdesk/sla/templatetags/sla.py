"""Template tags of the SLA app: the customer's promised time (the emergency panel is a view,
``views.emergency_panel``, loaded by htmx)."""

from __future__ import annotations

from typing import Any

from django import template

from supportdesk.sla.selectors import promised_next_step
from supportdesk.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("sla/_promise.html")
def sla_promise(ticket: Ticket) -> dict[str, Any]:
    """``{% sla_promise ticket %}``: the promised time of the next step (R-SL-5)."""
    return {"promise": promised_next_step(ticket)}
