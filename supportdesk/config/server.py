"""The web server process ``supportdesk serve`` hands over to: granian, serving WSGI.

``serve`` checks its arguments inside Django, then replaces itself (``os.execve``) with
``python -m supportdesk.config.server`` (same process id, a fresh interpreter).

Why granian: its HTTP handling, keep-alive and the hand-over to a Python thread are written
in Rust. gunicorn's threaded worker did the same in Python, on the worker's one core: at 4
concurrent API clients on PostgreSQL one worker spent 3.3-3.6 ms of CPU per filed ticket
under gunicorn and 3.0-3.1 ms under granian, for the same application code
(bench/RESULTS.md, round 10). The request body is streamed to the application as it reads
it, as under gunicorn, so a large upload is not held in memory.

With several workers, the main process loads the application once, with what every worker
would otherwise load for itself on its first requests: every URL pattern and view module,
the project's compiled templates, both languages' translation catalogs and the Chinese
segmenter's dictionary (~15 MB, in Rust). It freezes those objects out of the garbage
collector (``gc.freeze``) and forks: the workers share all of it copy-on-write instead of
each holding a copy. RSS, which counts a shared page in every process mapping it, hardly
moves; what the server really takes (PSS summed over the tree) drops by about one copy per
extra worker (bench/RESULTS.md, round 7). Nothing keeps a database connection or starts a
thread before the fork: the one connection opened to initialise the driver is closed first.
The code is loaded once: new code needs a restart of the service (SIGHUP re-forks the
workers from what the main process holds).

With one worker (the default) there is nothing to share, and the main process does not load
the application: the worker loads the same before its first request. A preloading parent
would keep its own copy of every page the worker writes to (Python 3.11 writes reference
counts into the objects it reads): at 100,000 tickets on PostgreSQL the server took 132 MB
(PSS, parent and worker) with it and 119 MB without, for the same throughput
(bench/RESULTS.md, round 9). On two cores one worker creates as many tickets as two: the
database and the clients use the other core.

A worker that dies is started again (``respawn_failed_workers``); one that dies again within
seconds of its start stops the server rather than loop. A request has no time limit of the
server's: a stuck one holds its thread until it returns.

Why WSGI rather than ASGI: every view is synchronous, and under ASGI Django runs each one
through ``sync_to_async`` and keeps database connections per request context, so a
persistent connection is never reused (it leaks) and every request opened a new one. Under
WSGI a worker thread keeps its connection (``CONN_MAX_AGE``), and the per-request floor
dropped from ~3 ms to ~0.6 ms (bench/RESULTS.md, round 6). Threads keep connections alive for
browsers and let a worker answer while another request waits on the database.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels
from granian.server import MPServer

APPLICATION = "supportdesk.config.wsgi:application"

# Shutdown waits this long for open requests before the workers are killed.
GRACEFUL_TIMEOUT = 10


def _uses_sqlite(environ: os._Environ[str] | dict[str, str]) -> bool:
    return environ.get("DATABASE_URL", "sqlite:").startswith("sqlite:")


def load(_target: str = APPLICATION) -> Any:
    """The WSGI application with everything it serves loaded (in the parent or the worker)."""
    if _uses_sqlite(os.environ):
        # Huey imports psycopg if it can (for a PostgreSQL queue we don't use); on SQLite
        # nothing else needs it, and it costs ~10 MB.
        sys.modules.setdefault("psycopg", None)  # type: ignore[arg-type]
    from supportdesk.config.preload import load_for_work
    from supportdesk.config.wsgi import application

    load_for_work(segmenter=True)
    return application


def prepare_for_fork() -> None:
    """Makes the parent's loaded state safe and cheap to share with the workers it forks."""
    from django.db import DatabaseError, connection, connections
    from huey.contrib.djhuey import HUEY

    # The database driver's one-time set-up (libpq and OpenSSL initialise their tables on the
    # first connection): done once here and shared, instead of written by each worker into
    # pages of its own (~4.5 MB a worker on PostgreSQL, bench/RESULTS.md round 9). A database
    # that is down now only means the workers connect later.
    with contextlib.suppress(DatabaseError):
        connection.ensure_connection()
    # A socket shared by two processes would mix their conversations: close whatever is open.
    connections.close_all()
    HUEY.storage.close()
    # Objects made so far live as long as the process; out of the collector's sight, its
    # passes in the workers no longer write to (and so copy) the pages holding them.
    gc.collect()
    gc.freeze()


def loader(workers: int) -> Callable[[str], Any]:
    """What each worker calls for its application: loaded there, or inherited from the parent."""
    if workers == 1:
        return load
    application = load()
    prepare_for_fork()
    return lambda _target: application


def server(host: str, port: int, workers: int, threads: int, access_log: bool) -> MPServer:
    # Worker processes (granian's threaded workers are for free-threaded Python builds).
    return MPServer(
        APPLICATION,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        http=HTTPModes.http1,
        websockets=False,
        log_level=LogLevels.info,
        log_access=access_log,
        respawn_failed_workers=True,
        workers_kill_timeout=GRACEFUL_TIMEOUT,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="supportdesk serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    # SQLite's page cache and memory map are per connection, and every worker thread keeps
    # one. At 100,000 tickets a 16 MB cache held ~35 MB more per worker after a few searches,
    # and the map counted ~15-30 MB of the file's pages in each worker; neither made a page
    # measurably faster (bench/RESULTS.md, round 7): the OS's file cache serves the reads.
    # Set before the settings are read; the environment still decides.
    os.environ.setdefault("SQLITE_CACHE_MB", "2")
    os.environ.setdefault("SQLITE_MMAP_MB", "0")
    # Workers are forked from this process (granian follows the start method; Python 3.14
    # changes the default on Linux).
    multiprocessing.set_start_method("fork", force=True)
    web = server(args.host, args.port, args.workers, args.threads, not args.no_access_log)
    web.serve(target_loader=loader(args.workers))


if __name__ == "__main__":
    main()
