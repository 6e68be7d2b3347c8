"""Mail intake throughput: messages ingested per second from the shared corpus (issue 4).

Usage (from the project root)::

    .venv/bin/python bench/mail_bench.py --db sqlite   [--rounds 3] [--profile out.txt]
    .venv/bin/python bench/mail_bench.py --db postgres [--pg-url URL]

Each run starts from a fresh database (SQLite in a new temporary data directory, or the
PostgreSQL database of ``--pg-url``, dropped and created with ``su postgres``), migrates it,
then ingests every message of the folder ``--rounds`` times through the real path
(``intake.email.ingest.receive``: parse, thread, store raw, ticket actions, search index and
the other ``ticket_event_recorded`` receivers), single process. Each round gives the
messages fresh Message-IDs, so every round is new mail. Before the first round, the process
loads what the intake processes load as they start (``config.preload``: URL patterns,
templates, catalogs). The first round warms the remaining caches and creates the
organizations' contacts; the figure reported is over all rounds, by wall time
and by this process's CPU time (the machine is shared: CPU time is the steadier figure; the
database server's own CPU is not in it on PostgreSQL).
``--profile FILE`` writes a cProfile summary (cumulative, top 60) of the timed rounds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus" / "mail"
DEFAULT_PG = "postgres://supportdesk:supportdesk@127.0.0.1:5432/h_mail_bench"


def _fresh_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    subprocess.run(["su", "postgres", "-c", f"dropdb --if-exists {name}"], check=True)
    subprocess.run(["su", "postgres", "-c", f"createdb -O supportdesk {name}"], check=True)


# The job that brings new and changed tickets into the search index (``search.tasks``).
INDEX_JOB = "index_pending_tickets"


def _drain() -> tuple[float, float, float]:
    """Runs what the intake queued, as the worker would: wall and CPU seconds it took, and
    the wall seconds of the search-index jobs among them."""
    from huey.contrib.djhuey import HUEY

    from supportdesk.config.preload import load_for_work

    # As ``supportdesk worker`` does when it starts: the index jobs need the segmenter.
    load_for_work(segmenter=True)
    jobs: Counter[str] = Counter()
    job_cpu: Counter[str] = Counter()
    job_wall: Counter[str] = Counter()
    started, started_cpu = time.perf_counter(), time.process_time()
    while (task := HUEY.dequeue()) is not None:
        jobs[task.name] += 1
        before, before_wall = time.process_time(), time.perf_counter()
        HUEY.execute(task)
        job_cpu[task.name] += time.process_time() - before
        job_wall[task.name] += time.perf_counter() - before_wall
    spent, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"worker jobs run: {sum(jobs.values())} in {spent:.2f} s, {cpu:.2f} s CPU")
    for name, seconds in job_cpu.most_common():
        each = seconds / jobs[name] * 1000
        print(f"  {name}: {jobs[name]} jobs, {seconds:.2f} s CPU ({each:.1f} ms each)")
    return spent, cpu, job_wall[INDEX_JOB]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="messages per receive_batch call (default: the IMAP fetch's batch; 1: receive)",
    )
    parser.add_argument(
        "--drain",
        action="store_true",
        help="afterwards, run the jobs the intake queued (routing, SLA clocks, index, "
        "acknowledgements to a local mail backend) in this process and time them",
    )
    parser.add_argument("--profile", type=Path)
    parser.add_argument(
        "--profile-clock",
        choices=["wall", "cpu"],
        default="wall",
        help="what the profile attributes: wall time (waits included) or this process's CPU",
    )
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="supportdesk-mail-bench-")
    os.environ["SUPPORTDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
    # Acknowledgements are written and "sent" into memory when --drain runs the jobs.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if args.db == "postgres":
        _fresh_postgres(args.pg_url)
        os.environ["DATABASE_URL"] = args.pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from supportdesk.config.preload import load_for_work
    from supportdesk.intake.email import ingest
    from supportdesk.intake.management.commands.bench_mail import _retag, corpus_paths
    from supportdesk.intake.models import InboundMessage, Mailbox
    from supportdesk.tickets.models import Ticket

    call_command("migrate", interactive=False, verbosity=0)
    # As the intake processes (worker, fetchmail, smtpd) do when they start.
    load_for_work(segmenter=False)
    messages = [p.read_bytes() for p in corpus_paths(args.folder)]
    mailbox = Mailbox.objects.create(address="bench@desk.example", name="bench")
    clock = time.process_time if args.profile_clock == "cpu" else time.perf_counter
    profiler = cProfile.Profile(clock) if args.profile else None
    size = args.batch or ingest.BATCH_SIZE
    rates = []
    total, elapsed, cpu = 0, 0.0, 0.0
    for round_number in range(args.rounds):
        tag = f"r{round_number}-{time.time_ns()}.".encode()
        batch = [_retag(raw, tag, index) for index, raw in enumerate(messages)]
        if profiler is not None:
            profiler.enable()
        started, started_cpu = time.perf_counter(), time.process_time()
        if size == 1:
            for raw in batch:
                ingest.receive(raw, mailbox)
        else:
            for start in range(0, len(batch), size):
                ingest.receive_batch(batch[start : start + size], mailbox)
        spent = time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        if profiler is not None:
            profiler.disable()
        rates.append(len(batch) / spent)
        total += len(batch)
        elapsed += spent
        print(
            f"round {round_number + 1}: {len(batch)} messages in {spent:.2f} s = {rates[-1]:.0f}/s"
        )
    print(
        f"{connection.vendor}: {total} messages in {elapsed:.2f} s = {total / elapsed:.0f} "
        f"messages/s (rounds: {', '.join(f'{r:.0f}' for r in rates)}; batches of {size}; "
        f"single process; {total / cpu:.0f} messages per CPU second of this process; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    states = Counter(InboundMessage.objects.values_list("state", flat=True))
    outcomes = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
    print(f"stored {sum(states.values())} messages ({outcomes}), {Ticket.objects.count()} tickets")
    if args.drain:
        job_wall, job_cpu, index_wall = _drain()
        # "Ingested" as the issue counts it: parsed, threaded, stored and searchable.
        print(
            f"intake and the search indexing of what it filed: "
            f"{total / (elapsed + index_wall):.0f} messages/s"
        )
        print(
            f"intake and its worker jobs, one after the other: {total / (elapsed + job_wall):.0f} "
            f"messages/s ({total / (cpu + job_cpu):.0f} per CPU second)"
        )
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(80)
        stats.sort_stats("tottime").print_stats(40)
        args.profile.write_text(out.getvalue())
        print(f"profile written to {args.profile}")


if __name__ == "__main__":
    main()
