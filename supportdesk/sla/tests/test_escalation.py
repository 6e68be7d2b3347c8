"""Automatic escalation (R-ES-3): the guides' "P1 not located in 30 minutes goes to L2"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from supportdesk.notifications.models import Notification
from supportdesk.sla import tasks
from supportdesk.sla.choices import ClockKind
from supportdesk.sla.escalation import run_escalation_rules
from supportdesk.sla.models import EscalationRule
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tickets import actions
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
MINUTE = dt.timedelta(minutes=1)


def p1_rule(desk: Desk, **extra: object) -> EscalationRule:
    return EscalationRule.objects.create(
        name="P1 30 分钟未定位原因转二线",
        priority=desk.cast.priority("P1"),
        only_without_root_cause=True,
        after_minutes=30,
        to_team=desk.cast.l2_team,
        **extra,
    )


def filed(desk: Desk, code: str = "P1", at: dt.datetime = MONDAY_10) -> Ticket:
    with desk.at(at):
        ticket = desk.cast.ticket(
            priority=desk.cast.priority(code), team=desk.cast.l1_team, assignee=desk.cast.l1
        )
    with desk.at(at + 10 * MINUTE):
        actions.do_record_step(
            ticket, actor=desk.cast.l1, action="检查服务器时间", result="时间正常"
        )
    return ticket


def run(desk: Desk, moment: dt.datetime) -> int:
    with desk.at(moment):
        return run_escalation_rules()


def escalations(ticket: Ticket) -> list[str]:
    return list(ticket.events.filter(kind=EventKind.ESCALATION).values_list("body", flat=True))


def test_a_p1_not_located_in_30_working_minutes_goes_to_l2_with_the_findings(desk: Desk) -> None:
    p1_rule(desk)
    ticket = filed(desk)
    assert run(desk, MONDAY_10 + 29 * MINUTE) == 0
    assert run(desk, MONDAY_10 + 30 * MINUTE) == 1
    ticket.refresh_from_db()
    assert ticket.team == desk.cast.l2_team and ticket.assignee is None
    (body,) = escalations(ticket)
    assert "P1 30 分钟未定位原因转二线" in body
    assert "检查服务器时间" in body  # the findings travel with the ticket
    # L2's lead hears about it.
    assert Notification.objects.filter(ticket=ticket, recipient=desk.cast.lead).exists()
    assert run(desk, MONDAY_10 + 31 * MINUTE) == 0
    assert len(escalations(ticket)) == 1


def test_the_30_minutes_are_working_minutes(desk: Desk) -> None:
    p1_rule(desk)
    ticket = filed(desk, at=dt.datetime(2026, 11, 23, 11, 50, tzinfo=SH))
    # 10 minutes before lunch, then 20 after 13:30.
    assert run(desk, dt.datetime(2026, 11, 23, 13, 49, tzinfo=SH)) == 0
    assert run(desk, dt.datetime(2026, 11, 23, 13, 50, tzinfo=SH)) == 1
    assert len(escalations(ticket)) == 1


def test_a_located_cause_means_no_escalation(desk: Desk) -> None:
    p1_rule(desk)
    ticket = filed(desk)
    with desk.at(MONDAY_10 + 20 * MINUTE):
        actions.do_update_fields(
            ticket, actor=desk.cast.l1, changes={"root_cause": "证书过期导致 token 校验失败"}
        )
    assert run(desk, MONDAY_10 + 40 * MINUTE) == 0


def test_a_breach_can_raise_the_priority_and_the_clock_follows(desk: Desk) -> None:
    EscalationRule.objects.create(
        name="首次响应超时升为 P1",
        on_breach=ClockKind.FIRST_RESPONSE,
        raise_priority_to=desk.cast.priority("P1"),
        notify_lead=False,
    )
    ticket = filed(desk, code="P2")
    due = dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
    with desk.at(due):
        tasks.fire_due_clocks()
        run_escalation_rules()
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1"
    retargets = ticket.events.filter(kind=EventKind.SLA, data__action="retargeted")
    assert retargets.exists()


def test_two_rules_handing_a_ticket_back_and_forth_stop_after_one_round(desk: Desk) -> None:
    EscalationRule.objects.create(
        name="一线→二线", after_minutes=30, from_team=desk.cast.l1_team, to_team=desk.cast.l2_team
    )
    EscalationRule.objects.create(
        name="二线→一线", after_minutes=30, from_team=desk.cast.l2_team, to_team=desk.cast.l1_team
    )
    ticket = filed(desk)
    for minutes in (30, 31, 32, 60, 120):
        run(desk, MONDAY_10 + minutes * MINUTE)
    assert len(escalations(ticket)) == 2
    ticket.refresh_from_db()
    assert ticket.team == desk.cast.l1_team


# The messages are matched in English; the desk's default language is Chinese.
@translation.override("en")
def test_rules_without_condition_or_action_or_to_the_same_team_are_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError, match="when the rule applies"):
        EscalationRule(name="x", to_team=desk.cast.l2_team).full_clean()
    with pytest.raises(ValidationError, match="what the rule does"):
        EscalationRule(name="x", after_minutes=5, notify_lead=False).full_clean()
    with pytest.raises(ValidationError, match="its own team"):
        EscalationRule(
            name="x", after_minutes=5, from_team=desk.cast.l2_team, to_team=desk.cast.l2_team
        ).full_clean()
