"""``supportdesk serve``: the web server (WSGI, granian with threaded workers).

Static files are served by WhiteNoise from inside the application, so no proxy or
``collectstatic`` is needed to run; behind a proxy, run several ``--workers``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.core.management.commands._runtime import ensure_data_dirs


class Command(BaseCommand):
    help = "Runs the web server (granian) for the portal, the workspace, the API and the admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=1, help="Worker processes (default 1).")
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per worker process (default 4)."
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="Do not log every request."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1.")
        ensure_data_dirs()
        argv = [sys.executable, "-m", "supportdesk.config.server", "--host", options["host"],
                "--port", str(options["port"]), "--workers", str(options["workers"]),
                "--threads", str(options["threads"])]  # fmt: skip
        if options["no_access_log"]:
            argv.append("--no-access-log")
        sys.stdout.flush()
        sys.stderr.flush()
        # Same process id (``demo`` and service managers keep signalling it), in a fresh
        # interpreter: granian's main process, which with several workers loads the
        # application once and forks them from it (supportdesk/config/server.py).
        os.execve(sys.executable, argv, dict(os.environ))  # noqa: S606 - our own interpreter and module
