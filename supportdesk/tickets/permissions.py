"""Who may do what to a ticket. Loaders in ``selectors`` decide who may *see* it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from supportdesk.tickets.choices import Status

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Ticket

# The only moves a customer makes themselves (R-SO-5): confirm the fix, or reopen.
CUSTOMER_TRANSITIONS = {
    Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: {Status.REOPENED},
}


def is_agent(user: User) -> bool:
    return bool(user.is_active and user.is_agent)


def agent_or_404(user: User) -> User:
    """The user, when staff: pages for agents don't exist for anyone else."""
    if not is_agent(user):
        raise Http404
    return user


def is_customer_of(user: User, ticket: Ticket) -> bool:
    return bool(
        user.is_active
        and user.is_customer
        and user.organization_id is not None
        and user.organization_id == ticket.organization_id
    )


def can_view(user: User, ticket: Ticket) -> bool:
    return is_agent(user) or is_customer_of(user, ticket)


def can_reply(user: User, ticket: Ticket) -> bool:
    if is_agent(user):
        return True
    return is_customer_of(user, ticket) and ticket.status not in (Status.CLOSED, Status.ARCHIVED)


def can_transition(user: User, ticket: Ticket, target: Status) -> bool:
    if is_agent(user):
        return True
    if is_customer_of(user, ticket):
        return target in CUSTOMER_TRANSITIONS.get(Status(ticket.status), set())
    return False
