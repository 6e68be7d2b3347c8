"""The tickets part of the REST API (``/api/v1/tickets``).

Each operation does what a page does: parse the payload (schemas), load the ticket through
``get_ticket_for_user`` (404 for outsiders), call the action, return the record. Who may do
what is decided by the actions, exactly as for the web UI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from supportdesk.accounts.models import Team, User
from supportdesk.api.auth import current_user
from supportdesk.api.errors import COMMON_ERRORS, LIST_ERRORS, WRITE_ERRORS
from supportdesk.api.lookups import Lookups
from supportdesk.api.pagination import DEFAULT_LIMIT, checked_cursor
from supportdesk.core.prepared import PreparedRead
from supportdesk.crm.models import Contact, InstalledProduct, Organization
from supportdesk.tickets import actions, permissions, selectors
from supportdesk.tickets.choices import Channel, TicketType
from supportdesk.tickets.choices import Status as TicketStatus
from supportdesk.tickets.models import Attachment, Category, Priority, Ticket, TicketLink
from supportdesk.tickets.schemas import (
    AssignIn,
    AttachmentOut,
    CallIn,
    CategoryRef,
    EventOut,
    LinkIn,
    LinkOut,
    MergeIn,
    NoteIn,
    PriorityOut,
    ReplyIn,
    StepIn,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TransitionIn,
    TransitionOption,
)
from supportdesk.tickets.workflow import REQUIRED_INPUT, allowed_transitions

router = Router(tags=["tickets"])

QueueName = Literal["mine", "team", "unassigned", "open", "priority", "waiting", "recent", "all"]
SortName = Literal["-updated_at", "updated_at", "-created_at", "created_at", "priority"]


class TicketListParams(Schema):
    queue: QueueName = Field(
        "all", description="The workspace's queues; customers see their organization's."
    )
    status: TicketStatus | None = None
    priority: str | None = Field(None, description="Priority code, e.g. `P1`.")
    team: int | None = None
    assignee: int | None = None
    organization: int | None = None
    type: TicketType | None = None
    category: str | None = Field(None, description="Category code.")
    channel: Channel | None = None
    number: str | None = None
    sort: SortName | None = None
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=settings.API_PAGE_SIZE_MAX)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # A time without an offset is the caller's local time (their profile's time zone).
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _as_filed(ticket: Ticket) -> Ticket:
    """A ticket just filed, as a reader would see it, without reading it back.

    The action returns the row it wrote, with the related rows the request already read
    (priority, category, organization, contact, product and version, the caller); relations
    set by receivers that ran inline (routing, in tests) are read when shown. Only a time the
    caller sent with an offset comes back as stored, in UTC.
    """
    if ticket.occurred_at is not None:
        ticket.occurred_at = ticket.occurred_at.astimezone(dt.UTC)
    return ticket


def _reload(user: User, ticket: Ticket) -> Ticket:
    """The record as a reader sees it, with everything ``TicketOut`` shows joined in one query."""
    return selectors.get_ticket_for_user(user, ticket.number)


# --- lookups ------------------------------------------------------------------------------


@router.get("/priorities", response={200: list[PriorityOut], **COMMON_ERRORS})
def list_priorities(request: HttpRequest) -> QuerySet[Priority]:
    """The desk's priority scheme (codes used by `priority` fields)."""
    return Priority.objects.filter(active=True)


@router.get("/categories", response={200: list[CategoryRef], **COMMON_ERRORS})
def list_categories(request: HttpRequest) -> QuerySet[Category]:
    """Problem categories (codes used by `category` fields)."""
    return Category.objects.filter(active=True)


# --- tickets ------------------------------------------------------------------------------


