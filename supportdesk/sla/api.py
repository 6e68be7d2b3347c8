"""``GET /tickets/{number}/sla``: the ticket's clocks, for engineers and integrations."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from supportdesk.api.auth import current_user
from supportdesk.api.errors import COMMON_ERRORS
from supportdesk.sla import selectors
from supportdesk.sla.actions import CalendarCache, time_left
from supportdesk.sla.models import TicketClock
from supportdesk.tickets import permissions
from supportdesk.tickets.selectors import get_ticket_for_user

router = Router(tags=["sla"])


class ClockOut(Schema):
    kind: str
    state: str
    display_state: str
    calendar: str
    target_seconds: int
    started_at: dt.datetime
    due_at: dt.datetime
    working_seconds_left: int
    paused_seconds: int
    breached_at: dt.datetime | None
    completed_at: dt.datetime | None


@router.get("/tickets/{number}/sla", response={200: list[ClockOut], **COMMON_ERRORS})
def ticket_sla(request: HttpRequest, number: str) -> list[dict[str, object]]:
    """Each target's clock: state, deadline and working time left (negative when overdue)."""
    user = current_user(request)
    if not permissions.is_agent(user):
        raise Http404("not an agent")
    ticket = get_ticket_for_user(user, number)
    now, cals = timezone.now(), CalendarCache()
    clocks = TicketClock.objects.filter(ticket=ticket).select_related("calendar").order_by("pk")
    return [
        {
            "kind": c.kind,
            "state": c.state,
            "display_state": selectors.clock_view(c, now, cals).state,
            "calendar": c.calendar.name,
            "target_seconds": c.target_seconds,
            "started_at": c.started_at,
            "due_at": c.due_at,
            "working_seconds_left": int(time_left(c, now, cals.get(c.calendar_id)).total_seconds()),
            "paused_seconds": c.paused_seconds,
            "breached_at": c.breached_at,
            "completed_at": c.completed_at,
        }
        for c in clocks
    ]
