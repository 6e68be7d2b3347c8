"""``supportdesk verify_timelines``: checks every ticket's hash chain (R-TK-3).

A timeline changed outside the product (directly in the database) no longer matches its
chain; this lists each such ticket and exits with status 1, for a cron job or monitoring.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from supportdesk.tickets.models import Ticket
from supportdesk.tickets.timeline_integrity import verify_timeline


class Command(BaseCommand):
    help = "Verifies the tamper-evident timeline of every ticket; exit status 1 if any is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        checked = broken = 0
        tickets = Ticket.objects.only("pk", "number", "last_event_hash").order_by("pk")
        for ticket in tickets.iterator(chunk_size=500):
            checked += 1
            event = verify_timeline(ticket)
            if event is not None:
                broken += 1
                self.stdout.write(
                    f"{ticket.number}: timeline does not match from event {event.pk} "
                    f"({event.kind}, {event.created_at:%Y-%m-%d %H:%M:%S} UTC)"
                )
        if broken:
            raise CommandError(
                f"{broken} of {checked} ticket timelines were changed outside the product.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"All {checked} ticket timelines are intact."))
