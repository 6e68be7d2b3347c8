"""Group robots (DingTalk / WeCom) hear warnings and breaches, signed, retried, visible."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
import time_machine

from supportdesk.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from supportdesk.notifications.tests.robot_server import robot, silent_robot
from supportdesk.notifications.webhooks import deliver_due
from supportdesk.sla import tasks
from supportdesk.sla.models import TicketClock
from supportdesk.sla.tests.conftest import Desk

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
WARN_75 = dt.datetime(2026, 11, 23, 14, 30, tzinfo=SH)
MINUTE = dt.timedelta(minutes=1)


def warn(desk: Desk) -> None:
    with desk.at(MONDAY_10):
        desk.cast.ticket(priority=desk.cast.priority("P2"), team=desk.cast.l1_team)
    with desk.at(WARN_75):
        tasks.fire_due_clocks()


def test_a_dingtalk_robot_gets_a_signed_warning_once(desk: Desk) -> None:
    with robot([200]) as bot:
        WebhookEndpoint.objects.create(name="值班群", kind="dingtalk", url=bot.url, secret="SEC123")
        warn(desk)
        with desk.at(WARN_75 + MINUTE):
            tasks.fire_due_clocks()
            deliver_due()
    assert len(bot.received) == 1
    assert bot.received[0]["msgtype"] == "text"
    assert "75%" in bot.received[0]["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(bot.paths[0]).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"][0] == expected
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENT


def test_a_robot_answering_500_is_retried_with_backoff_then_succeeds(desk: Desk) -> None:
    with robot([500, 500, 200]) as bot:
        WebhookEndpoint.objects.create(name="企业微信群", kind="wecom", url=bot.url)
        warn(desk)  # first attempt: 500
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        assert "500" in delivery.last_error
        assert delivery.next_attempt_at == WARN_75 + MINUTE
        with time_machine.travel(WARN_75 + 30 * dt.timedelta(seconds=1), tick=False):
            assert deliver_due() == 0  # not yet due: nothing sent
        with time_machine.travel(WARN_75 + MINUTE, tick=False):
            deliver_due()  # second attempt: 500, next in 2 minutes
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.next_attempt_at == WARN_75 + 3 * MINUTE
        with time_machine.travel(WARN_75 + 3 * MINUTE, tick=False):
            assert deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(bot.received) == 3


def test_a_robot_that_never_answers_times_out_without_holding_the_clock(
    desk: Desk,
    settings,
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    with silent_robot() as url:
        WebhookEndpoint.objects.create(name="坏掉的群", kind="wecom", url=url)
        warn(desk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.last_error
    # The warning itself was recorded regardless.
    assert [c.warned_levels for c in TicketClock.objects.filter(kind="first_response")] == [[75]]


def test_after_six_failures_the_delivery_is_given_up_and_stays_visible(desk: Desk) -> None:
    with robot([500] * 6) as bot:
        WebhookEndpoint.objects.create(name="企业微信群", kind="wecom", url=bot.url)
        warn(desk)
        moment = WARN_75
        for _ in range(6):
            moment += dt.timedelta(hours=1)
            with time_machine.travel(moment, tick=False):
                deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 6
    assert delivery.next_attempt_at is None
    assert len(bot.received) == 6
