"""Turns tickets and timeline events into what the templates show, so templates stay dumb.

Nothing here queries the database: everything works from rows the selectors loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from supportdesk.core.links import ticket_link
from supportdesk.tickets.choices import (
    STATUS_COLORS,
    CallDirection,
    Channel,
    CloseReason,
    EventKind,
    LinkKind,
    ResolutionResult,
    Status,
)
from supportdesk.tickets.models import Attachment, Ticket, TicketEvent, TicketLink

# Django's "Y-m-d H:i", written for strftime: date_format() costs ten times as much and a
# page shows dozens of times.
TIME_FORMAT = "%Y-%m-%d %H:%M"


def local_time(value: dt.datetime | None) -> str:
    """An aware datetime in the current (the user's) time zone, to the minute."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(TIME_FORMAT)


@lru_cache(maxsize=64)
def _class_labels(choices: Any, language: str) -> dict[Any, str]:
    # Per language, each label is translated once per process instead of once per shown value.
    return {member.value: str(member.label) for member in choices}


def _label(choices: Any, value: Any) -> str:
    """The translated label of a value of a Choices class; an unknown value as it is."""
    if value in (None, ""):
        return ""
    return _class_labels(choices, get_language() or "").get(value, str(value))


def ticket_url(number: str) -> str:
    return ticket_link("workspace:ticket", number)


# --- queue rows -----------------------------------------------------------------------------


@dataclass
class Row:
    ticket: Ticket
    url: str
    status_label: str
    phase_label: str
    status_color: str
    created: str
    updated: str
    response_due: str
    response_overdue: bool


def rows(tickets: list[Ticket], now: dt.datetime | None = None) -> list[Row]:
    now = now or timezone.now()
    result = []
    for ticket in tickets:
        pending = ticket.first_responded_at is None and ticket.is_open
        due = ticket.first_response_due_at if pending else None
        result.append(
            Row(
                ticket=ticket,
                url=ticket_url(ticket.number),
                status_label=field_display("status", ticket.status),
                phase_label=field_display("phase", ticket.phase),
                status_color=STATUS_COLORS.get(Status(ticket.status), "gray"),
                created=local_time(ticket.created_at),
                updated=local_time(ticket.updated_at),
                response_due=local_time(due),
                response_overdue=bool(due and due < now),
            )
        )
    return result


# --- timeline -------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Detail:
    label: str
    value: str
    url: str = ""


@dataclass
class EventView:
    id: int
    kind: str
    kind_label: str
    actor: str
    at: str
    is_internal: bool
    body: str
    changes: list[Change] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    # Set when the event belongs to a ticket merged into this one.
    from_ticket: str = ""


def ticket_field(name: str) -> Field[Any, Any]:
    """A concrete column of Ticket (raises FieldDoesNotExist for anything else)."""
    model_field = Ticket._meta.get_field(name)
    if not isinstance(model_field, Field):
        raise FieldDoesNotExist(name)
    return model_field


@lru_cache(maxsize=64)
def _field_choices(name: str, language: str) -> dict[str, str]:
    # Django's get_FOO_display() rebuilds the field's choices for every call.
    return {str(value): str(label) for value, label in ticket_field(name).flatchoices}


def field_display(name: str, value: Any) -> str:
    """The label of a Ticket choice field's value (what ``get_<name>_display()`` shows)."""
    return _field_choices(name, get_language() or "").get(str(value), str(value))


def _field_label(name: str) -> str:
    try:
        return str(ticket_field(name).verbose_name)
    except FieldDoesNotExist:  # a field removed since the event was written
        return name


def _field_value(name: str, raw: str) -> str:
    """Old/new values are stored as text; show choices by label and times locally."""
    if not raw:
        return "—"
    try:
        model_field = ticket_field(name)
    except FieldDoesNotExist:
        return raw
    if model_field.choices:
        return field_display(name, raw)
    if model_field.get_internal_type() == "DateTimeField":
        try:
            return local_time(dt.datetime.fromisoformat(raw))
        except ValueError:
            return raw
    return raw


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int):
        return ""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def _describe(event: TicketEvent, view: EventView) -> None:
    data: dict[str, Any] = event.data or {}
    kind = event.kind
    if kind == EventKind.CREATED:
        view.details.append(Detail(_("Channel"), _label(Channel, data.get("channel"))))
        if data.get("priority"):
            view.details.append(Detail(_("Priority"), str(data["priority"])))
    elif kind == EventKind.FIELDS:
        for name, (old, new) in sorted((data.get("changes") or {}).items()):
            view.changes.append(
                Change(_field_label(name), _field_value(name, old), _field_value(name, new))
            )
    elif kind == EventKind.STATUS:
        view.changes.append(
            Change(_("Status"), _label(Status, data.get("from")), _label(Status, data.get("to")))
        )
        if data.get("result"):
            view.details.append(Detail(_("Result"), _label(ResolutionResult, data["result"])))
        if data.get("close_reason"):
            view.details.append(
                Detail(_("Close reason"), _label(CloseReason, data["close_reason"]))
            )
        if data.get("auto"):
            view.details.append(Detail(_("Why"), _("The customer answered.")))
    elif kind == EventKind.ASSIGN:
        if data.get("from_team") != data.get("to_team"):
            view.changes.append(
                Change(_("Team"), data.get("from_team") or "—", data.get("to_team") or "—")
            )
        if data.get("from_assignee") != data.get("to_assignee"):
            view.changes.append(
                Change(
                    _("Assignee"), data.get("from_assignee") or "—", data.get("to_assignee") or "—"
                )
            )
    elif kind == EventKind.CALL:
        view.details.append(Detail(_("Direction"), _label(CallDirection, data.get("direction"))))
        if data.get("phone_number"):
            view.details.append(Detail(_("Phone number"), str(data["phone_number"])))
        if data.get("duration_seconds") is not None:
            view.details.append(Detail(_("Duration"), _duration(data["duration_seconds"])))
        if data.get("started_at"):
            view.details.append(
                Detail(_("Call time"), _field_value("created_at", str(data["started_at"])))
            )
    elif kind == EventKind.STEP:
        view.details.append(Detail(_("Result"), str(data.get("result") or "—")))
    elif kind == EventKind.LINK:
        number = str(data.get("number", ""))
        label = _label(LinkKind, data.get("kind"))
        if data.get("direction") == "in":
            label = _("Linked from (%(kind)s)") % {"kind": label}
        view.details.append(Detail(label, number, ticket_url(number) if number else ""))
    elif kind == EventKind.MERGE:
        if data.get("into"):
            view.details.append(Detail(_("Merged into"), data["into"], ticket_url(data["into"])))
        if data.get("from"):
            view.details.append(Detail(_("Merged from"), data["from"], ticket_url(data["from"])))
    elif kind == EventKind.VERIFICATION:
        view.details.append(
            Detail(
                _("Verification"),
                _("Customer confirmed the fix")
                if data.get("confirmed")
                else _("Customer says the problem persists"),
            )
        )


