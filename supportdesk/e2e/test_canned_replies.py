"""Canned replies in one keystroke (R-IN-3), in a real browser: the agent opens a ticket,
types "/" at the start of a line in the reply box, narrows the list by typing, and Enter
inserts the reply with the customer's name and the ticket number filled in by the server;
Ctrl+. opens the same list anywhere in the text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from supportdesk.e2e.session import signed_in
from supportdesk.knowledge.canned_defaults import fill_shipped_canned_replies
from supportdesk.knowledge.models import CannedReply
from supportdesk.tests_support import make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_inserts_a_canned_reply_with_the_keyboard(browser: Browser, live_server) -> None:
    cast = make_cast()
    fill_shipped_canned_replies(CannedReply)
    ticket = cast.ticket(subject="报表导出失败", description="月度报表导出 Excel 一直转圈")
    context, page = signed_in(browser, live_server.url, cast.l1.username)

    page.goto(reverse("workspace:ticket", args=[ticket.number]))
    box = page.locator("#reply textarea")
    box.click()
    box.press("/")
    picker = page.get_by_test_id("canned-picker")
    expect(picker).to_be_visible()
    page.keyboard.type("已受理")
    expect(picker.get_by_test_id("canned-option").first).to_contain_text("已受理并告知预计时间")
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    text = box.input_value()
    assert text.startswith("张伟您好")
    assert f"工单号 {ticket.number}（报表导出失败）" in text
    assert "{" not in text

    # Ctrl+. in the middle of the text: the chosen reply goes where the cursor is.
    box.press("End")
    box.type("\n另：")
    box.press("Control+.")
    expect(picker).to_be_visible()
    page.keyboard.type("token")
    page.keyboard.press("Enter")
    text = box.input_value()
    assert "另：为了安全，系统的登录凭证每隔一段时间会自动过期" in text
    assert not text.endswith("/")
    context.close()
