#!/usr/bin/env python
"""CPU per API filing, the application alone: Django's WSGI handler called in-process.

No server, no client, no thread switching: one thread files ``--filings`` tickets through
``POST /api/v1/tickets`` as the bench's agent, ``--repeats`` times, and reports the process's
CPU time (``time.process_time``) and wall time per filing for each repeat. The database is
the real one (``DATABASE_URL``), so each filing's round trips are in the wall time and their
client-side cost in the CPU time. For A/B comparisons of the creation path (bench/RESULTS.md,
round 10): run it from two checkouts in turn against the same seeded database.

    DATABASE_URL=postgres://... SUPPORTDESK_DATA_DIR=... python bench/filing_cpu.py

Filed tickets stay in the database (subjects start with ``[ingest]``), as with
``bench_http.py``'s creation runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import COMMON, setup_django

sys.path.insert(0, str(COMMON))
from corpus import ticket_text

AGENT = "bench.lead"
CUSTOMER = "cust001"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filings", type=int, default=400, help="filings per repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=100)
    args = ap.parse_args()
    os.environ.setdefault("DEBUG", "0")
    setup_django(os.environ.get("DATABASE_URL"))

    from django.core.handlers.wsgi import WSGIHandler

    from supportdesk.accounts.models import ApiToken, User

    agent = User.objects.get(username=AGENT)
    organization = User.objects.get(username=CUSTOMER).organization_id
    _token, raw = ApiToken.issue(agent, "filing_cpu")
    handler = WSGIHandler()

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        if not status.startswith("201"):
            raise SystemExit(f"filing answered {status}")
        return lambda data: None

    def file(k: int) -> None:
        subject, description = ticket_text(k)
        body = json.dumps(
            {"subject": "[ingest] " + subject, "description": description,
             "organization": organization, "priority": "P2", "channel": "api"}
        ).encode()  # fmt: skip
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/tickets", "SCRIPT_NAME": "",
            "QUERY_STRING": "", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000", "HTTP_AUTHORIZATION": f"Bearer {raw}",
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        }  # fmt: skip
        response = handler(environ, start_response)
        b"".join(response)
        response.close()  # type: ignore[attr-defined]

    for k in range(args.warmup):
        file(k)
    repeats = []
    for _ in range(args.repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        for k in range(args.filings):
            file(k)
        n = args.filings
        repeats.append(
            {
                "cpu_ms": round((time.process_time() - cpu) / n * 1000, 3),
                "wall_ms": round((time.perf_counter() - wall) / n * 1000, 3),
            }
        )
    print(json.dumps({"filings": args.filings, "repeats": repeats}))


if __name__ == "__main__":
    main()
