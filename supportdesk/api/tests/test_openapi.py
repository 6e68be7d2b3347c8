import re

import pytest
from django.test import Client

from supportdesk.api.tests.conftest import BASE, Api, published_document
from supportdesk.tests_support import Cast, upload
from supportdesk.tickets import actions

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_published_and_lists_every_resource() -> None:
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/transitions",
        "/api/v1/tickets/{number}/replies",
        "/api/v1/tickets/{number}/notes",
        "/api/v1/tickets/{number}/attachments",
        "/api/v1/tickets/{number}/timeline",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}/contacts",
        "/api/v1/products",
    ):
        assert path in paths
    schemes = response.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_the_docs_page_loads_nothing_from_another_origin(client: Client) -> None:
    response = client.get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset


def test_responses_match_the_document(cast: Cast, api: Api) -> None:
    """Each call below is checked against its documented schema by the test client;
    this walks the main resources (and their errors) once, as agent and customer."""
    document = published_document()
    ticket = cast.ticket(attachments=[upload()], installed_product=cast.product)
    actions.do_add_note(ticket, actor=cast.l1, body="内部备注")
    actions.do_assign(ticket, actor=cast.lead, team=cast.l1_team, assignee=cast.l1)
    for user in (cast.l1, cast.customer):
        api.as_user(user)
        for path in (
            "/me",
            "/tickets",
            f"/tickets/{ticket.number}",
            f"/tickets/{ticket.number}/timeline",
            f"/tickets/{ticket.number}/attachments",
            f"/tickets/{ticket.number}/transitions",
            f"/tickets/{ticket.number}/links",
            "/organizations",
            f"/organizations/{cast.org.pk}",
            f"/organizations/{cast.org.pk}/contacts",
            f"/organizations/{cast.org.pk}/installed-products",
            "/contacts",
            "/products",
            "/priorities",
            "/categories",
        ):
            response = api.get(path)
            assert response.status_code == 200, path
    # Errors have documented shapes too.
    api.as_user(cast.l1)
    assert api.get("/tickets/TS000").status_code == 404
    assert api.post("/tickets", {"subject": ""}).status_code == 422
    body = api.post("/tickets", {"subject": ""}).json()
    assert document.errors(body, {"$ref": "#/components/schemas/ValidationErrorOut"}) == []


def test_the_checker_catches_a_response_that_strays_from_the_document() -> None:
    document = published_document()
    schema = document.response_schema("get", f"{BASE}/tickets/TS202611230001", 200)
    assert schema is not None
    problems = document.errors({"number": 1, "surprise": True}, schema)
    assert "$.number: 1 is not string" in problems
    assert "$: 'surprise' is not declared" in problems
    assert "$: missing required 'subject'" in problems
