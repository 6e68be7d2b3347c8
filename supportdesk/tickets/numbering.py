"""Ticket numbers: prefix + local date + daily sequence, e.g. ``TS202611230001`` (R-TK-1).

1. The day is the desk's local date (``TIME_ZONE``, default Asia/Shanghai), so numbers follow
   the calendar the team works by, not UTC.
2. The sequence is one row per day, incremented by a single ``INSERT ... ON CONFLICT DO
   UPDATE ... RETURNING`` statement: atomic on PostgreSQL (row lock) and on SQLite (database
   write lock), so any number of web and worker processes never hand out the same number.
3. It runs inside the creating transaction: if the ticket is rolled back, so is the number,
   which keeps the days gap-free where possible.
4. Four digits are the minimum width; the 10,000th ticket of a day simply gets five.
5. The same statement also hands out the new ticket's id (``next_ticket_number_and_id``), so
   the ticket row can be written once, already carrying its first event's hash (which covers
   the ticket id), instead of being inserted and then updated: one statement fewer per
   filing, one round trip fewer on PostgreSQL. PostgreSQL takes the id from the table's
   identity sequence (``nextval``: never handed out twice, as for an ordinary insert);
   SQLite computes what ``AUTOINCREMENT`` would give (the larger of ``sqlite_sequence`` and
   the largest id, plus one) while this statement holds the database's write lock, which the
   transaction keeps until the ticket is written.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from supportdesk.tickets.models import Ticket, TicketSequence


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def next_ticket_number(moment: datetime) -> str:
    return _next(moment, with_id=False)[0]


def next_ticket_number_and_id(moment: datetime) -> tuple[str, int]:
    """A number and the id the new ticket row takes; call inside the filing transaction."""
    number, ticket_id = _next(moment, with_id=True)
    assert ticket_id is not None
    return number, ticket_id


def _next_id_sql() -> str:
    table = Ticket._meta.db_table
    if connection.vendor == "postgresql":
        return f"nextval(pg_get_serial_sequence('{table}', 'id'))"
    # The sequence row is absent until a first row went in through AUTOINCREMENT; seeded or
    # imported rows with explicit ids also count through MAX(id) (an index lookup).
    return (
        f"MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "  # noqa: S608
        f'(SELECT COALESCE(MAX(id), 0) FROM "{table}")) + 1'
    )


def _next(moment: datetime, *, with_id: bool) -> tuple[str, int | None]:
    day = local_day(moment)
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    returning = f"last, {_next_id_sql()}" if with_id else "last"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING {returning}",
            [day],
        )
        row = cursor.fetchone()
    assert row is not None
    number = f"{settings.TICKET_NUMBER_PREFIX}{day:%Y%m%d}{row[0]:04d}"
    return number, (int(row[1]) if with_id else None)
