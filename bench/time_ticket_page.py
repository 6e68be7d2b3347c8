"""In-process timing of the pages an engineer or a customer opens most (Django test client,
no HTTP): CPU time of this process per request, and the SQL statements of one request.

Usage: SUPPORTDESK_DATA_DIR=<data dir> DATABASE_URL=<url> python bench/time_ticket_page.py
       [--page ticket|queue|filtered|portal|portal-ticket|all] [--rounds 3]

Used to compare two versions of a page in the same run on the same data (run the old tree's
copy of this script and the new one's, interleaved). The agent is ``bench.lead`` and the
tickets are spread over the seeded range as in ``bench_http.py`` (a demo database without
them falls back to the first L1 engineer and the newest tickets). ``SQL=1`` lists the
statements; ``PROFILE=1`` prints a cProfile summary (``TOP=N`` lines, ``SORT=tottime``,
``CALLEES=name`` for one function's callees); ``PROFILE=pyinstrument`` a sampling profile
(pyinstrument on ``PYTHONPATH``; it distorts less than cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

PAGES = ("ticket", "queue", "filtered", "portal", "portal-ticket")


def _urls(page: str, n: int) -> tuple[Any, list[str]]:
    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Priority, Ticket

    if page.startswith("portal"):
        customers = User.objects.filter(role="customer", organization__isnull=False)
        user = User.objects.filter(username="cust001").first() or customers.order_by("id").first()
        own = Ticket.objects.filter(organization_id=user.organization_id)
        numbers = list(own.order_by("-updated_at").values_list("number", flat=True)[:n])
        if page == "portal":
            return user, ["/portal/"]
        return user, [f"/portal/tickets/{number}/" for number in numbers]
    user = User.objects.filter(username="bench.lead").first()
    user = user or User.objects.filter(role="l1").order_by("id").first()
    if page == "queue":
        return user, ["/desk/?queue=open"]
    if page == "filtered":
        p1 = Priority.objects.get(code="P1")
        return user, [f"/desk/?queue=all&status=diagnosing&priority={p1.pk}"]
    ids = Ticket.objects.order_by("id").values_list("id", flat=True)
    lo, hi = ids.first(), ids.reverse().first()
    assert lo is not None and hi is not None
    step = max(1, (hi - lo) // n)
    numbers = list(
        Ticket.objects.filter(id__in=range(lo, hi + 1, step)).values_list("number", flat=True)
    )[:n]
    return user, [f"/desk/tickets/{number}/" for number in numbers]


def measure(page: str, rounds: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, urls = _urls(page, 20)
    client = Client()
    client.force_login(user)
    for url in urls[:3]:
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(urls[0])
    # Copied now: the next request resets the connection's query log.
    captured = list(queries.captured_queries)
    samples = []
    cpu = []  # this process's CPU time: less sensitive to other load than wall time
    mode = os.environ.get("PROFILE", "")
    profiler: Any = None
    if mode == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
    elif mode:
        profiler = cProfile.Profile()
    for _ in range(rounds):
        for i in range(20):
            url = urls[i % len(urls)]
            start, cpu_start = time.perf_counter(), time.process_time()
            if profiler:
                profiler.start() if mode == "pyinstrument" else profiler.enable()
            response = client.get(url)
            if profiler:
                profiler.stop() if mode == "pyinstrument" else profiler.disable()
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu_start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    print(
        f"{page:14} median {statistics.median(samples):5.1f} ms, "
        f"p90 {samples[int(len(samples) * 0.9)]:5.1f} ms, min {samples[0]:5.1f} ms, "
        f"CPU {statistics.median(cpu):5.1f} ms (min {min(cpu):.1f}), "
        f"{len(captured)} queries, {len(response.content) // 1024} KiB",
        flush=True,
    )
    if os.environ.get("SQL"):
        for q in captured:
            print(q["time"], q["sql"][:300])
    if mode == "pyinstrument":
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    elif profiler:
        st = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        st.print_stats(int(os.environ.get("TOP", "45")))
        if os.environ.get("CALLEES"):
            st.print_callees(os.environ["CALLEES"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--page", choices=(*PAGES, "all"), default="ticket")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the 20 URLs")
    args = ap.parse_args()
    django.setup()
    for page in PAGES if args.page == "all" else (args.page,):
        measure(page, args.rounds)


if __name__ == "__main__":
    main()
