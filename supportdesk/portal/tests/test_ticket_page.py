"""One ticket in the portal: timeline, replies, files, confirming or rejecting the fix (R-SO-5)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.tests_support import Cast, upload
from supportdesk.tickets import actions
from supportdesk.tickets.choices import CloseReason, EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"portal:{name}", args=[ticket.number])


def resolved(cast: Cast) -> Ticket:
    ticket = cast.ticket()
    actions.do_transition(
        ticket,
        actor=cast.l2,
        to=Status.RESOLVED,
        solution="1. 清除浏览器缓存\n2. 重新登录",
        result=ResolutionResult.SOLVED,
    )
    ticket.refresh_from_db()
    return ticket


def test_the_page_shows_fields_status_phase_and_public_timeline(cast: Cast) -> None:
    ticket = cast.ticket(env_os="Windows 10", installed_product=cast.product)
    actions.do_transition(ticket, actor=cast.l1, to=Status.DIAGNOSING)
    actions.do_add_reply(ticket, actor=cast.l1, body="您好，我们正在排查。")
    page = signed_in(cast.customer).get(url("ticket", ticket)).content.decode()
    assert ticket.number in page
    assert "Diagnosing" in page and "Initial diagnosis" in page
    assert "Windows 10" in page and "云枢 ERP 5.2.1" in page
    assert "您好，我们正在排查。" in page
    assert "陈一线" in page


def test_internal_notes_never_appear_in_the_portal(cast: Cast) -> None:
    ticket = cast.ticket()
    actions.do_add_note(
        ticket, actor=cast.l1, body="内部：客户环境可疑", attachments=[upload("内部分析.txt")]
    )
    actions.do_record_step(ticket, actor=cast.l1, action="内部检查数据库连接")
    actions.do_assign(ticket, actor=cast.l1, team=cast.l2_team, assignee=cast.l2, note="转二线")
    page = signed_in(cast.customer).get(url("ticket", ticket)).content.decode()
    for secret in ("内部：客户环境可疑", "内部分析.txt", "内部检查数据库连接", "转二线"):
        assert secret not in page
    note_file = ticket.attachments.get(filename="内部分析.txt")
    download = signed_in(cast.customer).get(
        reverse("tickets:attachment_download", args=[note_file.pk])
    )
    assert download.status_code == 404


def test_another_organizations_ticket_is_404_by_number(cast: Cast) -> None:
    theirs = cast.ticket(by=cast.outsider, attachments=[upload("北辰.png")])
    client = signed_in(cast.customer)
    assert client.get(url("ticket", theirs)).status_code == 404
    assert client.post(url("reply", theirs), {"body": "hi"}).status_code == 404
    assert client.get(reverse("portal:ticket", args=["TS209901010001"])).status_code == 404
    attachment = theirs.attachments.get()
    assert (
        client.get(reverse("tickets:attachment_download", args=[attachment.pk])).status_code == 404
    )
    assert theirs.events.count() == 1


def test_reply_and_added_files_appear_on_the_timeline(cast: Cast) -> None:
    ticket = cast.ticket()
    client = signed_in(cast.colleague)
    response = client.post(
        url("reply", ticket),
        {"body": "补充：只在 IE11 下出现", "attachments": [upload("ie11.png")]},
        follow=True,
    )
    assert "Your reply was added." in response.content.decode()
    response = client.post(
        url("add_files", ticket),
        {"attachments": [upload("app.log", b"stack trace", "text/plain"), upload("配置.xml")]},
        follow=True,
    )
    page = response.content.decode()
    assert "Your files were added." in page
    for text in ("补充：只在 IE11 下出现", "ie11.png", "app.log", "配置.xml"):
        assert text in page
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.REPLY, EventKind.ATTACHMENT]
    assert all(a.is_public for a in ticket.attachments.all())
    for attachment in ticket.attachments.all():
        assert reverse("tickets:attachment_download", args=[attachment.pk]) in page


def test_a_customer_reply_ends_waiting_on_the_customer(cast: Cast) -> None:
    ticket = cast.ticket()
    actions.do_transition(ticket, actor=cast.l1, to=Status.ANALYZING)
    actions.do_transition(ticket, actor=cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志")
    signed_in(cast.customer).post(url("add_files", ticket), {"attachments": [upload("a.log")]})
    signed_in(cast.customer).post(url("reply", ticket), {"body": "日志已上传"})
    ticket.refresh_from_db()
    assert ticket.status == Status.ANALYZING


def test_an_empty_reply_and_a_disallowed_file_are_refused_with_a_message(cast: Cast) -> None:
    ticket = cast.ticket()
    client = signed_in(cast.customer)
    response = client.post(url("reply", ticket), {"body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()
    response = client.post(url("add_files", ticket), {"attachments": [upload("evil.html")]})
    assert response.status_code == 400
    assert "evil.html" in response.content.decode()
    assert ticket.events.count() == 1


def test_confirming_the_fix_closes_the_ticket(cast: Cast) -> None:
    ticket = resolved(cast)
    client = signed_in(cast.customer)
    page = client.get(url("ticket", ticket)).content.decode()
    assert "清除浏览器缓存" in page
    assert "Result: Solved" in page
    assert "Yes, it is fixed" in page and "No, it is not fixed" in page
    response = client.post(url("confirm", ticket), {"comment": "已经可以登录了"}, follow=True)
    assert "The ticket is closed." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.close_reason == CloseReason.CUSTOMER_CONFIRMED
    assert "Reason: Customer confirmed the fix" in response.content.decode()
    assert "已经可以登录了" in response.content.decode()


def test_rejecting_the_fix_reopens_the_ticket_with_the_reason(cast: Cast) -> None:
    ticket = resolved(cast)
    client = signed_in(cast.customer)
    response = client.post(url("reopen", ticket), {"reason": ""})
    assert response.status_code == 400
    assert "Tell us what is still wrong" in response.content.decode()
    response = client.post(url("reopen", ticket), {"reason": "清除缓存后仍然报错"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    page = response.content.decode()
    assert "清除缓存后仍然报错" in page
    assert "reported that the problem is not fixed" in page


def test_a_closed_ticket_can_be_reopened_when_the_problem_recurs(cast: Cast) -> None:
    ticket = resolved(cast)
    actions.do_confirm_resolution(ticket, actor=cast.customer)
    client = signed_in(cast.colleague)
    page = client.get(url("ticket", ticket)).content.decode()
    assert "Reopen the ticket" in page
    assert 'action="' + url("reply", ticket) not in page
    client.post(url("reopen", ticket), {"reason": "问题又出现了"})
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED


def test_confirming_a_ticket_that_is_not_resolved_is_refused(cast: Cast) -> None:
    ticket = cast.ticket()
    response = signed_in(cast.customer).post(url("confirm", ticket), {"comment": ""})
    assert response.status_code == 400
    assert "Only a resolved ticket can be confirmed." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.RECEIVED


def test_the_ticket_page_shows_the_expected_first_response_until_someone_answers(
    cast: Cast,
) -> None:
    ticket = cast.ticket(priority=cast.priority("P1"))
    client = signed_in(cast.customer)
    assert (
        "We will respond within 30 minutes." in client.get(url("ticket", ticket)).content.decode()
    )
    actions.do_add_reply(ticket, actor=cast.l1, body="收到")
    assert "We will respond within" not in client.get(url("ticket", ticket)).content.decode()


def test_a_long_timeline_costs_no_more_queries_than_a_short_one(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload()])
    client = signed_in(cast.customer)
    client.get(url("ticket", ticket))
    with CaptureQueriesContext(connection) as short:
        client.get(url("ticket", ticket))
    for i in range(10):
        actions.do_add_reply(ticket, actor=cast.l1, body=f"第 {i} 次回复", attachments=[upload()])
        actions.do_add_reply(ticket, actor=cast.colleague, body=f"客户第 {i} 次回复")
    with CaptureQueriesContext(connection) as long:
        page = client.get(url("ticket", ticket)).content.decode()
    assert "第 9 次回复" in page
    assert len(long) == len(short)
