"""New tickets are routed by team rules, only to engineers on duty and not away (R-TK-4)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import ApiToken
from supportdesk.crm.choices import CustomerTier
from supportdesk.routing.actions import route_new_ticket
from supportdesk.routing.choices import RoutingMethod
from supportdesk.routing.models import Availability, EngineerSkill, TeamRouting, VipRoute
from supportdesk.routing.tests.conftest import Desk
from supportdesk.tickets.actions import NewTicket, do_assign, do_create_ticket_from_call
from supportdesk.tickets.choices import Channel, Classification, EventKind, TicketType
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.timeline_integrity import verify_timeline

pytestmark = pytest.mark.django_db


def routing_event(ticket: Ticket) -> TicketEvent:
    return ticket.events.get(kind=EventKind.ROUTING)


def test_without_routing_configuration_a_new_ticket_stays_as_filed(desk: Desk) -> None:
    ticket = desk.file()
    assert ticket.team is None and ticket.assignee is None
    assert not ticket.events.filter(kind=EventKind.ROUTING).exists()


def test_round_robin_gives_each_available_member_a_turn(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN)
    picks = [desk.file().assignee for _ in range(4)]
    assert picks == [c.l1, c.lead, desk.l1b, c.l1]
    ticket = Ticket.objects.order_by("pk").first()
    assert ticket is not None and ticket.team == c.l1_team
    event = routing_event(ticket)
    assert event.actor is None and event.actor_label == "自动分派"
    assert "to 一线支持" in event.body and "轮流分派" in event.body
    assert "陈一线" in event.body
    # The assignment itself follows as an ordinary assignment entry, and the chain holds.
    assert ticket.events.filter(kind=EventKind.ASSIGN).count() == 1
    assert verify_timeline(ticket) is None


def test_least_load_picks_the_engineer_with_fewest_open_tickets(desk: Desk) -> None:
    c = desk.cast
    for engineer in (c.l1, c.l1, c.lead):
        do_assign(c.ticket(), actor=c.lead, team=c.l1_team, assignee=engineer)
    desk.route_to(c.l1_team, RoutingMethod.LEAST_LOAD)
    ticket = desk.file()
    assert ticket.assignee == desk.l1b
    assert "未结工单最少（0）" in routing_event(ticket).body
    # Now l1b and lead have one each; the lower id wins the tie.
    assert desk.file().assignee == c.lead


def test_skills_route_by_product_line_and_category(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.SKILLS)
    EngineerSkill.objects.create(engineer=desk.l1b, product_line="企业管理")
    EngineerSkill.objects.create(engineer=c.lead, category=c.category("data"))
    both = EngineerSkill.objects.create(engineer=c.l1, product_line="企业管理")
    EngineerSkill.objects.create(engineer=c.l1, category=c.category("data"))
    ticket = desk.file(installed_product=c.product, category=c.category("data"))
    assert ticket.assignee == c.l1  # knows both the product line and the category
    assert "企业管理" in routing_event(ticket).body
    both.delete()
    assert desk.file(installed_product=c.product).assignee == desk.l1b
    # Nobody knows the function category: least load among everyone, said so.
    ticket = desk.file(category=c.category("function"))
    assert ticket.assignee == c.lead
    assert "没有人具备匹配的技能" in routing_event(ticket).body


def test_only_engineers_on_duty_and_not_away_get_tickets(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN)
    now = timezone.now()
    Availability.objects.create(engineer=c.l1, on_duty=False)
    Availability.objects.create(engineer=c.lead, away_until=now + dt.timedelta(hours=1))
    first, second = desk.file(), desk.file()
    assert first.assignee == second.assignee == desk.l1b
    assert "陈一线" in routing_event(first).body.splitlines()[-1]  # listed as not available
    with time_machine.travel(now + dt.timedelta(hours=1, minutes=1), tick=False):
        assert desk.file().assignee == c.lead  # back from being away


def test_when_nobody_is_available_the_ticket_waits_in_the_team_queue(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.LEAST_LOAD)
    for engineer in (c.l1, c.lead, desk.l1b):
        Availability.objects.create(engineer=engineer, on_duty=False)
    ticket = desk.file()
    assert ticket.team == c.l1_team and ticket.assignee is None
    assert "留在团队队列" in routing_event(ticket).body


def test_vip_customers_go_to_their_dedicated_engineer_before_any_rule(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN)
    c.org.tier = CustomerTier.VIP
    c.org.save(update_fields=["tier"])
    VipRoute.objects.create(customer_tier=CustomerTier.VIP, team=c.l2_team)
    ticket = desk.file()
    assert ticket.team == c.l2_team and ticket.assignee is None  # a queue-only dedicated team
    VipRoute.objects.create(organization=c.org, engineer=c.l2)
    ticket = desk.file()
    assert (ticket.team, ticket.assignee) == (c.l2_team, c.l2)
    assert "云帆科技有限公司" in routing_event(ticket).body
    # The dedicated engineer away: the team's own method decides, and the event says why.
    TeamRouting.objects.create(team=c.l2_team, method=RoutingMethod.ROUND_ROBIN)
    Availability.objects.create(engineer=c.l2, on_duty=False)
    ticket = desk.file()
    assert (ticket.team, ticket.assignee) == (c.l2_team, c.lead)
    assert "专属工程师 赵二线 不在岗或外出" in routing_event(ticket).body


def test_classification_drives_the_route_and_is_recorded(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(
        desk.rnd_team, RoutingMethod.ROUND_ROBIN, classification=Classification.REQUIREMENT,
        order=1,
    )  # fmt: skip
    desk.route_to(c.l2_team, RoutingMethod.ROUND_ROBIN, classification=Classification.ASSISTED)
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN, order=200)
    ticket = desk.file(type=TicketType.REQUEST)
    assert (ticket.team, ticket.assignee) == (desk.rnd_team, desk.rnd)
    assert ticket.classification == Classification.REQUIREMENT
    assert "分类：需求" in routing_event(ticket).body
    assert desk.file(classification=Classification.ASSISTED).team == c.l2_team
    assert desk.file().team == c.l1_team  # no classification: the catch-all rule


def test_routing_happens_once_even_if_the_job_runs_again(desk: Desk) -> None:
    desk.route_to(desk.cast.l1_team, RoutingMethod.ROUND_ROBIN)
    ticket = desk.file()
    assert route_new_ticket(ticket.pk) is False
    assert ticket.events.filter(kind=EventKind.ROUTING).count() == 1


def test_a_ticket_filed_with_an_assignee_is_left_alone(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN)
    with desk.committed():
        ticket = do_create_ticket_from_call(
            NewTicket(subject="电话报障", description="打印失败", organization=c.org,
                      channel=Channel.PHONE, team=c.l1_team, assignee=c.lead),
            actor=c.lead, summary="客户来电",
        )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.assignee == c.lead
    assert not ticket.events.filter(kind=EventKind.ROUTING).exists()


def test_a_phone_ticket_filed_to_a_team_is_routed_within_it(desk: Desk) -> None:
    c = desk.cast
    TeamRouting.objects.create(team=c.l1_team, method=RoutingMethod.ROUND_ROBIN)
    with desk.committed():
        ticket = do_create_ticket_from_call(
            NewTicket(subject="电话报障", description="打印失败", organization=c.org,
                      channel=Channel.PHONE, team=c.l1_team),
            actor=c.lead, summary="客户来电",
        )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.assignee == c.l1
    assert "提交时指定的团队" in routing_event(ticket).body


def test_a_ticket_filed_through_the_api_is_routed(desk: Desk, client: Client) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN)
    _token, raw = ApiToken.issue(c.customer, "tests")
    with desk.committed():
        response = client.post(
            "/api/v1/tickets",
            json.dumps({"subject": "接口报障", "description": "同步失败"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.team, ticket.assignee) == (c.l1_team, c.l1)


def test_an_email_ticket_is_routed(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l2_team, RoutingMethod.ROUND_ROBIN, channel=Channel.EMAIL)
    ticket = desk.file(channel=Channel.EMAIL)
    assert (ticket.team, ticket.assignee) == (c.l2_team, c.l2)
    assert desk.file().team is None  # a portal ticket matches no rule


def test_the_demo_configuration_routes_new_tickets_but_not_the_demo_history(desk: Desk) -> None:
    from supportdesk.routing.demo import load_demo

    c = desk.cast
    history = c.ticket()
    load_demo()
    assert route_new_ticket(history.pk) is False
    assert desk.file().assignee == c.l1  # catch-all rule, L1 round robin
    assert desk.file(classification=Classification.REQUIREMENT).team == desk.rnd_team
