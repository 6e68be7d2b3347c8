from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from supportdesk.tests_support import Cast


@pytest.fixture
def l1_client(client: Client, cast: Cast) -> Client:
    """An L1 engineer who reads English, so tests can quote the source messages."""
    cast.l1.language = "en"
    cast.l1.save(update_fields=["language"])
    client.force_login(cast.l1)
    return client


def numbers_on(page: str) -> list[str]:
    """Ticket numbers of the table rows, in order."""
    return re.findall(r'data-number="([^"]+)"', page)


def next_link(page: str) -> str | None:
    match = re.search(r'rel="next" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)
