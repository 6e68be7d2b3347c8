"""What pages show of SLA clocks: time left in working time, colored by state (R-SL-1, R-SL-5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from supportdesk.accounts.models import User
from supportdesk.sla.actions import CalendarCache, time_left
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.models import TicketClock
from supportdesk.tickets import selectors as ticket_selectors
from supportdesk.tickets.models import Ticket

# Colors of the shared badge styles, by what the engineer should feel.
STATE_COLORS = {
    "ok": "green",
    "warning": "orange",
    "breached": "red",
    "paused": "gray",
    "met": "gray",
}


@dataclass
class ClockView:
    kind: str
    label: str
    state: str  # ok / warning / breached / paused / met
    state_label: str
    color: str
    left: str  # working time left (or overdue), e.g. "2:30"
    due: str  # deadline in the viewer's time zone
    due_at: dt.datetime
    overdue: bool


def _hours_minutes(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _state(clock: TicketClock) -> str:
    if clock.state == ClockState.BREACHED:
        return "breached"
    if clock.completed_at is not None or clock.state == ClockState.MET:
        return "met"
    if clock.state == ClockState.PAUSED:
        return "paused"
    return "warning" if clock.warned_levels else "ok"


STATE_LABELS = {
    "ok": lambda: gettext("On track"),
    "warning": lambda: gettext("Warning"),
    "breached": lambda: gettext("Breached"),
    "paused": lambda: gettext("Paused (waiting on customer)"),
    "met": lambda: gettext("Met"),
}


def clock_view(clock: TicketClock, now: dt.datetime, cals: CalendarCache) -> ClockView:
    state = _state(clock)
    left = time_left(clock, now, cals.get(clock.calendar_id))
    overdue = left < dt.timedelta(0)
    if state == "met":
        text = ""
    elif overdue:
        text = gettext("%(time)s overdue") % {"time": _hours_minutes(left)}
    else:
        text = gettext("%(time)s left") % {"time": _hours_minutes(left)}
    return ClockView(
        kind=clock.kind,
        label=str(ClockKind(clock.kind).label),
        state=state,
        state_label=STATE_LABELS[state](),
        color=STATE_COLORS[state],
        left=text,
        due=date_format(timezone.localtime(clock.due_at), "Y-m-d H:i"),
        due_at=clock.due_at,
        overdue=overdue and state != "met",
    )


def ticket_clocks(ticket: Ticket, now: dt.datetime | None = None) -> list[ClockView]:
    """Every clock of the ticket, live ones first, in target order."""
    now = now or timezone.now()
    cals = CalendarCache()
    order = {k: i for i, k in enumerate(ClockKind.values)}
    clocks = sorted(
        TicketClock.objects.filter(ticket=ticket),
        key=lambda c: (c.completed_at is not None, order[c.kind]),
    )
    return [clock_view(c, now, cals) for c in clocks]


def live_clocks() -> QuerySet[TicketClock]:
    """Clocks still owed (running, paused or breached but not done)."""
    return TicketClock.objects.filter(completed_at__isnull=True)


def nearest_due(ticket_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, ClockView]:
    """For each ticket, its running target that falls due first (one query for the page)."""
    now = now or timezone.now()
    cals = CalendarCache()
    nearest: dict[int, TicketClock] = {}
    running = live_clocks().filter(
        ticket_id__in=list(ticket_ids), state__in=[ClockState.RUNNING, ClockState.BREACHED]
    )
    for clock in running.order_by(F("due_at").asc()):
        nearest.setdefault(clock.ticket_id, clock)
    return {tid: clock_view(c, now, cals) for tid, c in nearest.items()}


def attach_due(rows: Sequence[Any], now: dt.datetime | None = None) -> Sequence[Any]:
    """Sets ``row.sla`` (a ClockView or None) on queue rows that carry a ``ticket``."""
    due = nearest_due([row.ticket.pk for row in rows], now)
    for row in rows:
        row.sla = due.get(row.ticket.pk)
    return rows


def promised_next_step(ticket: Ticket, now: dt.datetime | None = None) -> ClockView | None:
    """What the customer is promised next (R-SL-5): the earliest live, running target."""
    if not ticket.is_open:
        return None
    view = nearest_due([ticket.pk], now).get(ticket.pk)
    return view


# --- the "breaches soonest" queue order -----------------------------------------------------

SORT_KEY = "sla_due"
SORT_CHOICE = (SORT_KEY, gettext_lazy("Breaches soonest"))
# Tickets without a running target sort after every real deadline.
NO_DEADLINE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def with_due(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotates ``sla_due_at``: the earliest deadline of the ticket's running targets."""
    earliest = (
        live_clocks()
        .filter(ticket=OuterRef("pk"), state__in=[ClockState.RUNNING, ClockState.BREACHED])
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return qs.annotate(sla_due_at=Coalesce(Subquery(earliest), Value(NO_DEADLINE)))


def breaches_soonest_page(
    user: User,
    queue: str,
    *,
    filters: ticket_selectors.QueueFilters | None = None,
    cursor: str | None = None,
    size: int = 50,
) -> ticket_selectors.Page:
    """A queue page ordered by the nearest deadline, with keyset cursors like the others."""
    ordering = ("sla_due_at", "id")
    qs = with_due(
        ticket_selectors.queue_queryset(user, queue, filters).select_related(
            *ticket_selectors.QUEUE_SELECT_RELATED
        )
    ).order_by(*ordering)
    if cursor:
        values = ticket_selectors.decode_cursor(cursor, ordering)
        if values is not None:
            due, pk = values
            qs = qs.filter(Q(sla_due_at__gt=due) | Q(sla_due_at=due, id__gt=pk))
    items = list(qs[: size + 1])
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        next_cursor = ticket_selectors.encode_cursor([last.sla_due_at, last.pk])  # type: ignore[attr-defined]
    return ticket_selectors.Page(items=items, next_cursor=next_cursor)


# --- the emergency procedure ----------------------------------------------------------------


@dataclass
class ReportView:
    at: str
    author: str
    body: str


@dataclass
class EmergencyView:
    declared: str
    reason: str
    is_open: bool
    reports: list[ReportView]


def emergency_view(ticket: Ticket) -> EmergencyView | None:
    from supportdesk.sla.models import Emergency

    emergency = Emergency.objects.filter(ticket=ticket).first()
    if emergency is None:
        return None
    reports = emergency.reports.select_related("author")
    return EmergencyView(
        declared=date_format(timezone.localtime(emergency.declared_at), "Y-m-d H:i"),
        reason=emergency.reason,
        is_open=ticket.is_open,
        reports=[
            ReportView(
                at=date_format(timezone.localtime(r.created_at), "Y-m-d H:i"),
                author=str(r.author),
                body=r.body,
            )
            for r in reports
        ],
    )
