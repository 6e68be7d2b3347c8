#!/usr/bin/env python
"""``supportdesk serve`` with uvicorn's multi-worker listening socket fixed to IPPROTO_TCP.

With ``--workers N > 1`` uvicorn 0.54 binds the socket itself with ``proto=0``; accepted
connections inherit it and asyncio only sets ``TCP_NODELAY`` when ``proto == IPPROTO_TCP``,
so Nagle's algorithm meets the client's delayed ACK and keep-alive responses written in two
sends wait ~40 ms (uvicorn issue #3149). ``bench_http.py --nodelay-fix`` uses this wrapper to
show what the product's pages cost without that artefact; the product is not changed.
"""

from __future__ import annotations

import socket
import sys

from uvicorn.config import Config

_bind_socket = Config.bind_socket


def bind_socket(self: Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        # Same file descriptor, re-wrapped so the protocol asyncio checks is TCP.
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


Config.bind_socket = bind_socket  # type: ignore[method-assign]

if __name__ == "__main__":
    from supportdesk.config.cli import main

    sys.argv = ["supportdesk", "serve", *sys.argv[1:]]
    main()
