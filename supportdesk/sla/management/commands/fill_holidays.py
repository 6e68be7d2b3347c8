"""Adds mainland China's holidays and make-up working days of some years to a calendar.

Days the calendar already has (an admin's edits among them) are kept as they are.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.sla.defaults import CHINA_CALENDAR, fill_china_days
from supportdesk.sla.models import BusinessCalendar, CalendarDay
from supportdesk.sla.tasks import retarget_calendar


class Command(BaseCommand):
    help = "Pre-fill a business calendar with mainland China's holidays and 调休 working days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="+", type=int)
        parser.add_argument("--calendar", default=CHINA_CALENDAR)

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = BusinessCalendar.objects.filter(name=options["calendar"]).first()
        if calendar is None:
            raise CommandError(f"no calendar named {options['calendar']!r}")
        added = fill_china_days(calendar, CalendarDay, options["years"])
        retarget_calendar(calendar.pk)
        self.stdout.write(f"{added} day(s) added to {calendar.name}")
