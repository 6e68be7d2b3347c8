"""Reads the workspace needs beyond ``tickets.selectors``: capped queue counts, links."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from supportdesk.accounts.models import User
from supportdesk.tickets.models import Ticket, TicketLink
from supportdesk.tickets.selectors import queue_queryset

# Counts stop here: "99+" is all an engineer needs, and a capped count reads at most this
# many index entries however many tickets there are.
COUNT_CAP = 100
COUNTED_QUEUES = ("mine", "team", "unassigned", "waiting")


@dataclass
class QueueCount:
    value: int
    capped: bool

    def __str__(self) -> str:
        return f"{self.value - 1}+" if self.capped else str(self.value)


def queue_counts(user: User) -> dict[str, QueueCount]:
    counts = {}
    for queue in COUNTED_QUEUES:
        value = queue_queryset(user, queue).order_by()[:COUNT_CAP].count()
        counts[queue] = QueueCount(value=value, capped=value >= COUNT_CAP)
    return counts


def ticket_links(ticket: Ticket) -> list[TicketLink]:
    links = TicketLink.objects.filter(Q(from_ticket=ticket) | Q(to_ticket=ticket))
    # A ticket has a handful of links: sorted here, as an ORDER BY over two joined tickets'
    # columns costs Django's compiler more than the query.
    return sorted(
        links.select_related("from_ticket", "to_ticket").order_by(),
        key=lambda link: (link.created_at, link.pk),
    )
