"""What a customer reads for each timeline event (headline, who, which side it came from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from supportdesk.tickets.choices import CloseReason, EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Attachment, TicketEvent


@dataclass
class EventView:
    event: TicketEvent
    headline: str
    actor: str
    from_customer: bool
    detail: str = ""
    files: list[Attachment] = field(default_factory=list)


def status_label(value: Any) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value or "")


def _headline(event: TicketEvent) -> tuple[str, str]:
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.CREATED:
        return _("filed the ticket"), ""
    if kind == EventKind.REPLY:
        return _("replied"), ""
    if kind == EventKind.ATTACHMENT:
        return _("added files"), ""
    if kind == EventKind.STEP:
        result = str(data.get("result") or "")
        return _("recorded a handling step"), (_("Result: %(result)s") % {"result": result}
                                               if result else "")  # fmt: skip
    if kind == EventKind.STATUS:
        headline = _("changed the status from “%(from)s” to “%(to)s”") % {
            "from": status_label(data.get("from")),
            "to": status_label(data.get("to")),
        }
        if data.get("result") in ResolutionResult.values:
            label = ResolutionResult(data["result"]).label
            return headline, _("Result: %(result)s") % {"result": label}
        if data.get("close_reason") in CloseReason.values:
            label = CloseReason(data["close_reason"]).label
            return headline, _("Reason: %(reason)s") % {"reason": label}
        return headline, ""
    if kind == EventKind.VERIFICATION:
        if data.get("confirmed"):
            return _("confirmed the fix"), ""
        return _("reported that the problem is not fixed"), ""
    if kind == EventKind.MERGE:
        if data.get("into"):
            return _("merged this ticket into %(number)s") % {"number": data["into"]}, ""
        return _("merged %(number)s into this ticket") % {"number": data.get("from", "")}, ""
    return str(EventKind(kind).label) if kind in EventKind.values else str(kind), ""


def present(events: list[TicketEvent]) -> list[EventView]:
    views = []
    for event in events:
        headline, detail = _headline(event)
        actor = event.actor
        views.append(
            EventView(
                event=event,
                headline=headline,
                detail=detail,
                actor=str(actor) if actor is not None else event.actor_label,
                from_customer=bool(actor is not None and actor.is_customer)
                or bool((event.data or {}).get("from_customer")),
                files=list(getattr(event, "files", [])),
            )
        )
    return views
