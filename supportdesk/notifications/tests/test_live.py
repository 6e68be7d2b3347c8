"""The live feed an open page polls (issue 3, item 3): new notifications since a cursor."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.notifications.models import Notification
from supportdesk.tests_support import PASSWORD, Cast

pytestmark = pytest.mark.django_db

URL = reverse("notifications:live")


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def notify(user: User, title: str) -> Notification:
    return Notification.objects.create(recipient=user, key=title, title=title, body="正文")


def cursor_in(html: str) -> int:
    match = re.search(r"after=(\d+)", html)
    assert match, html
    return int(match.group(1))


def test_an_open_page_gets_only_what_arrives_after_it_opened(
    cast: Cast, django_assert_max_num_queries
) -> None:
    notify(cast.l1, "旧通知")
    client = client_for(cast.l1)
    first = client.get(URL).content.decode()
    assert "旧通知" not in first  # what existed when the page opened is not news
    cursor = cursor_in(first)
    with django_assert_max_num_queries(3):  # session, user, one range scan
        assert client.get(URL, {"after": cursor}).status_code == 204
    notify(cast.l1, "SLA 预警：TS0001")
    notify(cast.lead, "别人的通知")
    response = client.get(URL, {"after": cursor})
    html = response.content.decode()
    assert response.status_code == 200
    assert "SLA 预警：TS0001" in html and "别人的通知" not in html
    assert 'hx-swap-oob="afterbegin:#live-notifications-list"' in html
    assert cursor_in(html) > cursor
    assert client.get(URL, {"after": cursor_in(html)}).status_code == 204


def test_a_garbled_cursor_starts_over_and_strangers_are_sent_to_log_in(cast: Cast) -> None:
    notify(cast.l1, "x")
    response = client_for(cast.l1).get(URL, {"after": "abc'; --"})
    assert response.status_code == 200
    assert 'data-testid="live-notification"' not in response.content.decode()
    assert Client().get(URL).status_code == 302


def test_every_agent_page_listens_for_notifications_and_links_to_routing(cast: Cast) -> None:
    # Warnings must reach an engineer whatever page is open, not only a ticket page.
    agent_pages = [
        reverse("workspace:queue"),
        reverse("routing:inbox"),
        reverse("notifications:inbox"),
        reverse("workspace:ticket", args=[cast.ticket().number]),
    ]
    client = client_for(cast.l1)
    for url in agent_pages:
        html = client.get(url).content.decode()
        assert html.count('id="live-notifications-poll"') == 1, url
        assert f'href="{reverse("routing:inbox")}"' in html, url
        assert f'href="{reverse("routing:availability")}"' in html, url
    customer_page = client_for(cast.customer).get(reverse("portal:ticket_list")).content.decode()
    assert "live-notifications" not in customer_page
    assert reverse("routing:inbox") not in customer_page
