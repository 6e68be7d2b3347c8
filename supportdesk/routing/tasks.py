"""Routing runs in the worker: filing a ticket never waits for it (inline in tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from supportdesk.routing.actions import route_new_ticket


@db_task(retries=3, retry_delay=5)
def route_ticket(ticket_id: int) -> bool:
    # A retry after a failure is safe: the ``RoutedTicket`` claim makes routing happen once.
    return route_new_ticket(ticket_id)
