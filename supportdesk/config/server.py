"""The web server process ``supportdesk serve`` hands over to: gunicorn's arbiter.

``serve`` checks its arguments inside Django, then replaces itself (``os.execve``) with
``python -m supportdesk.config.server`` (same process id, a fresh interpreter).

With several workers, the arbiter loads the application once (gunicorn's ``preload_app``),
with what every worker would otherwise load for itself on its first requests: every URL
pattern and view module, the project's compiled templates, both languages' translation
catalogs and the Chinese segmenter's dictionary (~15 MB, in Rust). It freezes those objects
out of the garbage collector (``gc.freeze``) and forks: the workers share all of it
copy-on-write instead of each holding a copy. RSS, which counts a shared page in every
process mapping it, hardly moves; what the server really takes (PSS summed over the tree)
drops by about one copy per extra worker, and a search no longer grows a worker by the
dictionary (bench/RESULTS.md, round 7). Nothing keeps a database connection or starts a
thread before the fork: the one connection opened to initialise the driver is closed first.
The code is loaded once: new code needs a restart of the service (SIGHUP re-forks the
workers from what the arbiter holds).

With one worker (the default) there is nothing to share, and the arbiter does not load the
application: the worker loads the same before its first request. A preloading arbiter would
keep its own copy of every page the worker writes to (Python 3.11 writes reference counts into
the objects it reads): at 100,000 tickets on PostgreSQL the server took 132 MB (PSS, arbiter
and worker) with it and 119 MB without, for the same throughput (bench/RESULTS.md, round 9).
On two cores one worker creates as many tickets as two: the database and the clients use the
other core.

Why WSGI and gunicorn's threaded workers rather than an ASGI server: every view is
synchronous, and under ASGI Django runs each one through ``sync_to_async`` and keeps database
connections per request context, so a persistent connection is never reused (it leaks) and
every request opened a new one. Under WSGI a worker thread keeps its connection
(``CONN_MAX_AGE``), and the per-request floor dropped from ~3 ms to ~0.6 ms
(bench/RESULTS.md, round 6). Threads keep connections alive for browsers and let a worker
answer while another request waits on the database.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

APPLICATION = "supportdesk.config.wsgi:application"


def _uses_sqlite(environ: os._Environ[str] | dict[str, str]) -> bool:
    return environ.get("DATABASE_URL", "sqlite:").startswith("sqlite:")


class Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        if _uses_sqlite(os.environ):
            # Huey imports psycopg if it can (for a PostgreSQL queue we don't use); on SQLite
            # nothing else needs it, and it costs ~10 MB. Set in the arbiter, the workers
            # inherit it.
            sys.modules.setdefault("psycopg", None)  # type: ignore[arg-type]
        from supportdesk.config.preload import load_for_work
        from supportdesk.config.wsgi import application

        # Everything the workers serve, before the first request: in the arbiter when it forks
        # several workers (shared copy-on-write), else in the one worker itself.
        load_for_work(segmenter=True)
        if self.cfg.preload_app:
            prepare_for_fork()
        return application


def prepare_for_fork() -> None:
    """Makes the arbiter's loaded state safe and cheap to share with the workers it forks."""
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


def options(host: str, port: int, workers: int, threads: int, access_log: bool) -> dict[str, Any]:
    address = f"[{host}]" if ":" in host else host
    return {
        "bind": f"{address}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # Requests that take longer than this are stuck: the worker is replaced.
        "timeout": 120,
        # SIGTERM waits this long for open requests before closing connections.
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "proc_name": "supportdesk-web",
        # Load the application in the arbiter and fork the workers from it (see above).
        "preload_app": workers > 1,
    }


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
    # gunicorn reads its own command line too: give it none of ours.
    sys.argv = [sys.argv[0]]
    Server(options(args.host, args.port, args.workers, args.threads, not args.no_access_log)).run()


if __name__ == "__main__":
    main()
