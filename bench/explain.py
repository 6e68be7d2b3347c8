#!/usr/bin/env python
"""Query plans and in-process timings of the reads the pages run, on a seeded database.

    python bench/explain.py [--database-url URL] [--only NAME]

For each read (the selectors the pages and the API call) it prints the SQL, the plan
(``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL) and the
median time of running it through the ORM, so a slow page can be traced to its query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from seed import SEED_SOURCE, setup_django  # noqa: E402


def plan(qs: Any) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(row[0] for row in cur.fetchall())
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" " * (2 * (row[1] > 0)) + str(row[-1]) for row in cur.fetchall())


def timing(fn: Callable[[], Any], n: int = 15) -> float:
    fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    setup_django(args.database_url)
    from django.db import connection

    from supportdesk.accounts.models import User
    from supportdesk.portal.selectors import PortalFilters, portal_ticket_page
    from supportdesk.tickets.models import Priority, Ticket
    from supportdesk.tickets.selectors import (
        QUEUE_SELECT_RELATED,
        QueueFilters,
        queue_page,
        queue_queryset,
        timeline,
    )

    agent = User.objects.get(username="bench.lead")
    customer = User.objects.get(username="cust001")
    p1 = Priority.objects.get(code="P1")
    number = (
        Ticket.objects.filter(source=SEED_SOURCE).order_by("id").values_list("number", flat=True)
    )[Ticket.objects.filter(source=SEED_SOURCE).count() // 2]
    ticket = Ticket.objects.get(number=number)
    filt = QueueFilters(status="diagnosing", priority=p1.pk)

    def ordered(qs: Any, *order: str) -> Any:
        return qs.select_related(*QUEUE_SELECT_RELATED).order_by(*order)[:51]

    cases: list[tuple[str, Any, Callable[[], Any]]] = [
        ("queue open (first page)",
         ordered(queue_queryset(agent, "open"), "-updated_at", "-id"),
         lambda: queue_page(agent, "open")),
        ("queue all, no filter",
         ordered(queue_queryset(agent, "all"), "-updated_at", "-id"),
         lambda: queue_page(agent, "all")),
        ("queue all, status+priority filter",
         ordered(queue_queryset(agent, "all", filt), "-updated_at", "-id"),
         lambda: queue_page(agent, "all", filters=filt)),
        ("queue priority sort",
         ordered(queue_queryset(agent, "priority"), "priority_rank", "-updated_at", "-id"),
         lambda: queue_page(agent, "priority")),
        ("queue mine",
         ordered(queue_queryset(agent, "mine"), "-updated_at", "-id"),
         lambda: queue_page(agent, "mine")),
        ("queue unassigned",
         ordered(queue_queryset(agent, "unassigned"), "-updated_at", "-id"),
         lambda: queue_page(agent, "unassigned")),
        ("portal list (org, -created_at)",
         queue_queryset(customer, "all").select_related("priority", "created_by")
         .order_by("-created_at", "-id")[:26],
         lambda: portal_ticket_page(customer, PortalFilters())),
        ("ticket by number",
         Ticket.objects.filter(number=number),
         lambda: Ticket.objects.filter(number=number).first()),
        # The same two queues with is_open written as ``is_open__in=[True]``: Django renders
        # ``filter(is_open=True)`` as a bare ``WHERE "is_open"`` that SQLite cannot match to
        # an index key (PostgreSQL can), ``IN (1)`` it can.
        ("queue open, is_open__in variant",
         ordered(Ticket.objects.filter(is_open__in=[True]), "-updated_at", "-id"),
         lambda: list(ordered(Ticket.objects.filter(is_open__in=[True]), "-updated_at", "-id"))),
        ("queue mine, is_open__in variant",
         ordered(Ticket.objects.filter(assignee=agent, is_open__in=[True]), "-updated_at", "-id"),
         lambda: list(ordered(Ticket.objects.filter(assignee=agent, is_open__in=[True]),
                              "-updated_at", "-id"))),
        ("queue priority, is_open__in variant",
         ordered(Ticket.objects.filter(is_open__in=[True]), "priority_rank", "-updated_at", "-id"),
         lambda: list(ordered(Ticket.objects.filter(is_open__in=[True]),
                              "priority_rank", "-updated_at", "-id"))),
        ("queue unassigned, is_open__in variant",
         ordered(Ticket.objects.filter(assignee__isnull=True, is_open__in=[True]),
                 "-updated_at", "-id"),
         lambda: list(ordered(Ticket.objects.filter(assignee__isnull=True, is_open__in=[True]),
                              "-updated_at", "-id"))),
        ("timeline",
         ticket.events.order_by("created_at", "id"),
         lambda: timeline(ticket, agent)),
    ]  # fmt: skip
    print(f"{connection.vendor}: {Ticket.objects.count():,} tickets\n")
    for name, qs, fn in cases:
        if args.only and args.only not in name:
            continue
        print(f"## {name}: {timing(fn):.2f} ms (ORM, in-process, median of 15)")
        print(str(qs.query)[:600])
        print(plan(qs))
        print()


if __name__ == "__main__":
    main()
