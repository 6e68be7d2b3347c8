"""Turns SLA warnings and breaches on a timeline into notifications (after commit)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import TicketEvent
from supportdesk.tickets.signals import ticket_event_recorded


@receiver(ticket_event_recorded, dispatch_uid="notifications.sla")
def notify_on_sla_event(sender: Any, ticket_id: int, event_id: int, **kwargs: Any) -> None:
    if kwargs.get("kind", EventKind.SLA) not in (EventKind.SLA, EventKind.ESCALATION):
        return
    row = (
        TicketEvent.objects.filter(pk=event_id, kind__in=[EventKind.SLA, EventKind.ESCALATION])
        .values_list("kind", "data")
        .first()
    )
    if row is None:
        return
    kind, data = row
    wanted = (
        data.get("action") in ("warned", "breached")
        if kind == EventKind.SLA
        else bool(data.get("notify_lead"))
    )
    if wanted:
        from supportdesk.notifications.tasks import notify_for_event

        notify_for_event(event_id)
