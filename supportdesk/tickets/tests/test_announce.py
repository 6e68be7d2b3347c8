"""A committed event is announced by the worker: the request queues one job, nothing more."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import ApiToken
from supportdesk.tests_support import Cast, queued_task_names, run_worker
from supportdesk.tickets.actions import do_add_reply
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.signals import announced_in_process, ticket_event_recorded

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard() -> Iterator[list[tuple[int, str]]]:
    """(ticket id, kind) of every announcement a receiver got, in order."""
    calls: list[tuple[int, str]] = []

    def listener(sender: Any, ticket_id: int, event_id: int, kind: str, **kwargs: Any) -> None:
        calls.append((ticket_id, kind))

    ticket_event_recorded.connect(listener, dispatch_uid="test-announce-listener")
    try:
        yield calls
    finally:
        ticket_event_recorded.disconnect(dispatch_uid="test-announce-listener")


def test_receivers_hear_of_a_new_ticket_from_the_worker_not_the_request(
    cast: Cast, queued_jobs: None, heard: list[tuple[int, str]]
) -> None:
    ticket = cast.ticket()

    # Routing, SLA clocks, mail and the index all wait for one queued job.
    assert queued_task_names() == ["announce_event"]
    assert heard == []

    run_worker()

    assert (ticket.pk, EventKind.CREATED) in heard


def test_one_job_per_event(cast: Cast, queued_jobs: None, heard: list[tuple[int, str]]) -> None:
    ticket = cast.ticket()
    run_worker()
    heard.clear()

    do_add_reply(ticket, actor=cast.l1, body="请清除浏览器缓存后重试。")
    do_add_reply(ticket, actor=cast.customer, body="已清除，仍然提示 token 失效。")

    assert queued_task_names().count("announce_event") == 2
    run_worker()
    assert heard.count((ticket.pk, EventKind.REPLY)) == 2


def test_a_bulk_load_can_have_events_announced_in_its_own_process(
    cast: Cast, queued_jobs: None, heard: list[tuple[int, str]]
) -> None:
    with announced_in_process():
        ticket = cast.ticket()

    assert (ticket.pk, EventKind.CREATED) in heard
    assert "announce_event" not in queued_task_names()


def test_filing_through_the_api_stays_within_its_queries(cast: Cast, queued_jobs: None) -> None:
    _token, raw = ApiToken.issue(cast.l1, "tests")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {"subject": "报表导出失败", "description": "提示 ERR_1024", "organization": cast.org.pk}
    client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")

    assert response.status_code == 201
    # Token, organization, default priority; in the transaction: numbering (with the new
    # ticket's id), the SLA settings' version (policies and calendars are kept in memory
    # while it stands), ticket (written once, with its event's hash), event. The answer is
    # the ticket as filed, not read back. Nothing a receiver reads or writes is on this
    # path, and the queue gets one job per ticket (one write to its store). 11 before
    # policies and calendars were kept and the answer was read back, 8 with the version
    # written by an UPDATE after the insert.
    statements = [q["sql"] for q in queries.captured_queries]
    statements = [s for s in statements if s not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]
    assert len(statements) <= 7
    assert queued_task_names() == ["announce_event", "announce_event"]
