"""Reads: access-checked loaders, queues and timelines.

Every id that comes from a request goes through ``get_ticket_for_user``; anything a user
may not see is a 404, never a 403, so ticket numbers can't be probed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from supportdesk.accounts.models import User
from supportdesk.tickets import permissions
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Attachment, Ticket, TicketEvent

QUEUE_SELECT_RELATED = ("priority", "organization", "assignee", "team", "category")

# ``is_open=True`` renders as a bare ``WHERE is_open`` on SQLite, which its planner does not
# match to an index key; ``IN (1)`` it does (bench/RESULTS.md, finding 3). Same rows.
OPEN = Q(is_open__in=[True])
CLOSED = Q(is_open__in=[False])


def visible_tickets(user: User) -> QuerySet[Ticket]:
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if permissions.is_agent(user):  # agents see every ticket
        return Ticket.objects.all()
    if user.is_customer and user.organization_id is not None:
        return Ticket.objects.filter(organization_id=user.organization_id)
    return Ticket.objects.none()


def get_ticket_for_user(user: User, number: str) -> Ticket:
    # ``number`` is unique: no ORDER BY (``first()`` would add one, and on a select of this
    # width Django's compiler spends more time matching it to the selected columns than
    # the database spends on the whole query).
    found = list(
        visible_tickets(user)
        .select_related(*QUEUE_SELECT_RELATED, "contact", "installed_product__product",
                        "installed_product__version", "created_by", "merged_into")
        .filter(number=number)
        .order_by()[:1]
    )  # fmt: skip
    if not found:
        raise Http404("no such ticket")
    return found[0]


def get_attachment_for_user(user: User, attachment_id: int) -> Attachment:
    qs = Attachment.objects.select_related("ticket").filter(
        pk=attachment_id, ticket__in=visible_tickets(user)
    )
    if not user.is_agent:
        qs = qs.filter(is_public=True)
    attachment = qs.first()
    if attachment is None:
        raise Http404("no such attachment")
    return attachment


def timeline(ticket: Ticket, user: User) -> list[TicketEvent]:
    """The ticket's events, with those of tickets merged into it; customers see public ones."""
    tickets = {ticket.pk: ticket}
    tickets.update((t.pk, t) for t in ticket.merged_tickets.only("pk", "number"))
    ticket_ids = list(tickets)
    # The events' tickets are the ones above: set, not joined (a join of every ticket column
    # per event, for the number of a merged ticket).
    events = (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    attachments = Attachment.objects.filter(ticket_id__in=ticket_ids).order_by("id")
    if not user.is_agent:
        events = events.filter(is_public=True)
        attachments = attachments.filter(is_public=True)
    by_event: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        if attachment.event_id is not None:
            by_event.setdefault(attachment.event_id, []).append(attachment)
    result = list(events)
    for event in result:
        event.ticket = tickets[event.ticket_id]
        event.files = by_event.get(event.pk, [])  # type: ignore[attr-defined]
    return result


# --- queues -------------------------------------------------------------------------------

QUEUES = ("mine", "team", "unassigned", "open", "priority", "waiting", "recent", "all")
SORTS: dict[str, tuple[str, ...]] = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "priority": ("priority_rank", "-updated_at", "-id"),
}


@dataclass
class QueueFilters:
    status: str = ""
    priority: int | None = None
    team: int | None = None
    assignee: int | None = None
    organization: int | None = None
    type: str = ""
    category: int | None = None
    channel: str = ""
    number: str = ""


@dataclass
class Page:
    items: list[Ticket]
    next_cursor: str | None


def queue_queryset(user: User, queue: str, filters: QueueFilters | None = None) -> QuerySet[Ticket]:
    qs = visible_tickets(user)
    if queue == "mine":
        qs = qs.filter(OPEN, assignee=user)
    elif queue == "team":
        qs = qs.filter(OPEN, team__in=user.teams.values("pk"))
    elif queue == "unassigned":
        qs = qs.filter(OPEN, assignee__isnull=True)
    elif queue in ("open", "priority"):
        qs = qs.filter(OPEN)
    elif queue == "waiting":
        qs = qs.filter(status=Status.WAITING_CUSTOMER)
    f = filters or QueueFilters()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.priority:
        qs = qs.filter(priority_id=f.priority)
    if f.team:
        qs = qs.filter(team_id=f.team)
    if f.assignee:
        qs = qs.filter(assignee_id=f.assignee)
    if f.organization:
        qs = qs.filter(organization_id=f.organization)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.number:
        qs = qs.filter(number=f.number.strip().upper())
    return qs


def default_sort(queue: str) -> str:
    return "priority" if queue == "priority" else "-updated_at"


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: Sequence[str]) -> list[Any] | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(ordering):
            return None
        values: list[Any] = []
        for name, value in zip(ordering, raw, strict=True):
            field = name.lstrip("-")
            if field.endswith("_at"):
                values.append(dt.datetime.fromisoformat(value))
            elif isinstance(value, int):
                values.append(value)
            else:
                return None
        return values
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (keyset pagination, any directions)."""
    condition = Q()
    for i in reversed(range(len(ordering))):
        name = ordering[i].lstrip("-")
        op = "lt" if ordering[i].startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        if i < len(ordering) - 1:
            step |= Q(**{name: values[i]}) & condition
        condition = step
    return condition


def paginate(qs: QuerySet[Ticket], sort: str, cursor: str | None, size: int) -> Page:
    ordering = SORTS.get(sort, SORTS["-updated_at"])
    qs = qs.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor, ordering)
        if values is not None:
            qs = qs.filter(_after(ordering, values))
    items = list(qs[: size + 1])
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, name.lstrip("-")) for name in ordering])
    return Page(items=items, next_cursor=next_cursor)


def queue_page(
    user: User,
    queue: str,
    *,
    filters: QueueFilters | None = None,
    sort: str = "",
    cursor: str | None = None,
    size: int = 50,
) -> Page:
    qs = queue_queryset(user, queue, filters).select_related(*QUEUE_SELECT_RELATED)
    return paginate(qs, sort or default_sort(queue), cursor, size)
