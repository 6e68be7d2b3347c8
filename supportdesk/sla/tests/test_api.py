from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from supportdesk.api.tests.conftest import Api
from supportdesk.sla.tests.conftest import Desk

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def test_an_integration_reads_the_clocks_with_a_token(desk: Desk) -> None:
    with desk.at(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"))
    api = Api(Client()).with_token(desk.cast.l1)
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH), tick=False):
        response = api.get(f"/tickets/{ticket.number}/sla")
    assert response.status_code == 200
    first = {c["kind"]: c for c in response.json()}["first_response"]
    assert first["working_seconds_left"] == 3 * 3600
    assert first["display_state"] == "ok"
    assert first["calendar"] == "中国大陆工作日"


def test_customers_do_not_see_internal_clocks(desk: Desk) -> None:
    ticket = desk.cast.ticket()
    response = Api(Client()).with_token(desk.cast.customer).get(f"/tickets/{ticket.number}/sla")
    assert response.status_code == 404
