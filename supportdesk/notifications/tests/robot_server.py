"""A real HTTP server standing in for a group robot: answers each POST with the next
scripted status, records what it received. No mock: the code under test does real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Robot:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.url = ""


@contextmanager
def robot(statuses: list[int]) -> Iterator[Robot]:
    state = Robot(statuses)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.received.append(json.loads(self.rfile.read(length)))
            state.paths.append(self.path)
            status = state.statuses.pop(0) if state.statuses else 200
            body = json.dumps({"errcode": 0 if status == 200 else 1}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=t"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_robot() -> Iterator[str]:
    """Accepts connections and never answers: the sender must time out."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/robot"
    finally:
        listener.close()
