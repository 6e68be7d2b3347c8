"""A person signed in to the desk in their own browser context (zh-CN, Shanghai time)."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect

from supportdesk.tests_support import PASSWORD


def signed_in(browser: Browser, base_url: str, username: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=base_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    return context, page
