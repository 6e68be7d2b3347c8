"""In-process timing of filing a ticket through the API (Django test client, no HTTP).

Usage: SUPPORTDESK_DATA_DIR=<data dir of a demo install> python bench/time_ticket_create.py [N]
Jobs are queued to the configured Huey store, as in production (the worker is not running),
so the figure is the request's own cost. ``PROFILE=1`` prints a cProfile summary (wall time;
``PROFILE=cpu``: CPU time), ``SORT=tottime`` orders it by own time, ``CALLERS=name`` /
``CALLEES=name`` show who calls a function and what it calls.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from supportdesk.accounts.models import ApiToken, User

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    agent = User.objects.filter(role="l1").order_by("id").first()
    assert agent is not None
    _, raw = ApiToken.issue(agent, name="bench-create")  # type: ignore[attr-defined]
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    org_id = agent.teams.values_list("id", flat=True).first()  # any id; org below
    from supportdesk.crm.models import Organization

    org_id = Organization.objects.order_by("id").values_list("id", flat=True).first()
    body = {
        "subject": "报表导出失败 export fails",
        "description": "导出报表时提示 ERR_1024，已重启浏览器。",
        "organization": org_id,
    }

    def create() -> None:
        response = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    for _ in range(5):
        create()
    with CaptureQueriesContext(connection) as queries:
        create()
    # Copied now: the next request resets the connection's query log.
    captured = list(queries.captured_queries)
    samples = []
    cpu = []  # this process's CPU time: less sensitive to other load than wall time
    # PROFILE=cpu counts this process's CPU time only (waits for the disk or a lock excluded).
    profile = os.environ.get("PROFILE")
    profiler = (
        (cProfile.Profile(time.process_time) if profile == "cpu" else cProfile.Profile())
        if profile
        else None
    )
    for _ in range(n):
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        create()
        if profiler:
            profiler.disable()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    samples.sort()
    print(
        f"API create median {statistics.median(samples):.1f} ms, "
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
        if os.environ.get("CALLERS"):
            st.print_callers(os.environ["CALLERS"])


if __name__ == "__main__":
    main()
