"""Escalation requests, collaboration threads and availability under ``/api/v1/``.

Everything here is internal to the support team: customers get 404, as for any ticket
they may not see. Each operation parses a strict schema, loads through the access-checked
loaders, and calls the same action as the ticket page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from supportdesk.accounts.models import Team, User
from supportdesk.api.auth import current_user
from supportdesk.api.errors import COMMON_ERRORS, WRITE_ERRORS
from supportdesk.api.lookups import Lookups
from supportdesk.routing import actions, selectors
from supportdesk.routing.models import CollaborationThread, EscalationRequest, ThreadMessage
from supportdesk.tickets import permissions
from supportdesk.tickets.selectors import get_ticket_for_user

router = Router(tags=["routing"])


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class EscalationIn(StrictIn):
    to_team: int = Field(..., description="The suggested team (and so tier), by id.")
    impact: str = Field(..., description="Description and impact.")
    tried: str = Field(..., description="Solutions tried and their results.")
    reason: str = Field(..., description="Why it needs the next tier.")


class ReturnIn(StrictIn):
    reason: str


class EscalationOut(Schema):
    id: int
    ticket: str
    status: str
    from_team: int | None
    to_team: int
    impact: str
    tried: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    return_reason: str

    @staticmethod
    def resolve_ticket(obj: EscalationRequest) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_from_team(obj: EscalationRequest) -> int | None:
        return obj.from_team_id

    @staticmethod
    def resolve_to_team(obj: EscalationRequest) -> int:
        return obj.to_team_id

    @staticmethod
    def resolve_requested_by(obj: EscalationRequest) -> str:
        return str(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj: EscalationRequest) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class ThreadIn(StrictIn):
    team: int
    owner: int
    subject: str
    due_at: dt.datetime = Field(..., description="When the answer is expected (with offset).")
    message: str = ""
    tell_customer: bool = True


class MessageIn(StrictIn):
    body: str


class CloseIn(StrictIn):
    outcome: str


class MessageOut(Schema):
    id: int
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: ThreadMessage) -> str:
        return str(obj.author)


class ThreadOut(Schema):
    id: int
    ticket: str
    team: int
    owner: str
    subject: str
    due_at: dt.datetime
    overdue: bool
    status: str
    customer_notice: str
    outcome: str
    messages: list[MessageOut]

    @staticmethod
    def resolve_ticket(obj: CollaborationThread) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_team(obj: CollaborationThread) -> int:
        return obj.team_id

    @staticmethod
    def resolve_owner(obj: CollaborationThread) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_overdue(obj: CollaborationThread) -> bool:
        return obj.is_overdue(timezone.now())

    @staticmethod
    def resolve_messages(obj: CollaborationThread) -> list[ThreadMessage]:
        return list(obj.messages.all())


class AvailabilityIn(StrictIn):
    on_duty: bool
    away_until: dt.datetime | None = None
    note: str = ""


class AvailabilityOut(Schema):
    on_duty: bool
    away_until: dt.datetime | None
    note: str
    available: bool


def _agent(request: HttpRequest) -> User:
    user = current_user(request)
    if not permissions.is_agent(user):
        raise Http404("not found")
    return user


def _escalation(pk: int) -> EscalationRequest:
    return EscalationRequest.objects.select_related(
        "ticket", "from_team", "to_team", "requested_by", "decided_by"
    ).get(pk=pk)


def _thread(pk: int) -> CollaborationThread:
    return (
        CollaborationThread.objects.select_related("ticket", "team", "owner")
        .prefetch_related("messages__author")
        .get(pk=pk)
    )


@router.get("/escalation-requests", response={200: list[EscalationOut], **COMMON_ERRORS})
def pending_escalations(request: HttpRequest) -> list[EscalationRequest]:
    """Requests waiting for one of the caller's teams, oldest first."""
    user = _agent(request)
    return list(selectors.pending_escalations(user).select_related("requested_by", "decided_by"))


@router.get(
    "/tickets/{number}/escalation-requests", response={200: list[EscalationOut], **COMMON_ERRORS}
)
def ticket_escalations(request: HttpRequest, number: str) -> list[EscalationRequest]:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    return list(selectors.ticket_escalations(ticket).select_related("ticket"))


