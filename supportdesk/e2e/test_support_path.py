"""The whole path as people walk it, in a real browser (issue 2, "Tests and CI").

A customer files a ticket with an attachment, an L1 engineer picks it up, records a check,
replies and escalates to L2 by reassigning, L2 resolves it with a solution, the customer
confirms, the ticket closes, and the timeline shows every step with actor and time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from supportdesk.e2e.session import signed_in
from supportdesk.tests_support import make_cast
from supportdesk.tickets.choices import CloseReason, EventKind, Status
from supportdesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move_to(page: Page, status: str, **fields: str) -> None:
    block = page.locator(f"details.transition[data-target={status}]")
    block.locator("summary").click()  # the move's fields load when it is opened
    for name, value in fields.items():
        control = block.locator(f"[name={name}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    # Wait for the next page itself: wait_for_load_state() right after a click can return
    # for the page being left, and the next step then clicks before htmx is ready.
    with page.expect_navigation():
        block.locator("button[type=submit]").click()


def assign(page: Page, team_id: int, user_id: int, note: str = "") -> None:
    page.locator("#assign summary").click()  # the form loads when opened
    form = page.locator("#assign form")
    form.locator("[name=team]").select_option(str(team_id))
    form.locator("[name=assignee]").select_option(str(user_id))
    if note:
        form.locator("[name=note]").fill(note)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_customer_request_travels_to_a_confirmed_fix(
    browser: Browser, live_server, tmp_path: Path
) -> None:
    cast = make_cast()
    screenshot = tmp_path / "登录报错截图.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 256)

    # 1. The customer files a ticket with a screenshot and is told the number and the promise.
    customer_ctx, customer = signed_in(browser, live_server.url, "zhang.wei")
    customer.goto("/portal/tickets/new/")
    customer.fill("[name=subject]", "登录时提示 token 失效")
    customer.fill("[name=description]", "今天上午开始，所有人登录都提示 token 失效。")
    customer.check(f"input[name=priority][value='{cast.priority('P1').pk}']")
    customer.select_option("[name=installed_product]", str(cast.product.pk))
    customer.fill("[name=env_browser]", "Chrome 118")
    customer.set_input_files("[name=attachments]", str(screenshot))
    with customer.expect_navigation():
        customer.click("form button.primary[type=submit]")
    ticket = Ticket.objects.get()
    expect(customer.locator("body")).to_contain_text(ticket.number)
    expect(customer.locator("body")).to_contain_text("30")  # P1: a response within 30 minutes
    assert re.fullmatch(r"TS\d{8}\d{4}", ticket.number)

    # 2. L1 finds it among the unassigned tickets and takes it.
    l1_ctx, l1 = signed_in(browser, live_server.url, "chen.l1")
    l1.goto("/desk/?queue=unassigned")
    with l1.expect_navigation():
        l1.click(f"a:has-text('{ticket.number}')")
    expect(l1.locator("body")).to_contain_text("登录报错截图.png")
    # The edit form is fetched when opened, already holding what the customer entered.
    l1.locator("#fields summary").click()
    expect(l1.locator("#fields [name=env_browser]")).to_have_value("Chrome 118")
    assign(l1, cast.l1_team.pk, cast.l1.pk)
    move_to(l1, Status.DIAGNOSING)

    # 3. ...records the basic check, answers the customer, and escalates to L2.
    l1.locator("#step summary").click()
    l1.fill("#step [name=action]", "检查网络连通性与系统时间")
    l1.fill("#step [name=result]", "网络正常，服务器时间偏差 8 分钟")
    with l1.expect_navigation():
        l1.click("#step button[type=submit]")
    l1.fill("#reply [name=body]", "您好，我们已定位到与服务器时间有关，正在转交二线处理。")
    with l1.expect_navigation():
        l1.click("#reply button[type=submit]")
    assign(l1, cast.l2_team.pk, cast.l2.pk, note="服务器时间偏差导致 token 校验失败，请二线处理")

    # 4. L2 analyses and resolves with a solution in numbered steps.
    l2_ctx, l2 = signed_in(browser, live_server.url, "zhao.l2")
    l2.goto("/desk/?queue=mine")
    with l2.expect_navigation():
        l2.click(f"a:has-text('{ticket.number}')")
    move_to(l2, Status.ANALYZING)
    move_to(
        l2,
        Status.RESOLVED,
        solution="1. 校准服务器 NTP 时间\n2. 清除浏览器缓存后重新登录",
        result="solved",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED

    # 5. The customer sees the solution and confirms the fix; the ticket closes.
    customer.goto(f"/portal/tickets/{ticket.number}/")
    expect(customer.locator("body")).to_contain_text("校准服务器 NTP 时间")
    with customer.expect_navigation():
        confirm = f"form[action$='/portal/tickets/{ticket.number}/confirm/']"
        customer.click(f"{confirm} button[type=submit]")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.close_reason == CloseReason.CUSTOMER_CONFIRMED

    # 6. The timeline shows every step, each with who and when.
    l1.goto(f"/desk/tickets/{ticket.number}/")
    timeline = l1.locator(".timeline")
    for text in ("张伟", "陈一线", "赵二线", "检查网络连通性与系统时间", "二线支持",
                 "校准服务器 NTP 时间"):  # fmt: skip
        expect(timeline).to_contain_text(text)
    entries = timeline.locator(".event")
    kinds = list(ticket.events.values_list("kind", flat=True))
    expect(entries).to_have_count(len(kinds))
    for i in range(len(kinds)):
        expect(entries.nth(i).locator("time")).to_have_count(1)
    # Service-level entries (clock started, met...) interleave depending on the SLA data.
    assert [kind for kind in kinds if kind != EventKind.SLA] == [
        EventKind.CREATED, EventKind.ASSIGN, EventKind.STATUS, EventKind.STEP, EventKind.REPLY,
        EventKind.ASSIGN, EventKind.STATUS, EventKind.STATUS, EventKind.VERIFICATION,
        EventKind.STATUS,
    ]  # fmt: skip
    # People's steps name the person; the system's (SLA clocks) name themselves.
    assert all(
        event.actor_id if event.kind != EventKind.SLA else event.actor_label
        for event in ticket.events.all()
    )
    for context in (customer_ctx, l1_ctx, l2_ctx):
        context.close()
