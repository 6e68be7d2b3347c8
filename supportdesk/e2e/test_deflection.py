"""Known problems first (R-IN-6), in a real browser: a customer starts a ticket, a public
article matching the subject appears while typing, "this solved it" leaves the form, and no
ticket is filed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from supportdesk.e2e.session import signed_in
from supportdesk.knowledge.actions import do_create_article
from supportdesk.knowledge.models import Deflection
from supportdesk.tests_support import make_cast
from supportdesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_finds_the_answer_while_typing_and_files_no_ticket(
    browser: Browser, live_server
) -> None:
    cast = make_cast()
    article = do_create_article(
        {"title": "VPN 频繁断线的处理方法", "body": "升级 VPN 客户端到 4.8.2。", "is_public": True},
        actor=cast.l2,
    )
    do_create_article({"title": "VPN 网关内部配置", "body": "内部"}, actor=cast.l2)
    context, page = signed_in(browser, live_server.url, cast.customer.username)

    page.goto("/portal/tickets/new/")
    page.locator("#id_subject").press_sequentially("VPN 老是断线")
    suggestions = page.get_by_test_id("kb-suggestions")
    expect(suggestions).to_contain_text("频繁")
    expect(suggestions).not_to_contain_text("内部配置")
    suggestions.get_by_role("button", name="问题已解决").first.click()
    page.wait_for_load_state()

    expect(page.locator("h1")).to_contain_text("VPN 频繁断线的处理方法")
    expect(page.locator("body")).to_contain_text("未提交工单")
    assert Ticket.objects.count() == 0
    deflection = Deflection.objects.get()
    assert deflection.article_id == article.pk and deflection.user == cast.customer
    assert "VPN" in deflection.query
    context.close()
