"""``supportdesk serve``: the web server (HTTP and WebSocket) on uvicorn.

Static files are served by WhiteNoise from inside the application, so no proxy or
``collectstatic`` is needed to run; behind a proxy, run several ``--workers``.
"""

from __future__ import annotations

import os
import socket
import warnings
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandError, CommandParser
from uvicorn.config import Config

from supportdesk.core.management.commands._runtime import ensure_data_dirs

APPLICATION = "supportdesk.config.asgi:application"
# WhiteNoise hands Django file responses with a synchronous iterator; under ASGI Django warns
# on every static file. Reading files in a thread is exactly what we want, so it is noise.
STATIC_FILE_WARNING = "StreamingHttpResponse must consume synchronous iterators"


_uvicorn_bind_socket = Config.bind_socket


def _bind_tcp_socket(config: Config) -> socket.socket:
    """uvicorn's own listening socket, re-wrapped so its protocol reads as TCP.

    With ``--workers`` > 1 uvicorn 0.54 binds the socket itself with ``proto=0``; accepted
    connections inherit it and asyncio only sets ``TCP_NODELAY`` when ``proto`` is
    ``IPPROTO_TCP``, so every keep-alive response written in two sends waited ~40 ms for the
    client's delayed ACK (uvicorn issue #3149; bench/RESULTS.md, finding 1).
    """
    sock = _uvicorn_bind_socket(config)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


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
        warnings.filterwarnings("ignore", message=STATIC_FILE_WARNING, category=Warning)
        # Worker processes (--workers > 1) are fresh interpreters: they take it from here.
        os.environ["PYTHONWARNINGS"] = ",".join(
            filter(None, [os.environ.get("PYTHONWARNINGS"), f"ignore:{STATIC_FILE_WARNING}"])
        )
        Config.bind_socket = _bind_tcp_socket  # type: ignore[method-assign,assignment]
        uvicorn.run(
            APPLICATION,
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            # Django's ASGI handler does not speak the lifespan protocol.
            lifespan="off",
            access_log=not options["no_access_log"],
            server_header=False,
            # SIGTERM waits this long for open requests before closing connections.
            timeout_graceful_shutdown=10,
        )
