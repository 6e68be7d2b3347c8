"""The routing desk: the shared cast plus an R&D team, a third L1 engineer, and a way to file
tickets that runs what happens after commit (routing is a receiver of "ticket created")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from supportdesk.accounts.choices import Role, TeamKind
from supportdesk.accounts.models import Team, User
from supportdesk.routing.models import RouteRule, TeamRouting
from supportdesk.tests_support import Cast, make_user
from supportdesk.tickets.models import Ticket


@dataclass
class Desk:
    cast: Cast
    l1b: User
    rnd: User
    rnd_team: Team
    capture: Callable[..., Any]

    def file(self, **fields: Any) -> Ticket:
        """Files a ticket as the customer; routing runs after the commit, as in production."""
        with self.capture(execute=True):
            ticket = self.cast.ticket(**fields)
        ticket.refresh_from_db()
        return ticket

    @contextmanager
    def committed(self) -> Iterator[None]:
        with self.capture(execute=True):
            yield

    def route_to(self, team: Team, method: str, **rule: Any) -> TeamRouting:
        RouteRule.objects.create(name=f"to {team.name}", team=team, **rule)
        return TeamRouting.objects.create(team=team, method=method)


@pytest.fixture
def desk(cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]) -> Desk:
    l1b = make_user("liu.l1", Role.L1, display_name="刘一线")
    cast.l1_team.members.add(l1b)
    rnd = make_user("wu.rnd", Role.L2, display_name="吴研发")
    rnd_team = Team.objects.create(name="研发中心", kind=TeamKind.RND, lead=rnd)
    rnd_team.members.add(rnd)
    return Desk(cast, l1b, rnd, rnd_team, django_capture_on_commit_callbacks)
