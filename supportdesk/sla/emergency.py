"""The emergency procedure (R-SL-3): for a P0, or when an engineer declares one.

Opening it records the plan on the timeline and starts, on the 24×7 calendar:

- the "contact the customer" clock (15 minutes), met by the first agent reply or phone call
  after the declaration (``record_customer_contact``, from ``emergency_receivers``);
- the "report to management" clock (30 minutes); each report meets it and starts the next
  30 minutes;

and copies the contingency-plan template (应急预案, ``ContingencyStep``) into a checklist
whose items agents check off, each one a timeline entry. The worker warns and records a
breach when a clock runs late, like any other target; resolving the ticket stops them.
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
from supportdesk.sla.models import (
    BusinessCalendar,
    ContingencyStep,
    Emergency,
    EmergencyChecklistItem,
    EmergencyReport,
    TicketClock,
)
from supportdesk.tickets import permissions
from supportdesk.tickets.actions import do_record_event
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

REPORT_MINUTES = 30
CONTACT_MINUTES = 15
# What counts as contacting the customer: a public reply or a logged phone call by an agent.
CONTACT_KINDS = frozenset({EventKind.REPLY, EventKind.CALL})


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
        cal = calendar.as_calendar()
        clocks = []
        for kind, minutes in (
            (ClockKind.CUSTOMER_CONTACT, CONTACT_MINUTES),
            (ClockKind.MANAGEMENT_REPORT, REPORT_MINUTES),
        ):
            clock = TicketClock(
                ticket=ticket, kind=kind, calendar=calendar, priority_id=ticket.priority_id,
                target_seconds=minutes * 60, started_at=now, segment_started_at=now, due_at=now,
            )  # fmt: skip
            clock.due_at = compute_due(clock, cal)
            clock.next_fire_at = compute_next_fire(clock, cal)
            clock.save()
            clocks.append(clock)
        EmergencyChecklistItem.objects.bulk_create(
            EmergencyChecklistItem(emergency=emergency, position=step.position, text=step.text)
            for step in ContingencyStep.objects.filter(active=True)
        )
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
        for clock in clocks:
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


def do_check_contingency_item(
    ticket: Ticket, *, actor: User, item_id: int, now: dt.datetime | None = None
) -> EmergencyChecklistItem:
    """Checks off one contingency-plan step, with who and when, on the timeline.

    Checking a step that is already done changes nothing (a double click, two agents at
    once): the first check stands.
    """
    if not permissions.is_agent(actor):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        item = EmergencyChecklistItem.objects.filter(pk=item_id, emergency__ticket=ticket).first()
        if item is None:
            raise ActionError({"item": [_("This step is not on this ticket's contingency plan.")]})
        if item.done_at is not None:
            return item
        item.done_at, item.done_by = now, actor
        item.save(update_fields=["done_at", "done_by"])
        with translation.override(settings.LANGUAGE_CODE):
            body = gettext("Contingency plan step done: %(step)s") % {"step": item.text}
        do_record_event(
            ticket, kind=EventKind.EMERGENCY, actor=actor, body=body,
            data={"action": "checklist", "item": item.pk, "step": item.text},
        )  # fmt: skip
    return item


def record_customer_contact(ticket_id: int, event_id: int) -> Note | None:
    """Meets the "contact the customer" clock when an agent replies or calls after the
    declaration. Returns the note, or None when there was nothing to meet."""
    event = TicketEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None or event.kind not in CONTACT_KINDS or event.actor is None:
        return None
    if not event.actor.is_agent or (event.kind == EventKind.REPLY and not event.is_public):
        return None
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
        clock = (
            TicketClock.objects.select_for_update()
            .filter(ticket_id=ticket_id, kind=ClockKind.CUSTOMER_CONTACT, completed_at__isnull=True)
            .first()
        )
        if ticket is None or clock is None or event.created_at < clock.started_at:
            return None
        cal = CalendarCache().get(clock.calendar_id)
        note = _complete(clock, event.created_at, cal, ClockAction.MET)
        clock.version += 1
        clock.save()
        _record(ticket, note)
    return note
