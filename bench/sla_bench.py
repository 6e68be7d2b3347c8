#!/usr/bin/env python
"""SLA timers at 100,000 open tickets (issue 3, "Performance").

Usage (from the project root, with the project's virtualenv)::

    SUPPORTDESK_DATA_DIR=/tmp/sla-bench python bench/sla_bench.py --tickets 100000
    python bench/sla_bench.py --tickets 100000 \\
        --database-url postgres://supportdesk:supportdesk@127.0.0.1:5432/h_sla_bench

Use a database of its own: it migrates it and seeds into it. Seeding (not measured) writes
open tickets and their first-response and resolution clocks directly with ``bulk_create``,
spread like a real desk's: filed over the last 30 days, a quarter of them already breached,
deadlines and next firing points spread over the next two weeks. Then it measures:

1. **sweep**: ``sla.tasks.fire_due_clocks(now)``, the worker's minute job, at a minute with
   nothing due (the pure "find what is due" cost) and at a minute with a normal handful
   due (finding plus firing them: lock, claim, timeline entry); median of several runs;
2. **re-target**: ``sla.actions.do_retarget_calendar`` on the office calendar after an edit
   (what the worker runs when an admin changes a calendar), over every live clock: a new
   holiday, and shorter working hours (nearly every deadline moves); median of 3 each;
3. **queue**: the agent queue sorted "breaches soonest" (``?sort=sla_due``), in-process
   through the Django test client (no HTTP), median of 20, wall and CPU time (the machine
   may be shared: CPU time is what the request itself cost).

``--only retarget`` / ``--only queue`` runs one part (e.g. to time another checkout of the
code against the same database in the same session).

Prints the figures; a re-run reuses the seeded rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

SOURCE = "sla-bench"


def setup(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "SUPPORTDESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "supportdesk-sla-bench")
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The sweep's notifications would otherwise be queued for a worker that never runs.
    os.environ.setdefault("HUEY_IMMEDIATE", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(target: int, now: dt.datetime, batch: int = 5000) -> None:
    from django.db import connection, transaction
    from django.db.models import Max
    from seed import Base  # bench/seed.py: orgs, agents, teams every ticket points at

    from supportdesk.sla.actions import CalendarCache, compute_due, compute_next_fire
    from supportdesk.sla.choices import ClockKind, ClockState
    from supportdesk.sla.models import SlaPolicy, TicketClock
    from supportdesk.tickets.choices import Status
    from supportdesk.tickets.models import Ticket

    have = Ticket.objects.filter(source=SOURCE).count()
    if have >= target:
        return
    t0 = time.perf_counter()
    base = Base()
    policies = {p.priority_id: p for p in SlaPolicy.objects.filter(channel="", product=None)}
    cals = CalendarCache()
    next_pk = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
    span = dt.timedelta(days=30).total_seconds()
    for lo in range(have, target, batch):
        hi = min(target, lo + batch)
        tickets, clocks = [], []
        for k in range(lo, hi):
            priority = base.priority_cycle[k % len(base.priority_cycle)]
            policy = policies[priority.pk]
            created = now - dt.timedelta(seconds=span * ((k * 7919) % target) / target)
            ticket = Ticket(
                pk=next_pk + k - have, number=f"SB{k:010d}", subject=f"基准工单 {k}",
                description="SLA 基准", priority=priority, channel="portal", source=SOURCE,
                organization=base.orgs[k % len(base.orgs)], team=base.teams["l1"],
                assignee=base.agents[k % len(base.agents)], created_by=base.lead,
                created_at=created, updated_at=created, status=Status.DIAGNOSING,
            )  # fmt: skip
            ticket.sync_derived_fields()
            tickets.append(ticket)
            cal = cals.get(policy.calendar_id)
            # Clocks of younger tickets run; a quarter of the tickets started long enough
            # ago (by a fake, spread start) that their clock is overdue and already breached.
            for kind, minutes in (
                (ClockKind.FIRST_RESPONSE, policy.first_response_minutes),
                (ClockKind.RESOLUTION, policy.resolution_minutes),
            ):
                # Distinct starts, as real tickets have (filed at any second): 0–133 % of
                # the target ago, so about a quarter of the clocks are past their deadline.
                used = (k * 7919 + (kind == ClockKind.RESOLUTION) * 4999) % 100_003 / 100_003
                start = now - dt.timedelta(seconds=minutes * 60 * 1.33 * used)
                clock = TicketClock(
                    ticket=ticket, kind=kind, policy=policy, calendar_id=policy.calendar_id,
                    priority_id=priority.pk, target_seconds=minutes * 60, started_at=start,
                    segment_started_at=start, due_at=start,
                )  # fmt: skip
                clock.due_at = compute_due(clock, cal)
                if clock.due_at <= now:
                    clock.state, clock.breached_at = ClockState.BREACHED, clock.due_at
                    clock.warned_levels = [75, 90]
                clock.next_fire_at = compute_next_fire(clock, cal)
                clocks.append(clock)
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            TicketClock.objects.bulk_create(clocks, batch_size=2000)
        rate = (hi - have) / (time.perf_counter() - t0)
        print(f"  seeded {hi:>8,} tickets, {rate:,.0f}/s", flush=True)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, TicketClock]):
                cur.execute(sql)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_sweep(now: dt.datetime) -> dict[str, Any]:
    from supportdesk.sla.models import TicketClock
    from supportdesk.sla.tasks import fire_due_clocks

    first = TicketClock.objects.filter(next_fire_at__isnull=False).order_by("next_fire_at")
    earliest = first.values_list("next_fire_at", flat=True).first()
    quiet = earliest - dt.timedelta(minutes=1)  # nothing due yet
    idle = []
    for _ in range(7):
        t = time.perf_counter()
        assert fire_due_clocks(now=quiet) == 0
        idle.append(time.perf_counter() - t)
    # Minutes with something due: each run moves to the next minute that has firings.
    busy, fired = [], []
    moment = earliest
    for _ in range(5):
        moment = moment + dt.timedelta(minutes=1)
        t = time.perf_counter()
        fired.append(fire_due_clocks(now=moment))
        busy.append(time.perf_counter() - t)
    return {
        "idle_median": statistics.median(idle),
        "busy_median": statistics.median(busy),
        "fired": fired,
    }


def _retarget_timed(calendar_id: int) -> tuple[int, float, float]:
    from supportdesk.sla.actions import do_retarget_calendar

    wall, cpu = time.perf_counter(), time.process_time()
    moved = do_retarget_calendar(calendar_id)
    return moved, time.perf_counter() - wall, time.process_time() - cpu


def bench_retarget(repeat: int = 3) -> dict[str, Any]:
    """Two edits, each made and undone ``repeat`` times (median of the timed re-targets):

    - *holiday*: a public holiday next Monday (moves every deadline past it, about half);
    - *hours*: every weekday's afternoon ends at 17:30 instead of 18:00 (moves nearly every
      deadline: the worst case, every live clock read, recomputed and written).
    """
    import datetime as dt

    from supportdesk.sla.defaults import CHINA_CALENDAR
    from supportdesk.sla.models import BusinessCalendar, CalendarDay, TicketClock, WorkingSpan

    office = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    live = TicketClock.objects.filter(
        calendar=office, completed_at__isnull=True, state__in=["running", "paused"]
    ).count()
    monday = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())
    afternoons = WorkingSpan.objects.filter(calendar=office, end=dt.time(18))
    edits = {
        "holiday": (
            lambda: CalendarDay.objects.create(
                calendar=office, date=monday, kind="holiday", name="bench"
            ),
            lambda: CalendarDay.objects.filter(calendar=office, date=monday, name="bench").delete(),
        ),
        "hours": (
            lambda: afternoons.update(end=dt.time(17, 30)),
            lambda: WorkingSpan.objects.filter(calendar=office, end=dt.time(17, 30)).update(
                end=dt.time(18)
            ),
        ),
    }
    # Start from the shipped calendar (an interrupted run may have left an edit behind) and
    # from deadlines that match it.
    CalendarDay.objects.filter(calendar=office, date=monday).delete()
    edits["hours"][1]()
    _retarget_timed(office.pk)
    results: dict[str, Any] = {"clocks": live}
    for name, (make, undo) in edits.items():
        runs = []
        for _ in range(repeat):
            make()
            runs.append(_retarget_timed(office.pk))
            undo()
            _retarget_timed(office.pk)  # put the deadlines back for the next run
        results[name] = {
            "moved": runs[0][0],
            "wall": statistics.median(r[1] for r in runs),
            "cpu": statistics.median(r[2] for r in runs),
            "walls": [round(r[1], 2) for r in runs],
        }
    return results


def bench_queue() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from supportdesk.accounts.models import User

    agent = User.objects.get(username="bench.l1a")  # bench/seed.py's agent, 1/5 of the tickets
    client = Client()
    client.force_login(agent)
    results = {}
    for label, query in (
        # The same queue in its default order: what the page costs without the SLA sort.
        ("mine, default order (baseline)", "?queue=mine"),
        ("mine, breaches soonest", "?queue=mine&sort=sla_due"),
        ("team, breaches soonest", "?queue=team&sort=sla_due"),
        ("all open, breaches soonest", "?queue=open&sort=sla_due"),
        # Every bench ticket is assigned: an empty queue, the worst case for a deadline walk.
        ("unassigned (empty), breaches soonest", "?queue=unassigned&sort=sla_due"),
    ):
        url = reverse("workspace:queue") + query
        for _ in range(3):
            assert client.get(url).status_code == 200
        samples, cpu = [], []
        for _ in range(20):
            t, c = time.perf_counter(), time.process_time()
            client.get(url)
            samples.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[label] = (statistics.median(samples), statistics.median(cpu), len(queries))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--only", choices=["sweep", "retarget", "queue"])
    ap.add_argument("--repeat", type=int, default=3, help="re-target runs per edit")
    args = ap.parse_args()
    setup(args.database_url)
    from django.db import connection
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    seed(args.tickets, now)
    from supportdesk.sla.models import TicketClock

    print(f"database: {connection.vendor}, live clocks: "
          f"{TicketClock.objects.filter(completed_at__isnull=True).count():,}")  # fmt: skip
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    if args.only in (None, "sweep"):
        sweep = bench_sweep(now)
        print(f"sweep, nothing due:        median {ms(sweep['idle_median'])} (target < 50 ms)")
        print(
            f"sweep, minutes with firing: median {ms(sweep['busy_median'])}, "
            f"fired per minute {sweep['fired']}"
        )
    if args.only in (None, "retarget"):
        retarget = bench_retarget(args.repeat)
        for name in ("holiday", "hours"):
            r = retarget[name]
            print(
                f"re-target after a calendar edit ({name}): median {r['wall']:.2f} s wall, "
                f"{r['cpu']:.2f} s CPU (runs {r['walls']}) for {retarget['clocks']:,} live "
                f"clocks, {r['moved']:,} moved; target < 10 s"
            )
    if args.only in (None, "queue"):
        for label, (median, cpu, queries) in bench_queue().items():
            print(
                f"queue page {label!r}: median {ms(median)} wall, {ms(cpu)} CPU, {queries} queries"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
