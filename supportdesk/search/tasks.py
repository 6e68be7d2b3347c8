"""Indexing runs in the worker, off the request path (immediate in tests).

Tickets change far more often than anything else, so they are indexed in batches: a change
only marks its ticket pending (``request_ticket_index``), and one queued job drains
everything pending at once. A flag in the queue's store keeps that to one queued job per
burst, not one per change.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from supportdesk.search import documents

logger = logging.getLogger(__name__)
DRAIN_QUEUED = "search:index-pending-queued"


def request_ticket_index(ticket_id: int) -> None:
    """Called after a ticket's change commits: its document follows within a worker cycle."""
    documents.queue_ticket(ticket_id)
    # Marked before the flag is checked, and the job clears the flag before it claims
    # anything: a ticket marked while a job is queued is always drained by that job or the
    # next one.
    if HUEY.put_if_empty(DRAIN_QUEUED, "1"):
        index_pending_tickets()


@db_task()
def index_pending_tickets() -> None:
    HUEY.delete(DRAIN_QUEUED)
    documents.index_pending()


@db_periodic_task(crontab(minute="*"))
def index_pending_tickets_sweep() -> None:
    # Catches what a crashed job left pending (its flag was cleared, its claim rolled back).
    HUEY.delete(DRAIN_QUEUED)
    documents.index_pending()


@db_periodic_task(crontab(minute="0"))
def warn_if_index_stale() -> None:
    # Not rebuilt here: at a million tickets a rebuild holds a worker for a quarter of an
    # hour, which the operator should choose (``supportdesk reindex``, searches keep working).
    stale = documents.stale_analyzer()
    if stale is not None:
        logger.warning(
            "the search index was built by analyzer version %s, this code is version %s: "
            "run `supportdesk reindex` (some searches miss until then)",
            stale,
            documents.ANALYZER_VERSION,
        )


@db_task()
def index_ticket(ticket_id: int) -> None:
    # Kept so jobs queued by an earlier version still run after an upgrade.
    documents.index_ticket(ticket_id)


@db_task()
def index_article(article_id: int) -> None:
    documents.index_article(article_id)


@db_task()
def index_organization(org_id: int) -> None:
    documents.index_organization(org_id)


@db_task()
def index_contact(contact_id: int) -> None:
    documents.index_contact(contact_id)
