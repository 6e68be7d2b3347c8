"""Clocks as people see them: ticket page, queue column, the customer's promised time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.sla import tasks
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tests_support import PASSWORD
from supportdesk.tickets import actions
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def login(user: User) -> Client:
    user.language = "en"
    user.time_zone = "Asia/Shanghai"
    user.save()
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def filed(desk: Desk, code: str = "P2", at: dt.datetime = MONDAY_10) -> Ticket:
    with desk.at(at):
        return desk.cast.ticket(priority=desk.cast.priority(code), team=desk.cast.l1_team)


def test_the_ticket_page_shows_working_time_left_on_each_target(desk: Desk) -> None:
    ticket = filed(desk)
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 30, tzinfo=SH), tick=False):
        page = login(desk.cast.l1).get(reverse("workspace:ticket", args=[ticket.number]))
    html = page.content.decode()
    assert 'id="sla-clocks"' in html
    # 4 h target, 1.5 h used: 2:30 left; due 15:30 Shanghai.
    assert "2:30 left" in html
    assert "2026-11-23 15:30" in html
    assert 'data-kind="first_response" data-state="ok"' in html


def test_a_warned_clock_turns_orange_and_a_breached_one_red(desk: Desk) -> None:
    ticket = filed(desk)
    client = login(desk.cast.l1)
    url = reverse("workspace:ticket", args=[ticket.number])
    with desk.at(dt.datetime(2026, 11, 23, 14, 30, tzinfo=SH)):
        tasks.fire_due_clocks()
    with time_machine.travel(dt.datetime(2026, 11, 23, 14, 31, tzinfo=SH), tick=False):
        assert 'data-kind="first_response" data-state="warning"' in client.get(url).content.decode()
    with desk.at(dt.datetime(2026, 11, 23, 16, 0, tzinfo=SH)):
        tasks.fire_due_clocks()
    with time_machine.travel(dt.datetime(2026, 11, 23, 16, 0, tzinfo=SH), tick=False):
        html = client.get(url).content.decode()
    assert 'data-kind="first_response" data-state="breached"' in html
    assert "0:30 overdue" in html
    assert "badge-red" in html


def test_a_paused_clock_shows_as_paused(desk: Desk) -> None:
    ticket = filed(desk)
    with desk.at(MONDAY_10 + dt.timedelta(minutes=30)):
        actions.do_transition(ticket, actor=desk.cast.l1, to=Status.DIAGNOSING)
        ticket.refresh_from_db()
        actions.do_transition(
            ticket, actor=desk.cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志"
        )
    with time_machine.travel(dt.datetime(2026, 11, 24, 17, 0, tzinfo=SH), tick=False):
        html = login(desk.cast.l1).get(reverse("workspace:ticket", args=[ticket.number]))
    text = html.content.decode()
    assert 'data-kind="resolution" data-state="paused"' in text


def test_the_queue_shows_the_nearest_deadline_without_extra_queries_per_row(
    desk: Desk, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        filed(desk)
    p0 = filed(desk, code="P0")
    client = login(desk.cast.l1)
    url = reverse("workspace:queue") + "?queue=all"
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=5), tick=False):
        few = len_queries(client, url)
        for _ in range(10):
            filed(desk)
        with django_assert_max_num_queries(few):
            html = client.get(url).content.decode()
    assert "SLA due" in html
    assert html.count("3:55 left") == 13  # the P2 tickets' first response
    assert "0:10 left" in html  # the P0's 15 minutes on 24×7
    assert p0.number in html


def len_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_the_customer_sees_the_promised_time_of_the_next_step(desk: Desk) -> None:
    ticket = filed(desk)
    client = login(desk.cast.customer)
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=5), tick=False):
        html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-testid="sla-promise"' in html
    assert "First response" in html and "2026-11-23 15:30" in html


def test_an_outsider_still_gets_404(desk: Desk) -> None:
    ticket = filed(desk)
    client = login(desk.cast.outsider)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404


def test_the_queue_sorts_by_breaches_soonest_across_pages(desk: Desk, settings) -> None:
    settings.QUEUE_PAGE_SIZE = 2
    p3 = filed(desk, code="P3")  # first response due after 24 working hours
    p2 = filed(desk, code="P2")  # 15:30
    p0 = filed(desk, code="P0")  # 10:15 (24×7)
    p1 = filed(desk, code="P1", at=MONDAY_10 + dt.timedelta(minutes=1))  # 10:31
    answered = filed(desk, code="P1")
    with desk.at(MONDAY_10 + dt.timedelta(minutes=2)):
        actions.do_add_reply(answered, actor=desk.cast.l1, body="已处理")  # next update 13:32
    client = login(desk.cast.l1)
    pages, url = [], reverse("workspace:queue") + "?queue=all&sort=sla_due"
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=5), tick=False):
        while url:
            response = client.get(url)
            pages.append([t.number for t in (row.ticket for row in response.context["rows"])])
            url = (
                response.context["next_url"]
                and reverse("workspace:queue") + response.context["next_url"]
            )
    assert pages == [
        [p0.number, p1.number],
        [answered.number, p2.number],
        [p3.number],
    ]


def test_the_clocks_panel_refreshes_itself_for_engineers_only(desk: Desk) -> None:
    ticket = filed(desk)
    url = reverse("sla:ticket_clocks", args=[ticket.number])
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH), tick=False):
        first = login(desk.cast.l1).get(url).content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 1, tzinfo=SH), tick=False):
        later = login(desk.cast.l1).get(url).content.decode()
    assert "3:00 left" in first and "2:59 left" in later
    assert 'hx-trigger="every 60s"' in first
    assert login(desk.cast.customer).get(url).status_code == 404
    other = filed(desk)
    assert (
        login(desk.cast.outsider).get(reverse("sla:ticket_clocks", args=[other.number])).status_code
        == 404
    )


def test_tickets_without_a_running_target_follow_across_pages(
    desk: Desk, settings, django_assert_max_num_queries
) -> None:
    settings.QUEUE_PAGE_SIZE = 2
    p2 = filed(desk, code="P2")
    p0 = filed(desk, code="P0")
    done = [filed(desk, code="P3") for _ in range(2)]
    with desk.at(MONDAY_10 + dt.timedelta(minutes=3)):
        for ticket in done:
            actions.do_transition(
                ticket, actor=desk.cast.l1, to=Status.CLOSED, close_reason="duplicate"
            )
    client = login(desk.cast.l1)
    pages, url = [], reverse("workspace:queue") + "?queue=all&sort=sla_due"
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=5), tick=False):
        while url:
            with django_assert_max_num_queries(25):
                response = client.get(url)
            pages.append([row.ticket.number for row in response.context["rows"]])
            url = (
                response.context["next_url"]
                and reverse("workspace:queue") + response.context["next_url"]
            )
    assert pages == [[p0.number, p2.number], [done[0].number, done[1].number]]


def test_the_order_is_the_same_when_a_large_queue_walks_the_deadline_index(
    desk: Desk, settings, monkeypatch
) -> None:
    from supportdesk.sla import selectors

    # Small queues are sorted from the ticket side: make every queue "large" here.
    monkeypatch.setattr(selectors, "SMALL_QUEUE", 0)
    test_the_queue_sorts_by_breaches_soonest_across_pages(desk, settings)
