"""Reads of mail intake for pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.selectors import get_ticket_for_user

from .choices import OUTBOUND_STATE_COLORS, OutboundState
from .models import BouncedAddress, InboundMessage, OutboundMessage


@dataclass
class OutboundRow:
    kind: str
    to: str
    subject: str
    state: str
    state_label: str
    color: str
    when: object
    attempts: int
    error: str
    bounced: bool


def outbound_for_ticket(ticket: Ticket, limit: int = 20) -> list[OutboundRow]:
    """The mail the desk sent (or is trying to send) about a ticket, newest first."""
    # Only what the list shows (not the bodies): this runs on every agent ticket page.
    shown = ("kind", "to", "subject", "state", "sent_at", "next_attempt_at", "created_at",
             "attempts", "last_error")  # fmt: skip
    messages = list(
        OutboundMessage.objects.filter(ticket=ticket)
        .only(*shown)
        .order_by("-created_at", "-pk")[:limit]
    )
    bounced_addresses = bounced([a for m in messages for a in m.to])
    rows = []
    for message in messages:
        state = OutboundState(message.state)
        when = message.sent_at or (
            message.next_attempt_at if state == OutboundState.RETRYING else message.created_at
        )
        rows.append(
            OutboundRow(
                kind=message.get_kind_display(),
                to=", ".join(message.to),
                subject=message.subject,
                state=state.value,
                state_label=str(state.label),
                color=OUTBOUND_STATE_COLORS[state],
                when=timezone.localtime(when),
                attempts=message.attempts,
                error=message.last_error,
                bounced=any(a in bounced_addresses for a in message.to),
            )
        )
    return rows


def bounced(addresses: list[str]) -> set[str]:
    if not addresses:
        return set()
    return set(
        BouncedAddress.objects.filter(address__in=addresses).values_list("address", flat=True)
    )


def inbound_for_ticket(ticket: Ticket, limit: int = 20) -> list[InboundMessage]:
    """Mail received for a ticket (without the raw bytes), newest first."""
    return list(
        InboundMessage.objects.filter(ticket=ticket)
        .defer("raw", "html")
        .order_by("-received_at", "-pk")[:limit]
    )


def get_inbound_for_user(user: User, number: str, pk: int) -> InboundMessage:
    """A received mail of a ticket the user may see; 404 for anything else."""
    ticket = get_ticket_for_user(user, number)
    message = InboundMessage.objects.defer("raw").filter(pk=pk, ticket=ticket).first()
    if message is None:
        raise Http404("no such mail")
    return message
