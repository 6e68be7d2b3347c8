"""The demo desk: loaded once, in every status, consistent, and every demo login works."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import Team, User
from supportdesk.core.demo_data import DEMO_LOGINS, DEMO_PASSWORD, HISTORY_DAYS, load_demo_data
from supportdesk.crm.models import Contact, InstalledProduct, Organization
from supportdesk.intake.choices import OutboundKind
from supportdesk.intake.models import OutboundMessage
from supportdesk.tickets import actions, tasks
from supportdesk.tickets.choices import Channel, CloseReason, EventKind, Status
from supportdesk.tickets.models import Attachment, Priority, Ticket, TicketEvent
from supportdesk.tickets.selectors import visible_tickets
from supportdesk.tickets.timeline_integrity import verify_timeline

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Ticket, TicketEvent, Organization, Contact, InstalledProduct, User, Team)
    }


def test_the_full_demo_desk_has_tickets_in_every_status_and_channel() -> None:
    assert load_demo_data(now=NOW) == 300
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Organization.objects.count() == 8
    assert set(Organization.objects.values_list("tier", flat=True)) == {"standard", "key", "vip"}
    assert set(Team.objects.values_list("name", flat=True)) == {
        "一线支持", "二线支持", "研发", "运维", "硬件供应商"
    }  # fmt: skip
    assert all(Team.objects.get(name=name).members.exists() for name in ("研发", "运维"))
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Attachment.objects.exists()


def test_the_demo_history_sends_no_mail_but_a_new_ticket_is_acknowledged(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # Months of replayed history must not mail hundreds of stale acknowledgements and
    # replies to the demo customers the moment the demo starts.
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_data(tickets=40, now=NOW)
    assert OutboundMessage.objects.count() == 0

    customer = User.objects.get(username="liu.yang")
    draft = actions.NewTicket(
        subject="登录后提示 token 失效",
        description="今天早上开始登录即提示 token 失效。",
        priority=Priority.objects.get(code="P2"),
        organization=customer.organization,
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.do_create_ticket(draft, actor=customer)
    ack = OutboundMessage.objects.get()
    assert (ack.ticket, ack.kind, ack.to) == (
        ticket,
        OutboundKind.ACKNOWLEDGEMENT,
        [customer.email],
    )


def test_loading_twice_adds_nothing() -> None:
    assert load_demo_data(tickets=40, now=NOW) == 40
    before = counts()
    assert load_demo_data(tickets=40, now=NOW) == 0
    assert counts() == before


def test_the_same_seed_and_clock_give_the_same_desk() -> None:
    def snapshot() -> list[tuple[str, str, str]]:
        load_demo_data(tickets=30, now=NOW, seed=7)
        return list(Ticket.objects.order_by("number").values_list("number", "subject", "status"))

    class Rollback(Exception):
        pass

    first: list[tuple[str, str, str]] = []
    try:
        with transaction.atomic():
            first = snapshot()
            raise Rollback
    except Rollback:
        pass
    assert Ticket.objects.count() == 0
    assert snapshot() == first


def test_demo_history_is_in_the_past_and_every_timeline_is_intact() -> None:
    load_demo_data(tickets=60, now=NOW)
    events = TicketEvent.objects.all()
    assert not events.filter(created_at__gt=NOW).exists()
    # The SLA's entries are written as the story goes, at the moments they explain (a
    # clock starts when its ticket is filed), not all at once when the load ends.
    for ticket in Ticket.objects.all():
        filed = events.get(ticket=ticket, kind=EventKind.CREATED).created_at
        first_sla = events.filter(ticket=ticket, kind=EventKind.SLA).order_by("pk").first()
        assert first_sla is not None and first_sla.created_at == filed, ticket.number
    assert not events.filter(created_at__lt=NOW - dt.timedelta(days=HISTORY_DAYS)).exists()
    shanghai = ZoneInfo(settings.TIME_ZONE)
    for ticket in Ticket.objects.all():
        assert verify_timeline(ticket) is None, ticket.number
        # Numbers carry the local date of creation, as the numbering rule says.
        assert ticket.number[2:10] == ticket.created_at.astimezone(shanghai).strftime("%Y%m%d")


def test_the_demo_data_agrees_with_the_closure_sweeps() -> None:
    load_demo_data(tickets=120, now=NOW)
    # Nothing is overdue when the worker starts: the demo keeps its resolved and closed tickets.
    assert tasks.close_unanswered_resolutions(NOW) == 0
    assert tasks.archive_closed_tickets(NOW) == 0
    no_response = Ticket.objects.filter(close_reason=CloseReason.NO_RESPONSE)
    for ticket in no_response:
        assert ticket.closed_at is not None and ticket.resolved_at is not None
        assert ticket.closed_at - ticket.resolved_at >= dt.timedelta(days=settings.AUTO_CLOSE_DAYS)
    archived = Ticket.objects.filter(status=Status.ARCHIVED).exclude(archived_at=None)
    assert archived.exists()
    for ticket in archived:
        assert ticket.archived_at - ticket.closed_at >= dt.timedelta(  # type: ignore[operator]
            days=settings.AUTO_ARCHIVE_DAYS
        )


def test_tickets_read_like_a_real_desk() -> None:
    load_demo_data(tickets=60, now=NOW)
    closed = Ticket.objects.filter(status__in=[Status.CLOSED, Status.ARCHIVED])
    assert closed.exists()
    for ticket in closed:
        assert ticket.solution.startswith(("1.", "当前版本")), ticket.number
        assert ticket.close_reason
        assert ticket.events.filter(kind=EventKind.STEP).exists()
    filed = Ticket.objects.exclude(installed_product=None)
    assert filed.count() == Ticket.objects.count()
    for ticket in filed.select_related("installed_product"):
        assert ticket.installed_product.organization_id == ticket.organization_id  # type: ignore[union-attr]
    assert Ticket.objects.filter(subject__contains="token").exists()


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=[login.username for login in DEMO_LOGINS])
def test_every_demo_login_signs_in_and_sees_what_their_role_allows(login) -> None:
    load_demo_data(tickets=40, now=NOW)
    client = Client()
    response = client.post("/login/", {"username": login.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(username=login.username)
    assert client.session["_auth_user_id"] == str(user.pk)
    visible = visible_tickets(user)
    if user.is_customer:
        assert visible.exists()
        assert set(visible.values_list("organization_id", flat=True)) == {user.organization_id}
        assert visible.count() < Ticket.objects.count()
    else:
        assert visible.count() == Ticket.objects.count()
    home = client.get("/", follow=True)
    assert home.status_code == 200
    landing = home.redirect_chain[-1][0]
    assert landing.startswith("/portal/" if user.is_customer else "/desk/")
    if user.is_customer:
        assert user.organization_id is not None
        others = Ticket.objects.exclude(organization_id=user.organization_id)
        page = home.content.decode()
        assert not [number for number in others.values_list("number", flat=True) if number in page]
    admin_page = client.get("/admin/")
    assert admin_page.status_code == (200 if user.role == Role.ADMIN else 302)


def test_demo_logins_cover_every_role() -> None:
    load_demo_data(tickets=10, now=NOW)
    roles = {User.objects.get(username=login.username).role for login in DEMO_LOGINS}
    assert roles == set(Role.values)


def test_loading_leaves_nothing_behind_when_it_fails(monkeypatch) -> None:
    from supportdesk.core import demo_data

    def broken_story(self) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_data._Story, "play", broken_story)
    with pytest.raises(RuntimeError):
        load_demo_data(tickets=5, now=NOW)
    assert counts() == dict.fromkeys(counts(), 0)


def test_demo_times_are_before_the_real_clock_by_default() -> None:
    load_demo_data(tickets=10)
    assert not TicketEvent.objects.filter(created_at__gt=timezone.now()).exists()
