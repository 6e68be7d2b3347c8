"""The web server process ``supportdesk serve`` hands over to: uvicorn, without Django.

``serve`` checks its arguments inside Django, then replaces itself (``os.execve``) with
``python -m supportdesk.config.server``. With ``--workers`` > 1 this process is only uvicorn's
supervisor: it never imports the project, so it stays at the size of uvicorn (~20 MB) instead
of a whole Django process (~80 MB); each worker imports the application itself. With one
worker, uvicorn serves from this process as before.
"""

from __future__ import annotations

import argparse
import socket

import uvicorn
from uvicorn.config import Config

APPLICATION = "supportdesk.config.asgi:application"

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


def run(host: str, port: int, workers: int, access_log: bool) -> None:
    Config.bind_socket = _bind_tcp_socket  # type: ignore[method-assign,assignment]
    uvicorn.run(
        APPLICATION,
        host=host,
        port=port,
        workers=workers,
        # Django's ASGI handler does not speak the lifespan protocol.
        lifespan="off",
        access_log=access_log,
        server_header=False,
        # SIGTERM waits this long for open requests before closing connections.
        timeout_graceful_shutdown=10,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="supportdesk serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    run(args.host, args.port, args.workers, access_log=not args.no_access_log)


if __name__ == "__main__":
    main()
