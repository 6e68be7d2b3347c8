"""Query budgets of the write paths every domain listens to (no N+1 across receivers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from supportdesk.tests_support import Cast


@pytest.mark.django_db
def test_filing_a_ticket_stays_within_its_query_budget_with_every_listener(
    cast: Cast,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    # SLA clocks, the acknowledgement mail and the search index all react to the new ticket
    # (jobs run inline in tests). 86 queries before receivers were told each event's kind
    # and search stopped re-indexing for the two SLA entries that follow every new ticket;
    # 69 since routing looks for a VIP route and a team rule for every new ticket; 71 since
    # search queues the ticket for a batched index run (its SAVEPOINTs count here too).
    cast.ticket()
    with django_assert_max_num_queries(71), django_capture_on_commit_callbacks(execute=True):
        cast.ticket()