def timeline_views(ticket: Ticket, events: list[TicketEvent]) -> list[EventView]:
    result = []
    for event in events:
        view = EventView(
            id=event.pk,
            kind=event.kind,
            kind_label=_label(EventKind, event.kind),
            actor=str(event.actor) if event.actor_id else (event.actor_label or _("System")),
            at=local_time(event.created_at),
            is_internal=not event.is_public,
            body=event.body,
            files=list(getattr(event, "files", [])),
            from_ticket=event.ticket.number if event.ticket_id != ticket.pk else "",
        )
        _describe(event, view)
        result.append(view)
    return result


# --- the record -----------------------------------------------------------------------------


@dataclass
class LinkView:
    label: str
    number: str
    subject: str
    status: str
    status_color: str
    url: str


def link_views(ticket: Ticket, links: list[TicketLink]) -> list[LinkView]:
    result = []
    for link in links:
        outgoing = link.from_ticket_id == ticket.pk
        other = link.to_ticket if outgoing else link.from_ticket
        label = _label(LinkKind, link.kind)
        if not outgoing:
            label = _("Linked from (%(kind)s)") % {"kind": label}
        result.append(
            LinkView(
                label=label,
                number=other.number,
                subject=other.subject,
                status=field_display("status", other.status),
                status_color=STATUS_COLORS.get(Status(other.status), "gray"),
                url=ticket_url(other.number),
            )
        )
    return result


# The record template's fields (R-TK-2), in the order the guides list them.
RECORD_FIELDS = (
    "type",
    "category",
    "classification",
    "channel",
    "source",
    "organization",
    "contact",
    "installed_product",
    "occurred_at",
    "frequency",
    "reproducibility",
    "env_os",
    "env_software_version",
    "env_browser",
    "env_network",
    "env_hardware",
    "created_by",
    "created_at",
    "first_response_due_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "archived_at",
)


def record_details(ticket: Ticket) -> list[Detail]:
    details = []
    for name in RECORD_FIELDS:
        model_field = ticket_field(name)
        value: Any = getattr(ticket, name)
        if value in (None, ""):
            continue
        url = ""
        if name == "organization":
            url = reverse("workspace:organization", args=[ticket.organization_id])
        if isinstance(value, dt.datetime):
            text = local_time(value)
        elif model_field.choices:
            text = field_display(name, value)
        else:
            text = str(value)
        details.append(Detail(str(model_field.verbose_name), text, url))
    if ticket.contact_id and ticket.contact is not None:
        contact = ticket.contact
        reach = " · ".join(v for v in (contact.department, contact.phone, contact.email) if v)
        if reach:
            details.append(Detail(_("Contact details"), reach))
    return details


@dataclass
class SideFormView:
    """A side form of the ticket page: ``form`` is set when it is rendered in place (a refused
    submission, or the fetched fragment); otherwise the page shows a placeholder that loads
    ``load_url`` when the agent opens the section."""

    name: str
    post_url: str
    load_url: str
    submit: Any
    primary: bool
    form: Any = None
