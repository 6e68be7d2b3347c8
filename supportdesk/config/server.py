"""The web server process ``supportdesk serve`` hands over to: gunicorn, without Django.

``serve`` checks its arguments inside Django, then replaces itself (``os.execve``) with
``python -m supportdesk.config.server``. This process is gunicorn's arbiter: it never imports
the project, so it stays at the size of gunicorn (~25 MB) instead of a whole Django process
(~80 MB); each worker process imports the application after it is forked.

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
            # nothing else needs it, and it costs each worker ~10 MB.
            sys.modules.setdefault("psycopg", None)  # type: ignore[arg-type]
        from supportdesk.config.wsgi import application

        return application


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
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="supportdesk serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    # gunicorn reads its own command line too: give it none of ours.
    sys.argv = [sys.argv[0]]
    Server(options(args.host, args.port, args.workers, args.threads, not args.no_access_log)).run()


if __name__ == "__main__":
    main()
