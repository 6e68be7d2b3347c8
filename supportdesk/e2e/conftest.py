"""Headless chromium (Debian's, at PLAYWRIGHT_CHROMIUM or /usr/bin/chromium) via Playwright.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM
calls from that thread; the tests use the ORM only to set up and check, so allow it here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("PLAYWRIGHT_CHROMIUM") or shutil.which("chromium") or ""
    if not path:
        raise RuntimeError(
            "Browser tests need Debian's chromium: apt-get install chromium "
            "(or set PLAYWRIGHT_CHROMIUM to a Chromium binary)."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    yield new_page
    context.close()
