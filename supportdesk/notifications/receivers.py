"""Turns SLA warnings and breaches, escalations and overdue collaboration threads on a
timeline into notifications (after commit)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import TicketEvent
from supportdesk.tickets.signals import ticket_event_recorded

NOTIFYING_KINDS = (EventKind.SLA, EventKind.ESCALATION, EventKind.COLLABORATION)


@receiver(ticket_event_recorded, dispatch_uid="notifications.sla")
def notify_on_sla_event(sender: Any, ticket_id: int, event_id: int, **kwargs: Any) -> None:
    if kwargs.get("kind", EventKind.SLA) not in NOTIFYING_KINDS:
        return
    row = (
        TicketEvent.objects.filter(pk=event_id, kind__in=NOTIFYING_KINDS)
        .values_list("kind", "data")
        .first()
    )
    if row is None:
        return
    kind, data = row
    if kind == EventKind.SLA:
        wanted = data.get("action") in ("warned", "breached")
    elif kind == EventKind.ESCALATION:
        wanted = bool(data.get("notify_lead"))
    else:  # a collaboration thread's deadline passed
        wanted = data.get("step") == "overdue"
    if wanted:
        from supportdesk.notifications.tasks import notify_for_event

        notify_for_event(event_id)
