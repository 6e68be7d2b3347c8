"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

Each web worker thread keeps its connection between requests (``CONN_MAX_AGE``), and Django
checks it before the first query of every request (``CONN_HEALTH_CHECKS``) so that a
restarted database costs no failed request. Django's check is a ``SELECT 1``: one round trip
on every request, 2-3 % of an API filing's CPU and a wait besides (bench/RESULTS.md, round 10).

A connection the server has ended (a restart, ``pg_terminate_backend``, an idle timeout) has
something to read on its socket: the server's last error message, then the end of the
stream. A healthy idle connection has nothing to read (nothing here listens for
notifications). So a connection outside any transaction with nothing to read is usable
without asking the server; anything else goes to Django's ``SELECT 1``, as before. A server
that vanished without closing the socket is missed by both checks alike: the query then
fails, and Django closes the connection at the end of the request.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        raw = self.connection
        if raw is not None and not raw.closed and _idle_and_quiet(raw):
            return True
        return bool(super().is_usable())


def _idle_and_quiet(raw: psycopg.Connection[Any]) -> bool:
    if raw.info.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    try:
        poller.register(raw.fileno(), select.POLLIN)
    except (OSError, ValueError):
        return False
    return not poller.poll(0)
