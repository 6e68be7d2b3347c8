"""The organization's tickets in the portal (R-IN-2, R-CM-3)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.tests_support import Cast
from supportdesk.tickets import actions
from supportdesk.tickets.choices import CloseReason, Status

pytestmark = pytest.mark.django_db

LIST = reverse("portal:ticket_list")


def signed_in(user) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_customer_sees_a_colleagues_ticket_of_the_same_organization(cast: Cast) -> None:
    mine = cast.ticket(subject="我的工单")
    colleagues = cast.ticket(by=cast.colleague, subject="同事的工单")
    page = signed_in(cast.customer).get(LIST).content.decode()
    assert mine.number in page and colleagues.number in page
    assert "李娜" in page  # who filed it

    detail = signed_in(cast.customer).get(reverse("portal:ticket", args=[colleagues.number]))
    assert detail.status_code == 200
    assert "同事的工单" in detail.content.decode()


def test_customer_never_sees_another_organizations_tickets(cast: Cast) -> None:
    theirs = cast.ticket(by=cast.outsider, subject="北辰的问题")
    page = signed_in(cast.customer).get(LIST).content.decode()
    assert theirs.number not in page and "北辰的问题" not in page


def test_mine_shows_only_tickets_i_filed_and_state_filters_open_and_closed(cast: Cast) -> None:
    mine = cast.ticket(subject="我的工单")
    colleagues = cast.ticket(by=cast.colleague, subject="同事的工单")
    done = cast.ticket(subject="已关闭的工单")
    actions.do_transition(done, actor=cast.l1, to=Status.CLOSED, close_reason=CloseReason.WITHDRAWN)
    client = signed_in(cast.customer)

    page = client.get(LIST, {"scope": "mine"}).content.decode()
    assert mine.number in page and done.number in page and colleagues.number not in page

    page = client.get(LIST, {"state": "open"}).content.decode()
    assert mine.number in page and colleagues.number in page and done.number not in page

    page = client.get(LIST, {"state": "closed"}).content.decode()
    assert done.number in page and mine.number not in page


def test_list_is_newest_first_and_shows_the_last_update_in_the_users_time_zone(
    cast: Cast,
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC), tick=False):
        older = cast.ticket(subject="较早的工单")
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 5, tzinfo=dt.UTC), tick=False):
        newer = cast.ticket(subject="较新的工单")
    page = signed_in(cast.customer).get(LIST).content.decode()
    assert page.index(newer.number) < page.index(older.number)
    assert "2026-11-23 10:05" in page  # 02:05 UTC in Shanghai


def test_list_pages_through_all_tickets_with_a_cursor(cast: Cast, settings) -> None:
    numbers = [cast.ticket(subject=f"工单 {i}").number for i in range(27)]
    client = signed_in(cast.customer)
    first = client.get(LIST)
    assert first.context["next_url"]
    shown = {n for n in numbers if n in first.content.decode()}
    assert len(shown) == 25
    # htmx asks for just the next rows, appended in place of the "show more" row.
    rest = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    assert "<table" not in rest.content.decode()
    shown |= {n for n in numbers if n in rest.content.decode()}
    assert shown == set(numbers)
    assert not rest.context["next_url"]


def test_the_list_with_30_tickets_uses_as_many_queries_as_with_5(cast: Cast) -> None:
    for _ in range(5):
        cast.ticket(by=cast.colleague)
    client = signed_in(cast.customer)
    client.get(LIST)  # warm the session and caches
    with CaptureQueriesContext(connection) as five:
        assert client.get(LIST).status_code == 200
    for _ in range(25):
        cast.ticket(by=cast.colleague)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 25
    assert len(thirty) == len(five)


def test_the_list_is_served_in_a_bounded_number_of_queries(
    cast: Cast, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        cast.ticket()
    client = signed_in(cast.customer)
    # The session, the user, one page of tickets with priority and filer joined in.
    with django_assert_max_num_queries(3):
        client.get(LIST)