@router.post("/tickets/{number}/escalation-requests", response={201: EscalationOut, **WRITE_ERRORS})
def request_escalation(request: HttpRequest, number: str, payload: EscalationIn) -> Status[Any]:
    """Hands the ticket to the suggested team with the escalation form (R-ES-2)."""
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    found = Lookups()
    team = found.one(Team.objects.all(), "to_team", pk=payload.to_team)
    found.check()
    assert team is not None
    esc = actions.do_request_escalation(
        ticket, actor=user, to_team=team, impact=payload.impact, tried=payload.tried,
        reason=payload.reason,
    )  # fmt: skip
    return Status(201, _escalation(esc.pk))


@router.post("/escalation-requests/{pk}/accept", response={200: EscalationOut, **WRITE_ERRORS})
def accept_escalation(request: HttpRequest, pk: int) -> EscalationRequest:
    """A member of the receiving team takes the ticket."""
    user = _agent(request)
    esc = selectors.get_escalation_for_agent(user, pk)
    try:
        actions.do_accept_escalation(esc, actor=user)
    except PermissionDenied:
        raise Http404("not found") from None
    return _escalation(pk)


@router.post("/escalation-requests/{pk}/return", response={200: EscalationOut, **WRITE_ERRORS})
def return_escalation(request: HttpRequest, pk: int, payload: ReturnIn) -> EscalationRequest:
    """The receiving team sends the ticket back, saying why."""
    user = _agent(request)
    esc = selectors.get_escalation_for_agent(user, pk)
    try:
        actions.do_return_escalation(esc, actor=user, reason=payload.reason)
    except PermissionDenied:
        raise Http404("not found") from None
    return _escalation(pk)


@router.get(
    "/tickets/{number}/collaboration-threads", response={200: list[ThreadOut], **COMMON_ERRORS}
)
def ticket_threads(request: HttpRequest, number: str) -> list[CollaborationThread]:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    return list(selectors.ticket_threads(ticket).select_related("ticket"))


@router.post("/tickets/{number}/collaboration-threads", response={201: ThreadOut, **WRITE_ERRORS})
def open_thread(request: HttpRequest, number: str, payload: ThreadIn) -> Status[Any]:
    """Brings R&D or operations into the ticket with an owner and a deadline (R-ES-4)."""
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    found = Lookups()
    team = found.one(Team.objects.all(), "team", pk=payload.team)
    owner = found.one(User.objects.filter(is_active=True), "owner", pk=payload.owner)
    found.check()
    assert team is not None and owner is not None
    thread = actions.do_open_thread(
        ticket, actor=user, team=team, owner=owner, subject=payload.subject,
        due_at=payload.due_at, message=payload.message, tell_customer=payload.tell_customer,
    )  # fmt: skip
    return Status(201, _thread(thread.pk))


@router.post("/collaboration-threads/{pk}/messages", response={201: MessageOut, **WRITE_ERRORS})
def post_message(request: HttpRequest, pk: int, payload: MessageIn) -> Status[Any]:
    user = _agent(request)
    thread = selectors.get_thread_for_agent(user, pk)
    return Status(201, actions.do_post_thread_message(thread, actor=user, body=payload.body))


@router.post("/collaboration-threads/{pk}/close", response={200: ThreadOut, **WRITE_ERRORS})
def close_thread(request: HttpRequest, pk: int, payload: CloseIn) -> CollaborationThread:
    user = _agent(request)
    thread = selectors.get_thread_for_agent(user, pk)
    actions.do_close_thread(thread, actor=user, outcome=payload.outcome)
    return _thread(pk)


@router.get("/me/availability", response={200: AvailabilityOut, **COMMON_ERRORS})
def my_availability(request: HttpRequest) -> selectors.AvailabilityView:
    return selectors.availability_of(_agent(request), timezone.now())


@router.put("/me/availability", response={200: AvailabilityOut, **WRITE_ERRORS})
def set_availability(request: HttpRequest, payload: AvailabilityIn) -> selectors.AvailabilityView:
    """Whether routing may give the caller new tickets."""
    user = _agent(request)
    actions.do_set_availability(
        user, on_duty=payload.on_duty, away_until=payload.away_until, note=payload.note
    )
    return selectors.availability_of(user, timezone.now())
