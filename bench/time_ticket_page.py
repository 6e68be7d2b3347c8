"""In-process timing of the agent ticket page (Django test client, no HTTP): 20 tickets x 3.

Usage: SUPPORTDESK_DATA_DIR=<data dir of a demo install> python bench/time_ticket_page.py
Used to compare two versions of the page in the same run on the same data. ``PROFILE=1``
prints a cProfile summary (``TOP=N`` lines, ``CALLEES=name`` for one function's callees).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Ticket

    client = Client()
    client.force_login(User.objects.filter(role="l1").order_by("id").first())
    numbers = list(Ticket.objects.order_by("-id").values_list("number", flat=True)[:20])
    for number in numbers[:3]:
        client.get(f"/desk/tickets/{number}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/desk/tickets/{numbers[0]}/")
    # Copied now: the next request resets the connection's query log.
    captured = list(queries.captured_queries)
    samples = []
    cpu = []  # this process's CPU time: less sensitive to other load than wall time
    profiler = cProfile.Profile() if os.environ.get("PROFILE") else None
    for _ in range(3):
        for number in numbers:
            start, cpu_start = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            response = client.get(f"/desk/tickets/{number}/")
            if profiler:
                profiler.disable()
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu_start) * 1000)
            assert response.status_code == 200
    samples.sort()
    print(
        f"ticket page median {statistics.median(samples):.1f} ms, "
        f"p90 {samples[int(len(samples) * 0.9)]:.1f} ms, min {samples[0]:.1f} ms, "
        f"CPU {statistics.median(cpu):.1f} ms, {len(captured)} queries"
    )
    if os.environ.get("SQL"):
        for q in captured:
            print(q["time"], q["sql"][:300])
    if profiler:
        st = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        st.print_stats(int(os.environ.get("TOP", "45")))
        if os.environ.get("CALLEES"):
            st.print_callees(os.environ["CALLEES"])


if __name__ == "__main__":
    main()
