"""Notifying runs in the worker, so a slow mail server never holds up the SLA sweep."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from supportdesk.notifications.actions import notify_sla_event
from supportdesk.notifications.webhooks import deliver_due
from supportdesk.tickets.models import TicketEvent


@db_task(retries=3, retry_delay=60)
def notify_for_event(event_id: int) -> int:
    event = TicketEvent.objects.filter(pk=event_id).first()
    return len(notify_sla_event(event)) if event is not None else 0


@db_periodic_task(crontab())
def deliver_webhooks() -> int:
    return deliver_due()
