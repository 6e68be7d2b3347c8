"""An escalation request from L1 to L2 (issue 3 item 5, R-ES-1/R-ES-2), in a real browser.

An L1 engineer fills the escalation request form on their ticket (description and impact,
solutions tried, reason, suggested team); an L2 engineer finds it from the navigation in
the routing inbox, opens the ticket and accepts it. The ticket is then the L2 engineer's,
in the L2 team, and its timeline shows the request (with the form's context) and the
acceptance, each with its actor.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from supportdesk.e2e.session import signed_in
from supportdesk.routing.choices import EscalationStatus
from supportdesk.routing.models import EscalationRequest
from supportdesk.tests_support import make_cast
from supportdesk.tickets.choices import EventKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPACT = "客户 12 台终端无法登录，影响整个财务部门的月结。"
TRIED = "清除浏览器缓存：无效；重置账号密码：无效；检查网络连通性：正常。"
REASON = "怀疑认证服务端 token 签发异常，需要二线查看服务端日志。"


def test_l1_escalates_and_l2_accepts_from_the_inbox(browser: Browser, live_server) -> None:
    cast = make_cast()
    ticket = cast.ticket(
        subject="财务部门无法登录", team=cast.l1_team, assignee=cast.l1,
        priority=cast.priority("P1"),
    )  # fmt: skip
    ticket_url = reverse("workspace:ticket", args=[ticket.number])

    # 1. L1 fills the escalation request form on the ticket page and sends it.
    l1_context, l1 = signed_in(browser, live_server.url, cast.l1.username)
    l1.goto(ticket_url)
    panel = l1.get_by_test_id("routing-panel")
    panel.get_by_text("申请升级", exact=True).click()
    panel.get_by_label("建议升级到的团队 / 级别").select_option(str(cast.l2_team.pk))
    panel.get_by_label("问题描述及影响").fill(IMPACT)
    panel.get_by_label("已尝试的解决方案及结果").fill(TRIED)
    panel.get_by_label("升级原因").fill(REASON)
    panel.get_by_role("button", name="提交升级申请").click()
    expect(l1.get_by_text("已提交升级申请。")).to_be_visible()
    expect(l1.get_by_test_id("pending-escalation")).to_contain_text("二线支持")
    l1_context.close()

    # 2. L2 goes to the routing inbox from the navigation and finds the request there.
    l2_context, l2 = signed_in(browser, live_server.url, cast.l2.username)
    l2.get_by_test_id("nav-routing").click()
    request = EscalationRequest.objects.get(ticket=ticket)
    row = l2.get_by_test_id(f"pending-{request.pk}")
    expect(row).to_contain_text(ticket.number)
    expect(row).to_contain_text(REASON[:20])
    row.get_by_role("link", name=ticket.number).click()

    # 3. On the ticket page L2 accepts it and now has it.
    l2.get_by_test_id("routing-panel").get_by_role("button", name="接受并接手").click()
    expect(l2.get_by_text("你已接手该升级工单。")).to_be_visible()
    meta = l2.locator("p.muted", has_text="处理人")
    expect(meta).to_contain_text(f"处理人: {cast.l2}")
    expect(meta).to_contain_text("团队: 二线支持")

    # 4. The timeline shows both steps, with the whole context handed over.
    request_step = l2.locator("li.event-escalation", has_text="问题升级申请：转 二线支持")
    expect(request_step).to_contain_text(IMPACT)
    expect(request_step).to_contain_text(TRIED)
    expect(request_step).to_contain_text(REASON)
    expect(request_step.locator(".actor")).to_have_text(str(cast.l1))
    accepted_step = l2.locator("li.event-escalation", has_text="代表 二线支持 接受了升级。")
    expect(accepted_step.locator(".actor")).to_have_text(str(cast.l2))
    l2_context.close()

    request.refresh_from_db()
    ticket.refresh_from_db()
    assert request.status == EscalationStatus.ACCEPTED
    assert (ticket.team, ticket.assignee) == (cast.l2_team, cast.l2)
    steps = [e.data.get("step") for e in ticket.events.filter(kind=EventKind.ESCALATION)]
    assert steps == ["requested", "accepted"]
