"""Reads the workspace needs beyond ``tickets.selectors``: capped queue counts, the ticket
page's ticket and links."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from supportdesk.accounts.models import User
from supportdesk.core.prepared import PreparedRead
from supportdesk.tickets import permissions
from supportdesk.tickets.models import Ticket, TicketLink
from supportdesk.tickets.selectors import QUEUE_SELECT_RELATED, queue_queryset, visible_tickets

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


# What the ticket page shows of related rows. Not ``merged_into``: only merged (closed)
# tickets have one, and joining a second ticket's forty columns for every page cost more
# than the lazy read the few merged ones make.
PAGE_SELECT_RELATED = (
    *QUEUE_SELECT_RELATED,
    "contact",
    "installed_product__product",
    "installed_product__version",
    "created_by",
)


# Compiling this eleven-table read cost Django more CPU than running it (~15 % of the page):
# compiled once per thread, run with each number.
_page_ticket: PreparedRead[Ticket] = PreparedRead(
    lambda number: (
        Ticket.objects.select_related(*PAGE_SELECT_RELATED).filter(number=number).order_by()
    ),
    str,
)


def ticket_for_page(user: User, number: str) -> Ticket:
    """The ticket of the agent's ticket page, access-checked like ``get_ticket_for_user``."""
    found: Ticket | None
    if permissions.is_agent(user):
        # The rule ``visible_tickets`` applies: agents see every ticket, no filter to add.
        found = _page_ticket.first(number)
    else:
        # Unordered (``number`` is unique): ``first()`` would add an ORDER BY.
        visible = visible_tickets(user).select_related(*PAGE_SELECT_RELATED)
        found = next(iter(visible.filter(number=number).order_by()[:1]), None)
    if found is None:
        raise Http404("no such ticket")
    return found


# The link list shows the other ticket's number, subject and status: loading only those
# halves the query's cost (two joined tickets of forty columns each otherwise).
LINK_COLUMNS = (
    "kind",
    "created_at",
    "from_ticket_id",
    "to_ticket_id",
    *(f"{side}__{name}" for side in ("from_ticket", "to_ticket")
      for name in ("number", "subject", "status")),
)  # fmt: skip


def ticket_links(ticket: Ticket) -> list[TicketLink]:
    links = TicketLink.objects.filter(Q(from_ticket=ticket) | Q(to_ticket=ticket))
    # A ticket has a handful of links: sorted here, as an ORDER BY over two joined tickets'
    # columns costs Django's compiler more than the query.
    return sorted(
        links.select_related("from_ticket", "to_ticket").only(*LINK_COLUMNS).order_by(),
        key=lambda link: (link.created_at, link.pk),
    )
