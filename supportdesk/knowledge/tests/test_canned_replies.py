import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from supportdesk.knowledge.canned import fill
from supportdesk.knowledge.canned_defaults import fill_shipped_canned_replies
from supportdesk.knowledge.choices import CannedKind
from supportdesk.knowledge.models import CannedReply
from supportdesk.tests_support import PASSWORD

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)  # a Tuesday, 18:00 in Shanghai


@pytest.fixture
def shipped(db):
    # Transactional tests elsewhere empty the tables the data migration filled.
    fill_shipped_canned_replies(CannedReply)
    return {r.shortcut: r for r in CannedReply.objects.all()}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def picker(client, number):
    response = client.get(reverse("knowledge:canned_replies", args=[number]))
    assert response.status_code == 200
    return response.json()["items"]


def test_greetings_and_identity_scripts_ship_for_phone_and_chat_in_both_languages(shipped):
    kinds = set(CannedReply.objects.values_list("kind", "language"))
    for kind in (
        CannedKind.GREETING_PHONE,
        CannedKind.GREETING_CHAT,
        CannedKind.IDENTITY_PHONE,
        CannedKind.IDENTITY_CHAT,
        CannedKind.EXPLANATION,
        CannedKind.TEMPLATE,
    ):
        assert (kind.value, "zh-hans") in kinds
        assert (kind.value, "en") in kinds
    # The guides' own wording.
    assert "请问有什么可以帮您" in shipped["问候-电话"].body
    assert "系统在读取数据时遇到了延迟" in shipped["解释-连接超时"].body


def test_the_picker_fills_customer_ticket_number_and_expected_time_on_the_server(
    cast, client, shipped
):
    with time_machine.travel(NOON, tick=False):
        ticket = cast.ticket(subject="报表导出失败", priority=cast.priority("P2"))
        items = picker(login(client, cast.l1), ticket.number)
    received = next(i for i in items if i["shortcut"] == "已受理")
    assert "张伟您好" in received["text"]
    assert f"工单号 {ticket.number}（报表导出失败）" in received["text"]
    ticket.refresh_from_db()
    due = ticket.first_response_due_at
    assert due is not None
    assert f"{timezone.localtime(due):%Y-%m-%d %H:%M}" in received["text"]
    assert "{" not in received["text"]
    assert str(cast.l1) in received["text"]


def test_replies_in_the_customers_language_come_first(cast, client, shipped):
    ticket = cast.ticket()
    items = picker(login(client, cast.l1), ticket.number)
    assert items[0]["language"] == "zh-hans"
    cast.customer.language = "en"
    cast.customer.save()
    items = picker(client, ticket.number)
    assert items[0]["language"] == "en"
    assert {i["language"] for i in items} == {"zh-hans", "en"}


def test_an_admin_edit_shows_in_the_picker_and_unknown_variables_stay_visible(
    cast, client, shipped
):
    ticket = cast.ticket()
    login(client, cast.admin)
    reply = shipped["结束语"]
    response = client.post(
        reverse("admin:knowledge_cannedreply_change", args=[reply.pk]),
        {
            "title": "结束语",
            "shortcut": "结束语",
            "kind": "closing",
            "language": "zh-hans",
            "body": "{customer_name}，工单 {ticket_number} 已完成。{unknown_variable}",
            "ordering": 3,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    items = picker(login(client, cast.l1), ticket.number)
    closing = next(i for i in items if i["id"] == reply.pk)
    assert closing["text"] == f"张伟，工单 {ticket.number} 已完成。{{unknown_variable}}"


def test_inactive_replies_are_not_offered(cast, client, shipped):
    ticket = cast.ticket()
    CannedReply.objects.filter(shortcut="结束语").update(active=False)
    items = picker(login(client, cast.l1), ticket.number)
    assert "结束语" not in {i["shortcut"] for i in items}


def test_customers_and_strangers_get_no_canned_replies(cast, client, shipped):
    ticket = cast.ticket()
    url = reverse("knowledge:canned_replies", args=[ticket.number])
    assert login(client, cast.customer).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert (
        login(client, cast.l1)
        .get(reverse("knowledge:canned_replies", args=["TS000000000000"]))
        .status_code
        == 404
    )


def test_fill_is_plain_substitution_not_a_template_language():
    values = {"customer_name": "{{ settings.SECRET_KEY }}", "ticket_number": ""}
    assert fill("{customer_name} {ticket_number} {{x}}", values) == (
        "{{ settings.SECRET_KEY }} {ticket_number} {{x}}"
    )


def test_the_reply_box_offers_the_picker(cast, client, shipped):
    ticket = cast.ticket()
    page = login(client, cast.l1).get(reverse("workspace:ticket", args=[ticket.number]))
    html = page.content.decode()
    assert 'data-testid="canned-picker"' in html
    assert reverse("knowledge:canned_replies", args=[ticket.number]) in html
