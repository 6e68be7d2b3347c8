"""Ticket numbers: prefix + local date + daily sequence, e.g. ``TS202611230001`` (R-TK-1).

1. The day is the desk's local date (``TIME_ZONE``, default Asia/Shanghai), so numbers follow
   the calendar the team works by, not UTC.
2. The sequence is one row per day, incremented by a single ``INSERT ... ON CONFLICT DO
   UPDATE ... RETURNING`` statement: atomic on PostgreSQL (row lock) and on SQLite (database
   write lock), so any number of web and worker processes never hand out the same number.
3. It runs inside the creating transaction: if the ticket is rolled back, so is the number,
   which keeps the days gap-free where possible.
4. Four digits are the minimum width; the 10,000th ticket of a day simply gets five.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from supportdesk.tickets.models import TicketSequence


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def next_ticket_number(moment: datetime) -> str:
    day = local_day(moment)
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        row = cursor.fetchone()
    assert row is not None
    return f"{settings.TICKET_NUMBER_PREFIX}{day:%Y%m%d}{row[0]:04d}"
