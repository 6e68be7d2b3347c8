"""Keeps the index up to date: each ticket event marks its ticket for the next batch, each
customer record change queues a job."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from supportdesk.crm.models import Contact, Organization
from supportdesk.search import tasks
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.signals import ticket_event_recorded

# Events that change nothing a ticket's search document holds (its text, status, archive
# state): filing one ticket also writes two SLA entries, which must not re-index it twice.
UNINDEXED_KINDS = frozenset(
    {
        EventKind.SLA, EventKind.NOTE, EventKind.CALL, EventKind.STEP, EventKind.ATTACHMENT,
        EventKind.LINK, EventKind.ASSIGN, EventKind.NOTIFICATION, EventKind.EMERGENCY,
        EventKind.CHECKLIST, EventKind.DATA_REQUEST, EventKind.KNOWLEDGE, EventKind.EMAIL,
    }
)  # fmt: skip


@receiver(ticket_event_recorded, dispatch_uid="search-index-ticket")
def ticket_changed(sender: Any, ticket_id: int, **kwargs: Any) -> None:
    if kwargs.get("kind") in UNINDEXED_KINDS:
        return
    tasks.request_ticket_index(ticket_id)


@receiver([post_save, post_delete], sender=Organization, dispatch_uid="search-index-org")
def organization_changed(sender: Any, instance: Organization, **kwargs: Any) -> None:
    pk = instance.pk  # read now: Django clears it once a delete completes
    transaction.on_commit(lambda: tasks.index_organization(pk))


@receiver([post_save, post_delete], sender=Contact, dispatch_uid="search-index-contact")
def contact_changed(sender: Any, instance: Contact, **kwargs: Any) -> None:
    pk = instance.pk
    transaction.on_commit(lambda: tasks.index_contact(pk))
