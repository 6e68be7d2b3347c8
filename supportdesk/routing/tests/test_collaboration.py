"""Collaboration threads bring R&D or operations in; the customer is told the expected time."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from supportdesk.core.errors import ActionError
from supportdesk.routing.actions import do_close_thread, do_open_thread, do_post_thread_message
from supportdesk.routing.choices import ThreadStatus
from supportdesk.routing.models import Availability, CollaborationThread
from supportdesk.routing.tests.conftest import Desk
from supportdesk.tickets.choices import EventKind

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def test_a_thread_has_an_owner_a_deadline_and_tells_the_customer_when(
    desk: Desk, client: Client
) -> None:
    c = desk.cast
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = c.ticket(contact=c.org.contacts.get(name="张伟"))
        thread = do_open_thread(
            ticket, actor=c.l2, team=desk.rnd_team, owner=desk.rnd,
            subject="认证服务 token 过期时间异常", due_at=MONDAY_10 + dt.timedelta(hours=2),
            message="请看附件日志中 10:02 的报错",
        )  # fmt: skip
    internal, public = ticket.events.filter(kind=EventKind.COLLABORATION).order_by("pk")
    assert not internal.is_public and "认证服务 token 过期时间异常" in internal.body
    assert public.is_public
    assert public.body == "我们已请研发同事协助排查，预计 2026年11月23日 12:00 前反馈结果。"
    assert thread.messages.get().body == "请看附件日志中 10:02 的报错"
    # The customer sees the expected time on their ticket, never the internal thread.
    client.force_login(c.customer)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "预计 2026年11月23日 12:00 前反馈结果" in page
    assert "认证服务 token 过期时间异常" not in page
    assert "10:02 的报错" not in page


def test_an_open_thread_past_its_deadline_is_flagged_overdue(desk: Desk, client: Client) -> None:
    c = desk.cast
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = c.ticket()
        thread = do_open_thread(
            ticket, actor=c.l2, team=desk.rnd_team, owner=desk.rnd, subject="查数据库慢查询",
            due_at=MONDAY_10 + dt.timedelta(hours=2), tell_customer=False,
        )  # fmt: skip
    assert not ticket.events.filter(kind=EventKind.COLLABORATION, is_public=True).exists()
    client.force_login(desk.rnd)
    panel = reverse("routing:panel", args=[ticket.number])
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1, minutes=59), tick=False):
        assert not thread.is_overdue(dt.datetime.now(tz=SH))
        assert 'data-testid="overdue"' not in client.get(panel).content.decode()
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=2, minutes=1), tick=False):
        assert 'data-testid="overdue"' in client.get(panel).content.decode()
        assert "已超期" in client.get(reverse("routing:inbox")).content.decode()
        do_post_thread_message(thread, actor=desk.rnd, body="慢查询已定位：缺索引")
        do_close_thread(thread, actor=desk.rnd, outcome="已加索引，待客户验证")
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.CLOSED
    closed = ticket.events.filter(kind=EventKind.COLLABORATION).last()
    assert closed is not None and closed.data["overdue"] is True
    with pytest.raises(ActionError):
        do_post_thread_message(thread, actor=desk.rnd, body="再补充一句")


def test_bad_thread_input_is_refused_with_reasons(desk: Desk, client: Client) -> None:
    c = desk.cast
    ticket = c.ticket()
    client.force_login(c.l2)
    response = client.post(
        reverse("routing:open_thread", args=[ticket.number]),
        {"thread-team": desk.rnd_team.pk, "thread-owner": c.l1.pk, "thread-subject": "查日志",
         "thread-due_at": "2000-01-01T10:00", "thread-tell_customer": "on"},
    )  # fmt: skip
    assert response.status_code == 422
    body = response.content.decode()
    assert "截止时间必须在将来" in body and "不是 研发中心 的成员" in body and "查日志" in body
    assert not CollaborationThread.objects.exists()


def test_customers_and_other_organizations_cannot_reach_threads(desk: Desk, client: Client) -> None:
    c = desk.cast
    ticket = c.ticket()
    thread = do_open_thread(
        ticket, actor=c.l2, team=desk.rnd_team, owner=desk.rnd, subject="内部问题",
        due_at=dt.datetime.now(tz=SH) + dt.timedelta(hours=2),
    )  # fmt: skip
    for user in (c.customer, c.outsider):
        client.force_login(user)
        listed = client.get(f"/api/v1/tickets/{ticket.number}/collaboration-threads")
        assert listed.status_code == 404
        response = client.post(
            f"/api/v1/collaboration-threads/{thread.pk}/messages",
            json.dumps({"body": "我也想看"}), content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 404
    assert thread.messages.count() == 0


def test_the_api_opens_lists_and_closes_threads(desk: Desk, client: Client) -> None:
    c = desk.cast
    ticket = c.ticket()
    client.force_login(c.l2)
    due = (dt.datetime.now(tz=SH) + dt.timedelta(hours=4)).isoformat()
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/collaboration-threads",
        json.dumps({"team": desk.rnd_team.pk, "owner": desk.rnd.pk, "subject": "查接口",
                    "due_at": due}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    thread = response.json()
    assert thread["overdue"] is False and thread["customer_notice"]
    listed = client.get(f"/api/v1/tickets/{ticket.number}/collaboration-threads").json()
    assert [t["id"] for t in listed] == [thread["id"]]
    closed = client.post(
        f"/api/v1/collaboration-threads/{thread['id']}/close",
        json.dumps({"outcome": ""}), content_type="application/json",
    )  # fmt: skip
    assert closed.status_code == 422 and "outcome" in closed.json()["errors"]
    closed = client.post(
        f"/api/v1/collaboration-threads/{thread['id']}/close",
        json.dumps({"outcome": "接口已修复"}), content_type="application/json",
    )  # fmt: skip
    assert closed.json()["status"] == "closed"


def test_an_engineer_sets_their_own_availability(desk: Desk, client: Client) -> None:
    c = desk.cast
    client.force_login(c.l1)
    url = reverse("routing:availability")
    refused = client.post(url, {"on_duty": "on", "away_until": "2000-01-01T09:00"})
    assert refused.status_code == 422 and "请选择将来的时间" in refused.content.decode()
    assert not Availability.objects.exists()
    assert client.post(url, {"note": "年假"}).status_code == 302
    row = Availability.objects.get(engineer=c.l1)
    assert row.on_duty is False and row.note == "年假"
    assert "暂不接收新工单" in client.get(url).content.decode()
    response = client.put(
        "/api/v1/me/availability", json.dumps({"on_duty": True}), content_type="application/json"
    )
    assert response.json()["available"] is True
    client.force_login(c.customer)
    assert client.get(url).status_code == 404


def test_a_thread_past_its_deadline_tells_its_owner_and_the_assignee_once(desk: Desk) -> None:
    from supportdesk.notifications.models import Notification
    from supportdesk.routing.actions import notify_overdue_threads

    c = desk.cast
    noon = MONDAY_10 + dt.timedelta(hours=2)
    with time_machine.travel(MONDAY_10, tick=False), desk.committed():
        ticket = c.ticket(team=c.l1_team, assignee=c.l1)
        thread = do_open_thread(
            ticket, actor=c.l1, team=desk.rnd_team, owner=desk.rnd, subject="查数据库慢查询",
            due_at=noon, tell_customer=False,
        )  # fmt: skip
        answered = do_open_thread(
            ticket, actor=c.l1, team=desk.rnd_team, owner=desk.rnd, subject="确认补丁版本",
            due_at=noon, tell_customer=False,
        )  # fmt: skip
        do_close_thread(answered, actor=desk.rnd, outcome="补丁 3.2.1 已包含修复")
    with time_machine.travel(noon - dt.timedelta(minutes=1), tick=False), desk.committed():
        assert notify_overdue_threads() == 0
    assert not Notification.objects.exists()
    with time_machine.travel(noon, tick=False), desk.committed():
        assert notify_overdue_threads() == 1
    # A later minute (or a worker coming back) finds nothing left to report.
    with time_machine.travel(noon + dt.timedelta(minutes=5), tick=False), desk.committed():
        assert notify_overdue_threads() == 0
    notices = Notification.objects.filter(key=f"thread-overdue:{thread.pk}")
    assert sorted(n.recipient.username for n in notices) == sorted(
        [desk.rnd.username, c.l1.username]
    )
    assert all("查数据库慢查询" in n.title and ticket.number in n.title for n in notices)
    assert Notification.objects.count() == 2  # nothing for the thread closed in time
    overdue = ticket.events.filter(kind=EventKind.COLLABORATION, data__step="overdue")
    assert overdue.count() == 1
    assert "研发中心" in overdue.get().body and "2026-11-23 12:00" in overdue.get().body
    thread.refresh_from_db()
    assert thread.overdue_notified_at == noon


def test_the_scheduler_reports_overdue_threads_every_minute() -> None:
    from huey.contrib.djhuey import HUEY

    for minute in (0, 1, 29, 59):
        due = {task.name for task in HUEY.read_periodic(dt.datetime(2026, 11, 23, 10, minute))}
        assert "report_overdue_threads" in due
