"""``supportdesk serve``: the web server (HTTP and WebSocket) on uvicorn.

Static files are served by WhiteNoise from inside the application, so no proxy or
``collectstatic`` is needed to run; behind a proxy, run several ``--workers``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.core.management.commands._runtime import ensure_data_dirs

# WhiteNoise hands Django file responses with a synchronous iterator; under ASGI Django warns
# on every static file. Reading files in a thread is exactly what we want, so it is noise.
STATIC_FILE_WARNING = "StreamingHttpResponse must consume synchronous iterators"


class Command(BaseCommand):
    help = "Runs the web server (uvicorn) for the portal, the workspace, the API and the admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=1, help="Worker processes (default 1).")
        parser.add_argument(
            "--no-access-log", action="store_true", help="Do not log every request."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        ensure_data_dirs()
        env = dict(os.environ)
        env["PYTHONWARNINGS"] = ",".join(
            filter(None, [env.get("PYTHONWARNINGS"), f"ignore:{STATIC_FILE_WARNING}"])
        )
        argv = [sys.executable, "-m", "supportdesk.config.server", "--host", options["host"],
                "--port", str(options["port"]), "--workers", str(options["workers"])]  # fmt: skip
        if options["no_access_log"]:
            argv.append("--no-access-log")
        sys.stdout.flush()
        sys.stderr.flush()
        # Same process id (``demo`` and service managers keep signalling it), but without
        # Django loaded: uvicorn's supervisor then costs ~20 MB instead of ~80 MB, and each
        # worker imports the application itself (supportdesk/config/server.py).
        os.execve(sys.executable, argv, env)  # noqa: S606 - our own interpreter and module
