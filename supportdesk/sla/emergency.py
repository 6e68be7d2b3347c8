"""The emergency procedure (R-SL-3): for a P0, or when an engineer declares one.

Opening it records the plan on the timeline (contact the customer within 15 minutes, start
the contingency plan 应急预案, report progress to management every 30 minutes until
resolved) and starts the "report to management" clock on the 24×7 calendar. Each report
meets that clock and starts the next 30 minutes; the worker warns and records a breach when
one is late, like any other target; resolving the ticket stops it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.sla.actions import (
    CalendarCache,
    Note,
    _complete,
    _record,
    _restart_next_update,
    compute_due,
    compute_next_fire,
)
from supportdesk.sla.choices import ClockAction, ClockKind
from supportdesk.sla.models import BusinessCalendar, Emergency, EmergencyReport, TicketClock
from supportdesk.tickets import permissions
from supportdesk.tickets.actions import do_record_event
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket

REPORT_MINUTES = 30


def _label() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Emergency procedure")


def do_declare_emergency(
    ticket: Ticket, *, actor: User | None, reason: str = "", now: dt.datetime | None = None
) -> Emergency:
    """Opens emergency handling once per ticket (a second declaration returns the first)."""
    if actor is not None and not permissions.is_agent(actor):
        raise PermissionDenied
    if not ticket.is_open:
        raise ActionError({"reason": [_("A closed ticket has no emergency to handle.")]})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        existing = Emergency.objects.filter(ticket=ticket).first()
        if existing is not None:
            return existing
        emergency = Emergency.objects.create(
            ticket=ticket, declared_at=now, declared_by=actor, reason=reason
        )
        calendar = BusinessCalendar.objects.filter(is_24x7=True).order_by("pk").first()
        if calendar is None:
            calendar = BusinessCalendar.objects.create(name="7×24", is_24x7=True)
        clock = TicketClock(
            ticket=ticket, kind=ClockKind.MANAGEMENT_REPORT, calendar=calendar,
            priority_id=ticket.priority_id, target_seconds=REPORT_MINUTES * 60,
            started_at=now, segment_started_at=now, due_at=now,
        )  # fmt: skip
        cal = calendar.as_calendar()
        clock.due_at = compute_due(clock, cal)
        clock.next_fire_at = compute_next_fire(clock, cal)
        clock.save()
        with translation.override(settings.LANGUAGE_CODE):
            body = gettext(
                "Emergency procedure opened: contact the customer within 15 minutes, start "
                "the contingency plan, report progress to management every 30 minutes "
                "until resolved."
            )
        if reason:
            body += "\n" + reason
        do_record_event(
            ticket, kind=EventKind.EMERGENCY, actor=actor, actor_label="" if actor else _label(),
            body=body, data={"action": "declared"},
        )  # fmt: skip
        _record(ticket, Note(clock, ClockAction.STARTED))
    return emergency


def do_add_emergency_report(
    ticket: Ticket, *, actor: User, body: str, now: dt.datetime | None = None
) -> EmergencyReport:
    """A progress report to management: meets the report clock and starts the next one."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if not body.strip():
        raise ActionError({"body": [_("Write the progress report.")]})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        emergency = Emergency.objects.filter(ticket=ticket).first()
        if emergency is None:
            raise ActionError({"body": [_("No emergency procedure is open on this ticket.")]})
        report = EmergencyReport.objects.create(
            emergency=emergency, author=actor, body=body.strip(), created_at=now
        )
        do_record_event(
            ticket, kind=EventKind.EMERGENCY, actor=actor, body=report.body,
            data={"action": "report", "report": report.pk},
        )  # fmt: skip
        clock = (
            TicketClock.objects.select_for_update()
            .filter(ticket=ticket, kind=ClockKind.MANAGEMENT_REPORT, completed_at__isnull=True)
            .first()
        )
        if clock is not None:
            cal = CalendarCache().get(clock.calendar_id)
            met = _complete(clock, now, cal, ClockAction.MET)
            _restart_next_update(clock, now, cal)
            clock.next_fire_at = compute_next_fire(clock, cal)
            clock.version += 1
            clock.save()
            _record(ticket, met)
            _record(ticket, Note(clock, ClockAction.STARTED))
    return report


def declare_for_most_urgent(ticket_id: int) -> Emergency | None:
    """A ticket at the most urgent priority (P0) opens the procedure by itself."""
    ticket = Ticket.objects.select_related("priority").filter(pk=ticket_id).first()
    if ticket is None or not ticket.is_open or ticket.priority.rank != 0:
        return None
    if Emergency.objects.filter(ticket=ticket).exists():
        return None
    return do_declare_emergency(ticket, actor=None)
