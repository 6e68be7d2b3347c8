"""What pages show of SLA clocks: time left in working time, colored by state (R-SL-1, R-SL-5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from supportdesk.accounts.models import User
from supportdesk.sla.actions import CalendarCache, time_left, warning_levels
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.models import TicketClock
from supportdesk.sla.working_time import running_until
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
    # For the page's live countdown (static/sla/clocks.js): working seconds left when the
    # page was made (negative when overdue), wall seconds during which they keep running
    # (0 when paused, met, or outside working time), and the seconds left below which the
    # first warning applies.
    left_seconds: int = 0
    runs_for: int = 0
    warn_below: int = 0


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
    runs_for = 0
    if clock.state in (ClockState.RUNNING, ClockState.BREACHED) and state != "met":
        until = running_until(now, cals.get(clock.calendar_id))
        runs_for = int((until - now).total_seconds()) if until is not None else 0
    levels = warning_levels()
    warn_below = clock.target_seconds * (100 - levels[0]) // 100 if levels else 0
    return ClockView(
        left_seconds=int(left.total_seconds()),
        runs_for=runs_for,
        warn_below=warn_below,
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


def _earliest_live_clocks() -> QuerySet[TicketClock]:
    """Each ticket's running (or breached, still owed) clock that falls due first."""
    owed = [ClockState.RUNNING, ClockState.BREACHED]
    earlier = TicketClock.objects.filter(
        Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk")),
        ticket_id=OuterRef("ticket_id"),
        completed_at__isnull=True,
        state__in=owed,
    )
    return live_clocks().filter(state__in=owed).exclude(Exists(earlier))


# Queues with at most this many tickets are ordered from the ticket side (their clocks read
# and sorted in Python); larger ones by walking the deadline index (see ``_by_deadline``).
SMALL_QUEUE = 1000


def _by_deadline(
    queue_qs: QuerySet[Ticket], after: tuple[dt.datetime, int] | None, wanted: int
) -> list[tuple[int, dt.datetime]]:
    """(ticket id, earliest deadline) of the queue's tickets, by deadline, after ``after``.

    1. A queue of a few tickets (``SMALL_QUEUE``; an empty one too): read their live clocks
       by ticket and sort them here. Walking the deadline index for them would pass every
       open clock in the desk before giving up (1.1–1.6 s at 100,000 tickets on SQLite).
    2. Otherwise one statement reads open clocks in deadline order off the partial
       ``sla_live_due`` index and keeps each that is its ticket's earliest and whose ticket
       is in the queue: two index probes per clock, stopping at a page (1–6 ms).
       Checking the queue in a second statement (``pk IN`` the chunk's tickets) instead let
       SQLite scan every open ticket through the ``is_open`` index, its sampled statistics
       promising ~1,000 rows (75–120 ms a page, bench/sla_bench.py).
    """
    ids = list(queue_qs.order_by().values_list("pk", flat=True)[: SMALL_QUEUE + 1])
    if len(ids) <= SMALL_QUEUE:
        return _few_by_deadline(ids, after, wanted)
    earliest = _earliest_live_clocks().filter(Exists(queue_qs.filter(pk=OuterRef("ticket_id"))))
    if after is not None:
        due, pk = after
        earliest = earliest.filter(Q(due_at__gt=due) | Q(due_at=due, ticket_id__gt=pk))
    return list(
        earliest.order_by("due_at", "ticket_id").values_list("ticket_id", "due_at")[:wanted]
    )


def _few_by_deadline(
    ids: list[int], after: tuple[dt.datetime, int] | None, wanted: int
) -> list[tuple[int, dt.datetime]]:
    # Only the ticket ids in SQL, so that the ticket index is the one plan there is.
    nearest: dict[int, tuple[dt.datetime, int]] = {}
    clocks = TicketClock.objects.filter(ticket_id__in=ids).values_list(
        "ticket_id", "due_at", "pk", "state", "completed_at"
    )
    owed = (ClockState.RUNNING, ClockState.BREACHED)
    for ticket_id, due, pk, state, completed in clocks:
        if completed is None and state in owed:
            nearest[ticket_id] = min(nearest.get(ticket_id, (due, pk)), (due, pk))
    rows = sorted((due, ticket_id) for ticket_id, (due, _pk) in nearest.items())
    if after is not None:
        rows = [row for row in rows if row > after]
    return [(ticket_id, due) for due, ticket_id in rows[:wanted]]


