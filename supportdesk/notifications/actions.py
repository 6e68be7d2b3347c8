"""Notifying people: an in-app entry and an email, once per cause and person."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from supportdesk.accounts.models import User
from supportdesk.notifications.models import Notification
from supportdesk.notifications.webhooks import deliver, enqueue
from supportdesk.sla.choices import ClockAction, ClockKind
from supportdesk.tickets.actions import do_record_event
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)


def sla_recipients(ticket: Ticket) -> list[User]:
    """The owner and the team lead (R-SL-2), each once, active only."""
    people: list[User] = []
    for user in (ticket.assignee, ticket.team.lead if ticket.team else None):
        if user is not None and user.is_active and user not in people:
            people.append(user)
    return people


def do_notify(
    recipients: Iterable[User], *, key: str, ticket: Ticket | None, title: str, body: str, url: str
) -> list[Notification]:
    """Creates each person's notification unless this ``key`` already reached them; emails it.

    The unique (recipient, key) constraint makes a repeated cause a no-op, so a retried job
    never notifies twice. Mail goes out after the row exists; a mail failure is recorded on
    the row (visible in the admin) and never undoes the in-app notification.
    """
    created: list[Notification] = []
    for user in recipients:
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=user, key=key, ticket=ticket, title=title, body=body, url=url
                    )
                )
        except IntegrityError:
            continue  # already notified for this cause
    for note in created:
        if not note.recipient.email:
            continue
        try:
            send_mail(note.title, f"{note.body}\n\n{note.url}", None, [note.recipient.email])
        except Exception as exc:  # SMTP down, refused address...: keep the in-app one
            logger.warning("notification %s: email failed: %s", note.pk, exc)
            note.email_error = str(exc)[:300]
            note.save(update_fields=["email_error"])
        else:
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
    return created


def _to_robots(key: str, text: str) -> None:
    """Queues the message for each group robot and tries each once right away."""
    for delivery in enqueue(key, text):
        deliver(delivery.pk)


def notify_escalation(event: TicketEvent) -> list[Notification]:
    """An automatic escalation tells the receiving team's lead (and the owner, if any)."""
    ticket = Ticket.objects.select_related("assignee", "team__lead").get(pk=event.ticket_id)
    people = sla_recipients(ticket)
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Escalated: %(number)s %(subject)s") % {
            "number": ticket.number, "subject": ticket.subject,
        }  # fmt: skip
    url = settings.SITE_URL.rstrip("/") + reverse("workspace:ticket", args=[ticket.number])
    _to_robots(f"escalation:{event.pk}", f"{title}\n{event.body}\n{url}")
    return do_notify(
        people, key=f"escalation:{event.pk}", ticket=ticket, title=title, body=event.body, url=url
    )


def notify_thread_overdue(event: TicketEvent) -> list[Notification]:
    """A collaboration thread past its deadline tells its owner and the ticket's assignee."""
    from supportdesk.routing.models import CollaborationThread

    data = event.data or {}
    thread = (
        CollaborationThread.objects.select_related("owner", "team")
        .filter(pk=int(data.get("thread") or 0))
        .first()
    )
    if thread is None:
        return []
    ticket = Ticket.objects.select_related("assignee").get(pk=event.ticket_id)
    people: list[User] = []
    for user in (thread.owner, ticket.assignee):
        if user is not None and user.is_active and user not in people:
            people.append(user)
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Collaboration overdue: %(number)s %(subject)s") % {
            "number": ticket.number, "subject": thread.subject,
        }  # fmt: skip
    url = settings.SITE_URL.rstrip("/") + reverse("workspace:ticket", args=[ticket.number])
    return do_notify(
        people, key=f"thread-overdue:{thread.pk}", ticket=ticket, title=title,
        body=event.body, url=url,
    )  # fmt: skip


def notify_sla_event(event: TicketEvent) -> list[Notification]:
    """Warnings and breaches go to the owner and the team lead, once per event; escalations
    and overdue collaboration threads to their people."""
    data = event.data or {}
    if event.kind == EventKind.ESCALATION:
        return notify_escalation(event) if data.get("notify_lead") else []
    if event.kind == EventKind.COLLABORATION:
        return notify_thread_overdue(event) if data.get("step") == "overdue" else []
    if data.get("action") not in (ClockAction.WARNED, ClockAction.BREACHED):
        return []
    ticket = Ticket.objects.select_related("assignee", "team__lead").get(pk=event.ticket_id)
    people = sla_recipients(ticket)
    with translation.override(settings.LANGUAGE_CODE):
        kind = ClockKind(data["clock"]).label
        if data["action"] == ClockAction.BREACHED:
            title = gettext("SLA breached: %(kind)s of %(number)s") % {
                "kind": kind, "number": ticket.number,
            }  # fmt: skip
        else:
            title = gettext("SLA warning (%(level)s%%): %(kind)s of %(number)s") % {
                "level": data.get("level"), "kind": kind, "number": ticket.number,
            }  # fmt: skip
        label = gettext("Notifications")
    url = settings.SITE_URL.rstrip("/") + reverse("workspace:ticket", args=[ticket.number])
    _to_robots(f"sla:{event.pk}", f"{title}\n{ticket.subject}\n{event.body}\n{url}")
    if not people:
        return []
    created = do_notify(
        people, key=f"sla:{event.pk}", ticket=ticket, title=title,
        body=f"{ticket.subject}\n{event.body}", url=url,
    )  # fmt: skip
    if created:
        with translation.override(settings.LANGUAGE_CODE):
            body = gettext("Notified: %(names)s") % {
                "names": ", ".join(str(n.recipient) for n in created)
            }
        do_record_event(
            ticket, kind=EventKind.NOTIFICATION, actor=None, actor_label=label, body=body,
            data={"cause": event.pk, "recipients": [n.recipient_id for n in created]},
        )  # fmt: skip
    return created


def do_mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
