#!/usr/bin/env python
"""Indexes seeded tickets as they arrive (issue 5): follows ``bench/seed.py`` running on the
same database, with the worker's batched path (``search.documents.index_tickets``), so a
1,000,000-ticket database is searchable when its seed finishes. Prints the indexing rate.

    python bench/search_follow.py --database-url URL --target 1000000 [--batch 500]

Seeded rows bypass the product's actions (``bulk_create``), so nothing marks them pending:
this script takes the tickets above the highest one indexed, in id order.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from seed import setup_django  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--target", type=int, required=True, help="stop once this many are indexed")
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import OperationalError
    from django.db.models import Max

    from supportdesk.search.choices import DocKind
    from supportdesk.search.documents import index_tickets
    from supportdesk.search.models import SearchDocument
    from supportdesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    docs = SearchDocument.objects.filter(kind=DocKind.TICKET)
    last = docs.aggregate(m=Max("object_id"))["m"] or 0
    done = docs.count()
    t0 = time.perf_counter()
    busy = 0.0
    indexed = 0
    reported = done
    while done < args.target:
        ids = list(
            Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:5000]
        )
        if not ids:
            time.sleep(5)
            continue
        t1 = time.perf_counter()
        for i in range(0, len(ids), args.batch):
            while True:
                try:
                    index_tickets(ids[i : i + args.batch])
                    break
                except OperationalError:  # SQLite: the seeder held the write lock too long
                    time.sleep(1)
        busy += time.perf_counter() - t1
        indexed += len(ids)
        done += len(ids)
        last = ids[-1]
        if done - reported >= 20_000 or done >= args.target:
            reported = done
            print(
                f"{done:>9,} indexed  {indexed / busy:,.0f} tickets/s while indexing  "
                f"wall {time.perf_counter() - t0:,.0f} s  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