@router.get("/tickets", response={200: TicketPage, **LIST_ERRORS}, url_name="ticket_list")
def list_tickets(request: HttpRequest, params: Query[TicketListParams]) -> dict[str, Any]:
    """A queue page, newest change first by default. Follow `next_cursor` for the next page."""
    user = current_user(request)
    sort = params.sort or selectors.default_sort(params.queue)
    cursor = checked_cursor(params.cursor, selectors.SORTS[sort])
    found = Lookups()
    priority = found.optional(Priority.objects.all(), "priority", params.priority, key="code")
    category = found.optional(Category.objects.all(), "category", params.category, key="code")
    found.check()
    filters = selectors.QueueFilters(
        status=params.status or "",
        priority=priority.pk if priority else None,
        team=params.team,
        assignee=params.assignee,
        organization=params.organization,
        type=params.type or "",
        category=category.pk if category else None,
        channel=params.channel or "",
        number=params.number or "",
    )
    page = selectors.queue_page(
        user, params.queue, filters=filters, sort=sort, cursor=cursor, size=params.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


# Filing reads these on every request: compiled once per thread (``core.prepared``).
_organization = PreparedRead(lambda pk: Organization.objects.filter(pk=pk).order_by(), int)
_active_priority = PreparedRead(
    lambda code: Priority.objects.filter(active=True, code=code).order_by(), str
)
_active_category = PreparedRead(
    lambda code: Category.objects.filter(active=True, code=code).order_by(), str
)
_installed_product = PreparedRead(
    lambda pk: (
        InstalledProduct.objects.select_related("product", "version").filter(pk=pk).order_by()
    ),
    int,
)


@router.post("/tickets", response={201: TicketOut, **WRITE_ERRORS}, url_name="ticket_create")
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status[Ticket]:
    """Files a ticket (R-TK-2). The response carries its number and first-response deadline."""
    user = current_user(request)
    found = Lookups()
    own_organization = user.is_customer and payload.organization is None
    organization, priority, category, installed_product = found.prepared_together(
        ("organization", _organization, None if own_organization else payload.organization),
        ("priority", _active_priority, payload.priority),
        ("category", _active_category, payload.category),
        ("installed_product", _installed_product, payload.installed_product),
    )
    if own_organization:
        organization = user.organization
    contacts = Contact.objects.all()
    if user.is_customer:
        contacts = contacts.filter(organization_id=user.organization_id or 0)
    contact = found.optional(contacts, "contact", payload.contact)
    if contact is None and user.is_customer:
        contact = Contact.objects.filter(user=user).first()
    draft = actions.NewTicket(
        subject=payload.subject,
        description=payload.description,
        type=payload.type,
        category=category,
        priority=priority,
        # Customers always come in through the API; agents record where a request came from.
        channel=Channel.API if user.is_customer else payload.channel,
        source=payload.source,
        organization=organization,
        contact=contact,
        installed_product=installed_product,
        occurred_at=_aware(payload.occurred_at),
        frequency=payload.frequency or "",
        reproducibility=payload.reproducibility or "",
        env_os=payload.env_os,
        env_software_version=payload.env_software_version,
        env_browser=payload.env_browser,
        env_network=payload.env_network,
        env_hardware=payload.env_hardware,
        steps_tried=payload.steps_tried,
    )
    if not user.is_customer:
        # A customer's organization is checked by the action itself, with its own wording.
        found.same_organization("contact", contact, organization)
        found.same_organization("installed_product", draft.installed_product, organization)
    found.check()
    if payload.call is not None:
        ticket = actions.do_create_ticket_from_call(
            draft,
            actor=user,
            summary=payload.call.summary,
            phone_number=payload.call.phone_number,
            duration_seconds=payload.call.duration_seconds,
        )
    else:
        ticket = actions.do_create_ticket(draft, actor=user)
    return Status(201, _as_filed(ticket))


@router.get("/tickets/{number}", response={200: TicketOut, **COMMON_ERRORS}, url_name="ticket_read")
def read_ticket(request: HttpRequest, number: str) -> Ticket:
    return selectors.get_ticket_for_user(current_user(request), number)


@router.patch(
    "/tickets/{number}", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_update"
)
def update_ticket(request: HttpRequest, number: str, payload: TicketPatch) -> Ticket:
    """Changes the fields sent (agents). With `expected_version`, a field someone else changed
    since that version is refused with 409; changes to other fields both land."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    if not permissions.is_agent(user):
        raise PermissionDenied
    sent = payload.model_dump(exclude_unset=True)
    expected_version = sent.pop("expected_version", None)
    reason = sent.pop("reason", "") or ""
    found = Lookups()
    changes: dict[str, Any] = {}
    relations = {
        "category": (Category.objects.all(), "code"),
        "priority": (Priority.objects.filter(active=True), "code"),
        "organization": (Organization.objects.all(), "pk"),
        "contact": (Contact.objects.all(), "pk"),
        "installed_product": (InstalledProduct.objects.select_related("product"), "pk"),
    }
    for name, value in sent.items():
        if name in relations:
            qs, key = relations[name]
            changes[name] = found.optional(qs, name, value, key=key)
        elif name == "occurred_at":
            changes[name] = _aware(value)
        else:
            changes[name] = "" if value is None else value
    found.check()
    actions.do_update_fields(
        ticket, actor=user, changes=changes, expected_version=expected_version, reason=reason
    )
    return _reload(user, ticket)


@router.get(
    "/tickets/{number}/transitions", response={200: list[TransitionOption], **COMMON_ERRORS}
)
def list_transitions(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    """Where the caller may move the ticket now, and what each move needs."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    allowed = allowed_transitions(ticket.status)
    return [
        {
            "to": target,
            "label": str(target.label),
            "requires": [name for name, _message in REQUIRED_INPUT.get(target, ())],
        }
        for target in TicketStatus
        if target in allowed and permissions.can_transition(user, ticket, target)
    ]


@router.post("/tickets/{number}/transitions", response={200: TicketOut, **WRITE_ERRORS})
def transition_ticket(request: HttpRequest, number: str, payload: TransitionIn) -> Ticket:
    """Moves the ticket (R-TK-5). Customers confirm a fix (`to: closed`) or reopen (R-SO-5)."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    if user.is_customer and payload.to == TicketStatus.CLOSED:
        actions.do_confirm_resolution(ticket, actor=user, comment=payload.reason)
    elif payload.to == TicketStatus.REOPENED:
        actions.do_reopen(ticket, actor=user, reason=payload.reason)
    else:
        actions.do_transition(
            ticket,
            actor=user,
            to=payload.to,
            solution=payload.solution,
            result=payload.result or "",
            close_reason=payload.close_reason or "",
            reason=payload.reason,
            expected_version=payload.expected_version,
        )
    return _reload(user, ticket)


@router.post("/tickets/{number}/assign", response={200: TicketOut, **WRITE_ERRORS})
def assign_ticket(request: HttpRequest, number: str, payload: AssignIn) -> Ticket:
    """Hands the ticket to a team and/or engineer (null clears)."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    found = Lookups()
    team = found.optional(Team.objects.all(), "team", payload.team)
    assignee = found.optional(User.objects.filter(is_active=True), "assignee", payload.assignee)
    found.check()
    actions.do_assign(
        ticket,
        actor=user,
        team=team,
        assignee=assignee,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _reload(user, ticket)


# --- conversation and work ----------------------------------------------------------------


@router.post("/tickets/{number}/replies", response={201: EventOut, **WRITE_ERRORS})
def add_reply(request: HttpRequest, number: str, payload: ReplyIn) -> Status[Any]:
    """A message the customer sees."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    return Status(201, actions.do_add_reply(ticket, actor=user, body=payload.body))


@router.post("/tickets/{number}/notes", response={201: EventOut, **WRITE_ERRORS})
def add_note(request: HttpRequest, number: str, payload: NoteIn) -> Status[Any]:
    """An internal note (agents only; never shown to the customer)."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    return Status(201, actions.do_add_note(ticket, actor=user, body=payload.body))


@router.post("/tickets/{number}/steps", response={201: EventOut, **WRITE_ERRORS})
def record_step(request: HttpRequest, number: str, payload: StepIn) -> Status[Any]:
    """A handling step with its result (agents only)."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    event = actions.do_record_step(
        ticket,
        actor=user,
        action=payload.action,
        result=payload.result,
        is_public=payload.is_public,
    )
    return Status(201, event)


@router.post("/tickets/{number}/calls", response={201: EventOut, **WRITE_ERRORS})
def log_call(request: HttpRequest, number: str, payload: CallIn) -> Status[Any]:
    """A phone call on this ticket (agents only)."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    event = actions.do_log_call(
        ticket,
        actor=user,
        direction=payload.direction,
        summary=payload.summary,
        phone_number=payload.phone_number,
        duration_seconds=payload.duration_seconds,
        started_at=_aware(payload.started_at),
    )
    return Status(201, event)


@router.get("/tickets/{number}/attachments", response={200: list[AttachmentOut], **COMMON_ERRORS})
def list_attachments(request: HttpRequest, number: str) -> QuerySet[Attachment]:
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    files = Attachment.objects.filter(ticket=ticket).order_by("created_at", "id")
    return files if permissions.is_agent(user) else files.filter(is_public=True)


@router.post("/tickets/{number}/attachments", response={201: list[AttachmentOut], **WRITE_ERRORS})
def add_attachments(
    request: HttpRequest,
    number: str,
    attachments: File[list[UploadedFile]],
    is_public: Form[bool] = True,
) -> Status[Any]:
    """Uploads files (multipart, field `attachments`, repeatable). Agents may keep them internal."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    stored = actions.do_add_attachments(ticket, actor=user, files=attachments, is_public=is_public)
    return Status(201, stored)


@router.get("/tickets/{number}/timeline", response={200: list[EventOut], **COMMON_ERRORS})
def ticket_timeline(request: HttpRequest, number: str) -> list[Any]:
    """Every event, oldest first, with merged tickets' events; customers see public ones."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    return selectors.timeline(ticket, user)


# --- links and merges ---------------------------------------------------------------------


@router.get("/tickets/{number}/links", response={200: list[LinkOut], **COMMON_ERRORS})
def list_links(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    outgoing = TicketLink.objects.filter(from_ticket=ticket).select_related("to_ticket")
    incoming = TicketLink.objects.filter(to_ticket=ticket).select_related("from_ticket")
    if not permissions.is_agent(user):
        # A link must not reveal another organization's ticket.
        outgoing = outgoing.filter(to_ticket__organization_id=user.organization_id or 0)
        incoming = incoming.filter(from_ticket__organization_id=user.organization_id or 0)
    rows = [(link.kind, "out", link.to_ticket) for link in outgoing]
    rows += [(link.kind, "in", link.from_ticket) for link in incoming]
    return [
        {"kind": kind, "direction": direction, "number": other.number, "subject": other.subject}
        for kind, direction, other in rows
    ]


@router.post("/tickets/{number}/links", response={201: LinkOut, **WRITE_ERRORS})
def link_ticket(request: HttpRequest, number: str, payload: LinkIn) -> Status[dict[str, Any]]:
    """Links this ticket to another (related, duplicate of, caused by)."""
    user = current_user(request)
    ticket = selectors.get_ticket_for_user(user, number)
    if not permissions.is_agent(user):
        raise PermissionDenied
    found = Lookups()
    other = found.ticket(user, "other", payload.other)
    found.check()
    assert other is not None
    link = actions.do_link_tickets(ticket, other, actor=user, kind=payload.kind)
    out = {"kind": link.kind, "direction": "out", "number": other.number, "subject": other.subject}
    return Status(201, out)


@router.post("/tickets/{number}/merge", response={200: TicketOut, **WRITE_ERRORS})
def merge_ticket(request: HttpRequest, number: str, payload: MergeIn) -> Ticket:
    """Merges this ticket into `into`; returns the ticket it was merged into."""
    user = current_user(request)
    source = selectors.get_ticket_for_user(user, number)
    if not permissions.is_agent(user):
        raise PermissionDenied
    found = Lookups()
    target = found.ticket(user, "into", payload.into)
    found.check()
    assert target is not None
    merged = actions.do_merge_tickets(source, target, actor=user, note=payload.note)
    return _reload(user, merged)
