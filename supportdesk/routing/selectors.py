"""Reads: a ticket's hand-overs, a team's pending requests and open threads.

Escalation requests and collaboration threads are internal: every loader here is for
agents, and views and the API 404 for anyone else before calling them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from supportdesk.accounts.models import Team, User
from supportdesk.routing.choices import EscalationStatus, ThreadStatus
from supportdesk.routing.models import (
    Availability,
    CollaborationThread,
    EscalationRequest,
    ThreadMessage,
)
from supportdesk.tickets import permissions
from supportdesk.tickets.models import Ticket


def my_team_ids(user: User) -> list[int]:
    return list(
        Team.objects.filter(Q(members=user) | Q(lead=user)).distinct().values_list("pk", flat=True)
    )


def ticket_escalations(ticket: Ticket) -> QuerySet[EscalationRequest]:
    return ticket.escalation_requests.select_related(
        "from_team", "to_team", "requested_by", "decided_by"
    ).order_by("-requested_at", "-id")


def ticket_threads(ticket: Ticket) -> QuerySet[CollaborationThread]:
    messages = ThreadMessage.objects.select_related("author").order_by("created_at", "id")
    return (
        ticket.collaboration_threads.select_related("team", "owner", "created_by")
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by("status", "due_at", "id")
    )


def pending_escalations(user: User) -> QuerySet[EscalationRequest]:
    """Requests waiting for one of the user's teams, oldest first."""
    return (
        EscalationRequest.objects.filter(
            status=EscalationStatus.PENDING, to_team_id__in=my_team_ids(user)
        )
        .select_related(
            "ticket__priority", "ticket__organization", "from_team", "to_team", "requested_by"
        )
        .order_by("requested_at", "id")
    )


def open_threads(user: User) -> QuerySet[CollaborationThread]:
    """Open threads of the user's teams or owned by the user, most urgent deadline first."""
    return (
        CollaborationThread.objects.filter(status=ThreadStatus.OPEN)
        .filter(Q(team_id__in=my_team_ids(user)) | Q(owner=user))
        .select_related("ticket__priority", "team", "owner")
        .order_by("due_at", "id")
    )


def get_escalation_for_agent(user: User, pk: int) -> EscalationRequest:
    request = (
        EscalationRequest.objects.select_related("ticket", "to_team", "from_team")
        .filter(pk=pk)
        .first()
    )
    if request is None or not permissions.is_agent(user):
        raise Http404("no such escalation request")
    return request


def get_thread_for_agent(user: User, pk: int) -> CollaborationThread:
    thread = CollaborationThread.objects.select_related("ticket", "team").filter(pk=pk).first()
    if thread is None or not permissions.is_agent(user):
        raise Http404("no such thread")
    return thread


@dataclass
class AvailabilityView:
    on_duty: bool
    away_until: dt.datetime | None
    note: str
    available: bool


def availability_of(user: User, now: dt.datetime) -> AvailabilityView:
    row = Availability.objects.filter(engineer=user).first()
    if row is None:
        return AvailabilityView(True, None, "", True)
    return AvailabilityView(row.on_duty, row.away_until, row.note, row.is_available(now))
