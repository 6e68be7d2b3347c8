"""Template tags of the SLA app: the customer's promised time, the emergency panel."""

from __future__ import annotations

from typing import Any

from django import template

from supportdesk.sla.forms import DeclareEmergencyForm, EmergencyReportForm
from supportdesk.sla.selectors import emergency_view, promised_next_step
from supportdesk.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("sla/_promise.html")
def sla_promise(ticket: Ticket) -> dict[str, Any]:
    """``{% sla_promise ticket %}``: the promised time of the next step (R-SL-5)."""
    return {"promise": promised_next_step(ticket)}


@register.inclusion_tag("sla/_emergency.html")
def sla_emergency(ticket: Ticket) -> dict[str, Any]:
    """``{% sla_emergency ticket %}`` (agent page): state and report history (R-SL-3)."""
    return {
        "ticket": ticket,
        "emergency": emergency_view(ticket),
        "can_declare": ticket.is_open,
        "report_form": EmergencyReportForm(auto_id="id_emergency_%s"),
        "declare_form": DeclareEmergencyForm(auto_id="id_declare_%s"),
    }
