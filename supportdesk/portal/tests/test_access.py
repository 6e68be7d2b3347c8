"""Only signed-in customers use the portal; engineers are sent to their workspace."""

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.tests_support import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["portal:ticket_list", "portal:new_ticket"])
def test_anonymous_visitors_are_sent_to_sign_in(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_anonymous_visitor_cannot_open_or_reply_to_a_ticket(cast: Cast) -> None:
    ticket = cast.ticket()
    client = Client()
    page = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    reply = client.post(reverse("portal:reply", args=[ticket.number]), {"body": "x"})
    assert reply.status_code == 302
    assert ticket.events.count() == 1


@pytest.mark.parametrize("who", ["l1", "l2", "lead", "admin"])
def test_engineers_are_redirected_to_the_workspace(cast: Cast, who: str) -> None:
    ticket = cast.ticket()
    client = Client()
    client.force_login(getattr(cast, who))
    for path in (reverse("portal:ticket_list"), reverse("portal:new_ticket")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("workspace:queue")
    response = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert response["Location"] == reverse("workspace:ticket", args=[ticket.number])
    client.post(reverse("portal:reply", args=[ticket.number]), {"body": "以客户身份回复"})
    assert ticket.events.count() == 1


def test_the_portal_refuses_a_post_without_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.customer)
    response = client.post(reverse("portal:new_ticket"), {"subject": "x", "description": "y"})
    assert response.status_code == 403
