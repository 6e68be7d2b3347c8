import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.tests_support import Cast

pytestmark = pytest.mark.django_db

ACTIONS = ("reply", "note", "step", "call", "fields", "assign", "transition", "link", "merge")


def workspace_urls(cast: Cast) -> list[str]:
    ticket = cast.ticket()
    return [
        reverse("workspace:queue"),
        reverse("workspace:queue") + "?queue=all",
        reverse("workspace:new_ticket"),
        reverse("workspace:new_call"),
        reverse("workspace:organization_fields") + f"?organization={cast.org.pk}",
        reverse("workspace:ticket", args=[ticket.number]),
        reverse("workspace:organization_list"),
        reverse("workspace:organization", args=[cast.org.pk]),
    ]


def test_customers_get_404_on_every_workspace_page(client: Client, cast: Cast) -> None:
    urls = workspace_urls(cast)
    client.force_login(cast.customer)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_customers_cannot_post_to_any_ticket_form(client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    client.force_login(cast.customer)
    for action in ACTIONS:
        url = reverse(f"workspace:ticket_{action}", args=[ticket.number])
        response = client.post(url, {"body": "x", "action": "x", "summary": "x", "to": "closed"})
        assert response.status_code == 404, action
    assert ticket.events.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, cast: Cast) -> None:
    for url in workspace_urls(cast):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_every_engineer_role_reaches_the_workspace(client: Client, cast: Cast) -> None:
    for agent in (cast.l1, cast.l2, cast.lead, cast.admin):
        client.force_login(agent)
        assert client.get(reverse("workspace:queue")).status_code == 200


def test_unknown_ticket_number_is_404(l1_client: Client, cast: Cast) -> None:
    url = reverse("workspace:ticket", args=["TS209901010001"])
    assert l1_client.get(url).status_code == 404
