"""Canned replies filled from a ticket (R-IN-3, R-KB-6): the server fills the variables, so
the text an agent inserts already names the customer, the ticket and the promised time."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.knowledge.models import CannedReply
from supportdesk.tickets.models import Ticket

VARIABLE = re.compile(r"\{([a-z_]+)\}")


@dataclass
class FilledReply:
    id: int
    title: str
    shortcut: str
    kind: str
    kind_label: str
    language: str
    text: str


def fill(body: str, values: dict[str, str]) -> str:
    """Replaces ``{name}`` with its value; an unknown or empty variable stays as written
    (the agent sees what is left to fill). Plain substitution: no template language runs on
    text admins typed."""
    return VARIABLE.sub(lambda m: values.get(m.group(1)) or m.group(0), body)


def expected_time(ticket: Ticket) -> str:
    """When the customer can expect the next answer: the earliest live SLA deadline, else
    the first-response promise; in the desk's time zone."""
    from supportdesk.sla.models import TicketClock

    due = (
        TicketClock.objects.filter(ticket=ticket, completed_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    if due is None and ticket.first_responded_at is None:
        due = ticket.first_response_due_at
    return f"{timezone.localtime(due):%Y-%m-%d %H:%M}" if due else ""


def customer_of(ticket: Ticket) -> tuple[str, User | None]:
    """The customer's name and login: the ticket's contact, else the customer who filed it."""
    if ticket.contact is not None:
        return ticket.contact.name, ticket.contact.user
    reporter = ticket.created_by
    if reporter is not None and reporter.is_customer:
        return str(reporter), reporter
    return "", None


def ticket_variables(ticket: Ticket, agent: User) -> dict[str, str]:
    organization = ticket.organization
    return {
        "customer_name": customer_of(ticket)[0],
        "organization": organization.name if organization else "",
        "ticket_number": ticket.number,
        "subject": ticket.subject,
        "expected_time": expected_time(ticket),
        "agent_name": str(agent),
    }


def replies_for_ticket(ticket: Ticket, agent: User, language: str) -> list[FilledReply]:
    """Every active canned reply, filled for ``ticket``; those in ``language`` first."""
    values = ticket_variables(ticket, agent)
    replies = CannedReply.objects.filter(active=True).order_by(
        Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "ordering",
        "id",
    )
    return [
        FilledReply(
            id=r.pk,
            title=r.title,
            shortcut=r.shortcut,
            kind=r.kind,
            kind_label=str(r.get_kind_display()),
            language=r.language,
            text=fill(r.body, values),
        )
        for r in replies
    ]
