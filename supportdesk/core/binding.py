"""Statements whose parameters are megabytes of bytes send them apart from the SQL.

Django binds parameters on the client by default with psycopg 3: each value is escaped and
written into the statement's text, which the server parses back. For a raw mail of 37 KB
(the corpus average) that is 74 KB of hex per message, escaped here and decoded there: a
batch of 20 mails cost 1.1 ms per message this way against 0.55 ms with the bytes sent as
parameters (bench/RESULTS.md, round 8). Only the blocks that write such values switch;
everything else keeps Django's default (server-side binding everywhere would change how
every query is planned and typed, for little gain on small parameters).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


@contextmanager
def parameters_sent_apart(using: str = "default") -> Iterator[None]:
    """On PostgreSQL, statements run in this block bind their parameters on the server.

    The statements still go through Django's cursor (logged, counted, errors translated).
    Not for SQL that cannot take server-side parameters (``SET``, utility statements, more
    than one statement in a string).
    """
    wrapper = connections[using]
    if wrapper.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    wrapper.ensure_connection()
    raw = wrapper.connection
    previous = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = previous
