"""The queue's customer filter in a real browser: a name box that suggests customers (the
first ones when it is focused, those matching as the engineer types), and a picked name
filters the queue, with hundreds of customers on the desk."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from supportdesk.crm.models import Organization
from supportdesk.e2e.session import signed_in
from supportdesk.tests_support import make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_engineer_filters_the_queue_by_a_suggested_customer(
    browser: Browser, live_server
) -> None:
    cast = make_cast()
    Organization.objects.bulk_create(Organization(name=f"客户{i:04d}有限公司") for i in range(500))
    ours = cast.ticket(subject="报表导出失败")
    theirs = cast.ticket(by=cast.outsider, subject="物流单据打印乱码")
    context, page = signed_in(browser, live_server.url, cast.l1.username)

    page.goto(reverse("workspace:queue") + "?queue=all")
    rows = page.locator("#queue-table tbody tr[data-number]")
    expect(rows).to_have_count(2)
    box = page.locator("form.filters input[name=organization]")
    box.focus()
    options = page.locator("#organization-options option")
    expect(options).to_have_count(20)  # something to pick from before typing anything
    box.press_sequentially("北辰")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("value") == "北辰物流集团"
    # Picking the suggestion fills the box; leaving it filters the queue in place.
    box.fill("北辰物流集团")
    box.press("Tab")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", theirs.number)
    assert "organization=" in page.url and ours.number not in page.content()
    context.close()
