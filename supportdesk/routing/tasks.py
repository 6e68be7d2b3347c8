"""Routing runs in the worker: filing a ticket never waits for it (inline in tests)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from supportdesk.routing.actions import notify_overdue_threads, route_new_ticket


@db_task(retries=3, retry_delay=5)
def route_ticket(ticket_id: int) -> bool:
    # A retry after a failure is safe: the ``RoutedTicket`` claim makes routing happen once.
    return route_new_ticket(ticket_id)


@db_periodic_task(crontab())
def report_overdue_threads() -> int:
    """Every minute: collaboration threads whose deadline passed tell their people, once."""
    return notify_overdue_threads()