def breaches_soonest_page(
    user: User,
    queue: str,
    *,
    filters: ticket_selectors.QueueFilters | None = None,
    cursor: str | None = None,
    size: int = 50,
) -> ticket_selectors.Page:
    """A queue page ordered by the nearest deadline, with keyset cursors like the others.

    Driven from the clock table, not the ticket table (``_by_deadline``): open clocks are
    read in deadline order straight off the deadline index, each kept if it is its ticket's
    earliest and the ticket is in the queue (two index probes), and the scan stops at a
    page. Ordering tickets by a per-ticket subquery instead computed it for every ticket of
    the queue (0.7–2 s at 100,000 open tickets, bench/sla_bench.py). Tickets with no running target
    follow, by id. The cursor is (deadline, id), the deadline ``NO_DEADLINE`` in that tail.
    """
    ordering = ("sla_due_at", "id")
    queue_qs = ticket_selectors.queue_queryset(user, queue, filters)
    after: tuple[dt.datetime, int] | None = None
    if cursor:
        values = ticket_selectors.decode_cursor(cursor, ordering)
        if values is not None:
            after = (dt.datetime.fromisoformat(str(values[0])), int(values[1]))
    rows: list[tuple[int, dt.datetime]] = []
    if after is None or after[0] < NO_DEADLINE:
        rows = _by_deadline(queue_qs, after, size + 1)
    if len(rows) <= size:
        # The tail: tickets of the queue without a running target, by id.
        running = live_clocks().filter(
            ticket_id=OuterRef("pk"), state__in=[ClockState.RUNNING, ClockState.BREACHED]
        )
        tail = queue_qs.exclude(Exists(running))
        if after is not None and after[0] >= NO_DEADLINE:
            tail = tail.filter(pk__gt=after[1])
        wanted = size + 1 - len(rows)
        rows += [
            (pk, NO_DEADLINE) for pk in tail.order_by("pk").values_list("pk", flat=True)[:wanted]
        ]
    more = len(rows) > size
    rows = rows[:size]
    by_id = {
        t.pk: t
        for t in Ticket.objects.filter(pk__in=[pk for pk, _ in rows]).select_related(
            *ticket_selectors.QUEUE_SELECT_RELATED
        )
    }
    items = []
    for pk, due in rows:
        ticket = by_id.get(pk)
        if ticket is None:  # deleted between the two reads
            continue
        ticket.sla_due_at = due  # type: ignore[attr-defined]
        items.append(ticket)
    next_cursor = None
    if more and rows:
        last_pk, last_due = rows[-1]
        next_cursor = ticket_selectors.encode_cursor([last_due, last_pk])
    return ticket_selectors.Page(items=items, next_cursor=next_cursor)


# --- the emergency procedure ----------------------------------------------------------------


@dataclass
class ReportView:
    at: str
    author: str
    body: str


@dataclass
class ChecklistItemView:
    pk: int
    text: str
    done: bool
    done_by: str
    done_at: str


@dataclass
class EmergencyView:
    declared: str
    reason: str
    is_open: bool
    reports: list[ReportView]
    checklist: list[ChecklistItemView]
    contact: ClockView | None  # contact the customer within 15 minutes
    next_report: ClockView | None  # the report to management that is due next
    checklist_done: int


def emergency_view(ticket: Ticket, now: dt.datetime | None = None) -> EmergencyView | None:
    """The emergency's state for the ticket page (four queries, whatever its size)."""
    from supportdesk.sla.models import Emergency

    emergency = Emergency.objects.filter(ticket=ticket).first()
    if emergency is None:
        return None
    now = now or timezone.now()
    cals = CalendarCache()
    clocks = {
        c.kind: clock_view(c, now, cals)
        for c in TicketClock.objects.filter(
            ticket=ticket, kind__in=[ClockKind.CUSTOMER_CONTACT, ClockKind.MANAGEMENT_REPORT]
        )
    }
    items = [
        ChecklistItemView(
            pk=item.pk,
            text=item.text,
            done=item.done_at is not None,
            done_by=str(item.done_by) if item.done_by else "",
            done_at=date_format(timezone.localtime(item.done_at), "Y-m-d H:i")
            if item.done_at
            else "",
        )
        for item in emergency.checklist.select_related("done_by")
    ]
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
            for r in emergency.reports.select_related("author")
        ],
        checklist=items,
        contact=clocks.get(ClockKind.CUSTOMER_CONTACT),
        next_report=clocks.get(ClockKind.MANAGEMENT_REPORT),
        checklist_done=sum(item.done for item in items),
    )
