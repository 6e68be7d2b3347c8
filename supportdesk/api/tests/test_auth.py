import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import ApiToken
from supportdesk.api.tests.conftest import BASE, Api
from supportdesk.tests_support import Cast
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_bearer_token_authenticates_as_its_user(cast: Cast, api: Api) -> None:
    response = api.with_token(cast.l2).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "zhao.l2" and response.json()["role"] == "l2"


def test_token_caller_files_a_ticket_without_a_csrf_token(cast: Cast) -> None:
    _token, raw = ApiToken.issue(cast.customer, "监控脚本")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{BASE}/tickets",
        {"subject": "接口调用超时", "description": "批量同步接口超时。"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
    assert Ticket.objects.get().created_by == cast.customer


@pytest.mark.parametrize("header", ["Bearer sd_unknown", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_unknown_token_or_other_scheme_is_a_401(cast: Cast, api: Api, header: str) -> None:
    response = api.get("/tickets", Authorization=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_revoked_token_is_a_401_even_with_a_session(cast: Cast, api: Api) -> None:
    api.with_token(cast.l1)
    assert api.get("/me").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api.get("/me").status_code == 401
    api.as_user(cast.l1)
    assert api.get("/me").status_code == 401


def test_token_of_a_deactivated_user_is_a_401(cast: Cast, api: Api) -> None:
    api.with_token(cast.l1)
    cast.l1.is_active = False
    cast.l1.save(update_fields=["is_active"])
    assert api.get("/me").status_code == 401


def test_anonymous_caller_gets_401_everywhere(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    assert api.get("/tickets").status_code == 401
    assert api.get(f"/tickets/{ticket.number}").status_code == 401
    assert api.post("/tickets", {"subject": "a", "description": "b"}).status_code == 401
    assert api.get("/organizations").status_code == 401
    csrf_client = Api(Client(enforce_csrf_checks=True))
    assert csrf_client.post("/tickets", {"subject": "a"}).status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(cast: Cast, api: Api) -> None:
    api.with_token(cast.l1)
    start = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        api.get("/me")
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        api.get("/me")
    assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        api.get("/me")
    assert ApiToken.objects.get().last_used_at == start + dt.timedelta(seconds=61)


def test_repeated_token_reads_do_not_write(
    cast: Cast, api: Api, django_assert_max_num_queries
) -> None:
    api.with_token(cast.l1)
    api.get("/me")
    # The token lookup (with its user) only: no UPDATE of last_used_at within the minute.
    with django_assert_max_num_queries(1):
        assert api.get("/me").status_code == 200


def test_session_writes_need_the_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.customer)
    payload = {"subject": "报表导出失败", "description": "导出时报错。"}
    refused = client.post(f"{BASE}/tickets", payload, content_type="application/json")
    assert refused.status_code == 403
    assert Ticket.objects.count() == 0
    assert client.get(f"{BASE}/tickets").status_code == 200
    client.get(f"{BASE}/docs")  # sets the CSRF cookie, as every page with a form does
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{BASE}/tickets", payload, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_session_callers_get_their_own_language(cast: Cast, api: Api) -> None:
    cast.customer.language = "en"
    cast.customer.save(update_fields=["language"])
    response = api.as_user(cast.customer).post("/tickets", {"subject": "a"})
    assert response.json()["errors"]["description"] == ["This field is required."]
