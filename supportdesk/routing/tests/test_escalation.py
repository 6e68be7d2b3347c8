"""The escalation request form hands a ticket to the next tier, which accepts or returns it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from supportdesk.core.errors import ActionError
from supportdesk.routing.actions import (
    do_accept_escalation,
    do_request_escalation,
    do_return_escalation,
)
from supportdesk.routing.choices import EscalationStatus
from supportdesk.routing.models import EscalationRequest
from supportdesk.routing.tests.conftest import Desk
from supportdesk.tickets.actions import do_assign
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

FORM = {
    "esc-impact": "全公司无法登录，影响 300 人",
    "esc-tried": "重启服务：无效；清理缓存：无效",
    "esc-reason": "需要查看认证服务日志，一线无权限",
}


def with_l1(desk: Desk) -> Ticket:
    c = desk.cast
    ticket = c.ticket()
    return do_assign(ticket, actor=c.lead, team=c.l1_team, assignee=c.l1)


def escalate(desk: Desk, ticket: Ticket) -> EscalationRequest:
    c = desk.cast
    return do_request_escalation(
        ticket, actor=c.l1, to_team=c.l2_team, impact=FORM["esc-impact"],
        tried=FORM["esc-tried"], reason=FORM["esc-reason"],
    )  # fmt: skip


def test_the_form_hands_the_ticket_to_the_next_tier_with_its_context(
    desk: Desk, client: Client
) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    client.force_login(c.l1)
    url = reverse("routing:escalate", args=[ticket.number])
    response = client.post(url, {**FORM, "esc-to_team": c.l2_team.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (c.l2_team, None)
    event = ticket.events.get(kind=EventKind.ESCALATION)
    assert not event.is_public and event.actor == c.l1
    for text in FORM.values():
        assert text in event.body
    # The receiving team sees it waiting, on the ticket and in its inbox.
    client.force_login(c.l2)
    panel = client.get(reverse("routing:panel", args=[ticket.number])).content.decode()
    assert "接受并接手" in panel
    inbox = client.get(reverse("routing:inbox")).content.decode()
    assert ticket.number in inbox


def test_accepting_assigns_the_ticket_to_the_receiving_engineer(desk: Desk, client: Client) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    request = escalate(desk, ticket)
    client.force_login(c.l2)
    response = client.post(reverse("routing:accept", args=[request.pk]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (c.l2_team, c.l2)
    request.refresh_from_db()
    assert request.status == EscalationStatus.ACCEPTED and request.decided_by == c.l2
    steps = [e.data["step"] for e in ticket.events.filter(kind=EventKind.ESCALATION)]
    assert steps == ["requested", "accepted"]
    with pytest.raises(ActionError):  # decided once
        do_accept_escalation(request, actor=c.l2)


def test_returning_sends_it_back_to_who_had_it_with_the_reason(desk: Desk) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    request = escalate(desk, ticket)
    with pytest.raises(ActionError):
        do_return_escalation(request, actor=c.l2, reason="  ")
    do_return_escalation(request, actor=c.l2, reason="请先收集认证服务日志")
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (c.l1_team, c.l1)
    last = ticket.events.filter(kind=EventKind.ESCALATION).last()
    assert last is not None and "请先收集认证服务日志" in last.body


def test_only_the_receiving_team_decides(desk: Desk, client: Client) -> None:
    request = escalate(desk, with_l1(desk))
    with pytest.raises(PermissionDenied):
        do_accept_escalation(request, actor=desk.l1b)
    client.force_login(desk.l1b)
    assert client.post(reverse("routing:accept", args=[request.pk])).status_code == 404
    assert EscalationRequest.objects.get(pk=request.pk).status == EscalationStatus.PENDING


def test_sending_the_ticket_straight_back_is_refused_as_a_loop(desk: Desk) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    do_accept_escalation(escalate(desk, ticket), actor=c.l2)
    with pytest.raises(ActionError) as refused:
        do_request_escalation(
            ticket, actor=c.l2, to_team=c.l1_team, impact="x", tried="y", reason="z"
        )
    assert "循环" in str(refused.value.message_dict["to_team"][0])
    # Onwards to R&D is fine.
    do_request_escalation(
        ticket, actor=c.l2, to_team=desk.rnd_team, impact="x", tried="y", reason="z"
    )


def test_a_second_request_while_one_is_pending_is_refused(desk: Desk) -> None:
    ticket = with_l1(desk)
    escalate(desk, ticket)
    with pytest.raises(ActionError) as refused:
        do_request_escalation(
            ticket, actor=desk.cast.l1, to_team=desk.rnd_team, impact="x", tried="y", reason="z"
        )
    assert "尚待答复" in str(refused.value.message_dict["to_team"][0])


def test_an_incomplete_form_is_refused_and_keeps_what_was_typed(desk: Desk, client: Client) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    client.force_login(c.l1)
    url = reverse("routing:escalate", args=[ticket.number])
    incomplete = {**FORM, "esc-to_team": c.l2_team.pk, "esc-tried": ""}
    response = client.post(url, incomplete, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert FORM["esc-impact"] in body and "这个字段是必填项" in body
    # Escalating to the team that has it: the action's reason, on the field.
    response = client.post(url, {**FORM, "esc-to_team": c.l1_team.pk})
    assert response.status_code == 422
    assert "工单已在该团队" in response.content.decode()
    assert not EscalationRequest.objects.exists()


def test_customers_and_other_organizations_cannot_see_escalations(
    desk: Desk, client: Client
) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    escalate(desk, ticket)
    for user in (c.customer, c.outsider):
        client.force_login(user)
        assert client.get(reverse("routing:panel", args=[ticket.number])).status_code == 404
        response = client.get(f"/api/v1/tickets/{ticket.number}/escalation-requests")
        assert response.status_code == 404
        assert client.get(reverse("routing:inbox")).status_code == 404


def test_the_api_requests_lists_and_accepts(desk: Desk, client: Client) -> None:
    c = desk.cast
    ticket = with_l1(desk)
    client.force_login(c.l1)
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/escalation-requests",
        json.dumps({"to_team": c.l2_team.pk, "impact": "影响大", "tried": "重启无效",
                    "reason": "需二线"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    refused = client.post(
        f"/api/v1/tickets/{ticket.number}/escalation-requests",
        json.dumps({"to_team": 999999, "impact": "", "tried": "", "reason": ""}),
        content_type="application/json",
    )
    assert refused.status_code == 422 and "to_team" in refused.json()["errors"]
    client.force_login(c.l2)
    pending = client.get("/api/v1/escalation-requests").json()
    assert [r["id"] for r in pending] == [pk]
    accepted = client.post(f"/api/v1/escalation-requests/{pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert client.get("/api/v1/escalation-requests").json() == []


def test_the_inbox_reads_a_constant_number_of_queries(desk: Desk, client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = desk.cast
    client.force_login(c.l2)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("routing:inbox")).status_code == 200
        return len(ctx.captured_queries)

    escalate(desk, with_l1(desk))
    one = count()
    for _ in range(4):
        escalate(desk, with_l1(desk))
    assert count() == one
