"""One cast for every test (STYLE.md #10).

Two customer organizations (云帆科技 with two contacts, 北辰物流 with one), the shipped
priority scheme, L1 and L2 teams, an L1 and an L2 engineer, a team lead and an admin.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation
from huey.contrib.djhuey import HUEY

from supportdesk.tests_support import Cast, make_cast


@pytest.fixture(autouse=True)
def desk_language() -> Iterator[None]:
    # Messages are asserted in the desk's language: a request in another language earlier in
    # the same worker thread leaves that language active (order-dependent failures under -n).
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    """Jobs go to the real queue (a SQLite file) until ``tests_support.run_worker`` runs them."""
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = True
