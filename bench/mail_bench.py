"""Mail intake throughput: messages ingested per second from the shared corpus (issue 4).

Usage (from the project root)::

    .venv/bin/python bench/mail_bench.py --db sqlite   [--rounds 3] [--profile out.txt]
    .venv/bin/python bench/mail_bench.py --db postgres [--pg-url URL]

Each run starts from a fresh database (SQLite in a new temporary data directory, or the
PostgreSQL database of ``--pg-url``, dropped and created with ``su postgres``), migrates it,
then ingests every message of the folder ``--rounds`` times through the real path
(``intake.email.ingest.receive``: parse, thread, store raw, ticket actions, search index and
the other ``ticket_event_recorded`` receivers), single process. Each round gives the
messages fresh Message-IDs, so every round is new mail. The first round warms caches (and
creates the organizations' contacts); the figure reported is over all rounds, by wall time
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus" / "mail"
DEFAULT_PG = "postgres://supportdesk:supportdesk@127.0.0.1:5432/h_mail_bench"


def _fresh_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    subprocess.run(["su", "postgres", "-c", f"dropdb --if-exists {name}"], check=True)
    subprocess.run(["su", "postgres", "-c", f"createdb -O supportdesk {name}"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="supportdesk-mail-bench-")
    os.environ["SUPPORTDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
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

    from supportdesk.intake.email import ingest
    from supportdesk.intake.management.commands.bench_mail import _retag, corpus_paths
    from supportdesk.intake.models import Mailbox

    call_command("migrate", interactive=False, verbosity=0)
    messages = [p.read_bytes() for p in corpus_paths(args.folder)]
    mailbox = Mailbox.objects.create(address="bench@desk.example", name="bench")
    profiler = cProfile.Profile() if args.profile else None
    rates = []
    total, elapsed, cpu = 0, 0.0, 0.0
    for round_number in range(args.rounds):
        tag = f"r{round_number}-{time.time_ns()}.".encode()
        batch = [_retag(raw, tag, index) for index, raw in enumerate(messages)]
        if profiler is not None:
            profiler.enable()
        started, started_cpu = time.perf_counter(), time.process_time()
        for raw in batch:
            ingest.receive(raw, mailbox)
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
        f"messages/s (rounds: {', '.join(f'{r:.0f}' for r in rates)}; single process; "
        f"{total / cpu:.0f} messages per CPU second of this process; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        args.profile.write_text(out.getvalue())
        print(f"profile written to {args.profile}")


if __name__ == "__main__":
    main()
