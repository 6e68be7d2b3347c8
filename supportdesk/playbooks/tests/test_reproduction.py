import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from supportdesk.tests_support import PASSWORD, upload
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Attachment

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)

ATTEMPT = {
    "environment": "Windows 10 + IE11，客户端 3.3",
    "steps": "1. 用 IE11 打开报表中心\n2. 点击导出 Excel",
    "expected": "下载 Excel 文件",
    "actual": "提示“插件加载失败”",
    "reproduced": "yes",
}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_an_engineer_records_a_reproduction_on_the_timeline_and_the_panel(cast, client):
    ticket = cast.ticket(subject="IE11 下报表导出失败")
    login(client, cast.l2)
    with time_machine.travel(AT, tick=False):
        response = client.post(
            reverse("playbooks:reproduction", args=[ticket.number]),
            {**ATTEMPT, "attachments": [upload("复现录屏.png")]},
        )
    assert response.status_code == 302
    event = ticket.events.get(kind=EventKind.REPRODUCTION)
    assert event.actor == cast.l2
    assert event.created_at == AT
    assert event.is_public is False
    assert event.data["reproduced"] == "yes"
    assert event.data["environment"] == ATTEMPT["environment"]
    assert event.data["expected"] == "下载 Excel 文件"
    assert event.data["actual"] == "提示“插件加载失败”"
    stored = Attachment.objects.get(pk=event.data["attachments"][0])
    assert stored.filename == "复现录屏.png" and stored.is_public is False

    panel = client.get(reverse("playbooks:panel", args=[ticket.number])).content.decode()
    assert "已复现" in panel or "Reproduced" in panel
    assert "Windows 10 + IE11" in panel
    assert "复现录屏.png" in panel
    assert str(cast.l2) in panel
    assert "2026-11-24 14:30" in panel  # the operator's time, in the desk's time zone

    timeline = client.get(reverse("workspace:ticket", args=[ticket.number])).content.decode()
    assert "提示“插件加载失败”" in timeline


def test_partial_and_failed_attempts_are_recorded_too_newest_first(cast, client):
    ticket = cast.ticket()
    login(client, cast.l1)
    url = reverse("playbooks:reproduction", args=[ticket.number])
    client.post(url, {**ATTEMPT, "reproduced": "no", "environment": "测试环境 A"})
    client.post(url, {**ATTEMPT, "reproduced": "partially", "environment": "测试环境 B"})
    results = list(
        ticket.events.filter(kind=EventKind.REPRODUCTION)
        .order_by("id")
        .values_list("data__reproduced", flat=True)
    )
    assert results == ["no", "partially"]
    panel = client.get(reverse("playbooks:panel", args=[ticket.number])).content.decode()
    assert panel.index("测试环境 B") < panel.index("测试环境 A")


def test_an_incomplete_record_is_refused_with_a_message_and_nothing_is_stored(cast, client):
    ticket = cast.ticket()
    login(client, cast.l1)
    response = client.post(
        reverse("playbooks:reproduction", args=[ticket.number]),
        {**ATTEMPT, "actual": "", "reproduced": "maybe"},
        follow=True,
    )
    text = response.content.decode()
    assert "实际结果" in text or "Actual result" in text
    assert not ticket.events.filter(kind=EventKind.REPRODUCTION).exists()
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_customers_cannot_record_or_read_reproductions(cast, client):
    ticket = cast.ticket()
    login(client, cast.customer)
    response = client.post(reverse("playbooks:reproduction", args=[ticket.number]), ATTEMPT)
    assert response.status_code == 404
    assert client.get(reverse("playbooks:panel", args=[ticket.number])).status_code == 404
    assert not ticket.events.filter(kind=EventKind.REPRODUCTION).exists()
