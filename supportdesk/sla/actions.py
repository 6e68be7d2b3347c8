"""Everything that changes SLA clocks (R-SL-1…3). Views, receivers and the worker call these.

Each clock change and its timeline entry (``EventKind.SLA`` through
``tickets.actions.do_record_event``) land in one transaction. Locks are always taken in the
same order, ticket row first, then clock rows, so the receiver (reacting to a ticket change)
and the worker (firing warnings and breaches) never deadlock; the worker additionally claims
each clock with a conditional UPDATE on ``version`` so a warning fires once however many
workers run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.core.memo import remembered
from supportdesk.sla.choices import POLICY_KINDS, ClockAction, ClockKind, ClockState
from supportdesk.sla.models import BusinessCalendar, SlaPolicy, TicketClock
from supportdesk.sla.working_time import (
    Calendar,
    NoWorkingTime,
    WorkingLine,
    add_working_time,
    from_micros,
    working_time_between,
)
from supportdesk.tickets.actions import do_record_event
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Ticket, TicketEvent

DEFAULT_WARNING_LEVELS = (75, 90)
# Statuses in which the resolution target is met (work handed to the customer to verify).
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.ARCHIVED})


def warning_levels() -> tuple[int, ...]:
    """Percentages of a target's working time at which a warning fires (``SLA_WARNING_LEVELS``)."""
    levels = getattr(settings, "SLA_WARNING_LEVELS", DEFAULT_WARNING_LEVELS)
    return tuple(sorted(int(p) for p in levels if 0 < int(p) < 100))


# --- calendars ------------------------------------------------------------------------------


def check_spans(is_24x7: bool, spans: list[tuple[int, dt.time, dt.time]]) -> None:
    """Refuses overlapping spans and a week without working time, with messages to show."""
    if is_24x7:
        return
    errors: list[str] = []
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in spans:
        by_day.setdefault(weekday, []).append((start, end))
    for day_spans in by_day.values():
        ordered = sorted(day_spans)
        for (s1, e1), (s2, e2) in itertools.pairwise(ordered):
            if e1 == dt.time(0) or s2 < e1:
                errors.append(
                    gettext("%(a)s and %(b)s overlap on the same weekday.")
                    % {"a": f"{s1:%H:%M}–{e1:%H:%M}", "b": f"{s2:%H:%M}–{e2:%H:%M}"}
                )
    if not spans:
        errors.append(
            gettext("This calendar has no working time: add working spans or make it 24×7.")
        )
    if errors:
        raise ValidationError(errors)


class CalendarCache:
    """Each business calendar of one sweep or request, checked once against the settings."""

    def __init__(self) -> None:
        self._by_id: dict[int, Calendar] = {}

    def get(self, calendar_id: int) -> Calendar:
        if calendar_id not in self._by_id:
            self._by_id[calendar_id] = current_settings().calendar(calendar_id)
        return self._by_id[calendar_id]


# --- settings kept in memory ----------------------------------------------------------------


class _Settings:
    """The active policies and the calendars built so far, as of one ``SettingsVersion``."""

    def __init__(self, token: int) -> None:
        self.token = token
        self.policies: list[SlaPolicy] | None = None
        self.calendars: dict[int, Calendar] = {}

    def active_policies(self) -> list[SlaPolicy]:
        if self.policies is None:
            self.policies = list(SlaPolicy.objects.filter(active=True).order_by("pk"))
        return self.policies

    def calendar(self, calendar_id: int) -> Calendar:
        cal = self.calendars.get(calendar_id)
        if cal is None:
            cal = BusinessCalendar.objects.get(pk=calendar_id).as_calendar()
            self.calendars[calendar_id] = cal
        return cal


# Per thread: a ``Calendar`` fills its memo of days as it is used, which is not thread-safe.
_kept = threading.local()


def _settings_token() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM sla_settingsversion WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            # Migration 0009 writes the row; only a flush (tests) or a hand-made DELETE
            # removes it. Put one back so what is read next can be kept again.
            cursor.execute(
                "INSERT INTO sla_settingsversion (id, token) VALUES (1, %s)"
                " ON CONFLICT (id) DO NOTHING",
                [secrets.randbits(62)],
            )
            cursor.execute("SELECT token FROM sla_settingsversion WHERE id = 1")
            row = cursor.fetchone()
    return int(row[0])


def current_settings() -> _Settings:
    """SLA policies and calendars, read again only when an edit changed them.

    1. Read ``SettingsVersion.token`` (one indexed row; once per burst, ``core.memo``).
    2. If this thread's copy was read under that token, use it; else start a new, empty copy.
    3. Policies and calendars are read into the copy when first needed, always after the
       token: an edit committed in between leaves newer data under the older token, which the
       next check replaces; the reverse (older data under a newer token) cannot happen.
    """
    token = remembered(("sla.settings_token",), _settings_token)
    kept: _Settings | None = getattr(_kept, "settings", None)
    if kept is None or kept.token != token:
        kept = _Settings(token)
        _kept.settings = kept
    return kept


# --- policies -------------------------------------------------------------------------------


def select_policy(ticket: Ticket, kept: _Settings | None = None) -> SlaPolicy | None:
    """The most specific active policy matching the ticket (empty criteria match anything).

    Precedence: a policy matches when each of its criteria (priority, customer tier,
    channel, product) is empty or equal to the ticket's; among matches the one with the most
    criteria set wins; on a tie, the oldest (lowest id). So the shipped (priority, channel)
    policies (phone 60 s, email 4 working hours, ``defaults.fill_channel_policies``) beat
    the priority-only ones, and an admin's (priority, tier, channel) policy beats both.
    """
    tier = ticket.organization.tier if ticket.organization is not None else ""
    installed = ticket.installed_product
    product_id = installed.product_id if installed is not None else None

    channel, priority_id = ticket.channel, ticket.priority_id
    candidates = [
        p
        for p in (kept or current_settings()).active_policies()
        if p.priority_id in (None, priority_id)
        and p.customer_tier in ("", tier)
        and p.channel in ("", channel)
        and p.product_id in (None, product_id)
    ]
    return max(candidates, key=lambda p: (p.specificity, -p.pk), default=None)


def check_policy_can_be_met(policy: SlaPolicy) -> None:
    """A target on a calendar without working time can never be met: refuse it."""
    try:
        add_working_time(timezone.now(), dt.timedelta(minutes=1), policy.calendar.as_calendar())
    except NoWorkingTime as exc:
        raise ValidationError(
            {"calendar": _("This calendar has no working time, so no target could ever be met.")}
        ) from exc


# --- clock arithmetic -----------------------------------------------------------------------


def _seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


def compute_due(clock: TicketClock, cal: Calendar) -> dt.datetime:
    left = max(0, clock.target_seconds - clock.consumed_seconds)
    return add_working_time(clock.segment_started_at, dt.timedelta(seconds=left), cal)


def compute_next_fire(clock: TicketClock, cal: Calendar) -> dt.datetime | None:
    """The next warning not yet given, else the deadline; nothing unless running."""
    if clock.state != ClockState.RUNNING or clock.completed_at is not None:
        return None
    for level in warning_levels():
        if level in clock.warned_levels:
            continue
        needed = max(0, clock.target_seconds * level // 100 - clock.consumed_seconds)
        warn_at = add_working_time(clock.segment_started_at, dt.timedelta(seconds=needed), cal)
        if warn_at < clock.due_at:
            return warn_at
    return clock.due_at


def _consume_until(clock: TicketClock, moment: dt.datetime, cal: Calendar) -> None:
    """Adds the working time of the current segment to ``consumed_seconds``."""
    clock.consumed_seconds += _seconds(working_time_between(clock.segment_started_at, moment, cal))
    clock.segment_started_at = moment


def time_left(clock: TicketClock, now: dt.datetime, cal: Calendar) -> dt.timedelta:
    """Working time left (negative when overdue); a paused clock is frozen at the pause."""
    if clock.state == ClockState.PAUSED and clock.paused_at is not None:
        used = clock.consumed_seconds + _seconds(
            working_time_between(clock.segment_started_at, clock.paused_at, cal)
        )
        return dt.timedelta(seconds=clock.target_seconds - used)
    if now <= clock.due_at:
        return working_time_between(now, clock.due_at, cal)
    return -working_time_between(clock.due_at, now, cal)


# --- the timeline ---------------------------------------------------------------------------


def system_label() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Service levels")


def _desk_time(value: dt.datetime) -> str:
    # Stored text is read by everyone: written in the desk's zone, not the current user's.
    return date_format(timezone.localtime(value, ZoneInfo(settings.TIME_ZONE)), "Y-m-d H:i")


def _hours_minutes(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


@dataclass
class Note:
    clock: TicketClock
    action: str
    reason: str = ""
    level: int | None = None


def _sentence(note: Note) -> str:
    clock = note.clock
    kind = ClockKind(clock.kind).label
    due = _desk_time(clock.due_at)
    target = _hours_minutes(clock.target_seconds)
    texts = {
        ClockAction.STARTED: gettext("%(kind)s target %(target)s (working time), due %(due)s."),
        ClockAction.PAUSED: gettext("%(kind)s clock paused: waiting on the customer."),
        ClockAction.RESUMED: gettext("%(kind)s clock resumed, now due %(due)s."),
        ClockAction.RETARGETED: gettext("%(kind)s re-targeted to %(target)s, now due %(due)s."),
        ClockAction.WARNED: gettext("%(kind)s: %(level)s%% of the time used, due %(due)s."),
        ClockAction.BREACHED: gettext("%(kind)s target breached (was due %(due)s)."),
        ClockAction.MET: gettext("%(kind)s target met."),
        ClockAction.STOPPED: gettext("%(kind)s clock stopped."),
    }
    text = texts[ClockAction(note.action)] % {
        "kind": kind, "target": target, "due": due, "level": note.level,
    }  # fmt: skip
    if note.action == ClockAction.MET and clock.breached_at is not None:
        text = gettext("%(kind)s done, after the target was breached.") % {"kind": kind}
    if note.reason:
        text += " " + gettext("Why: %(reason)s") % {"reason": note.reason}
    return text


def _record(ticket: Ticket, note: Note) -> TicketEvent:
    clock = note.clock
    with translation.override(settings.LANGUAGE_CODE):
        body = _sentence(note)
        label = system_label()
    data: dict[str, Any] = {
        "clock": clock.kind,
        "action": note.action,
        "due_at": clock.due_at.isoformat(),
        "target_seconds": clock.target_seconds,
        "state": clock.state,
    }
    if note.reason:
        data["reason"] = note.reason
    if note.level is not None:
        data["level"] = note.level
    # The ticket's own "first response due" is the promise the customer and the record show:
    # keep it on the working-time deadline, not the wall-clock estimate made at filing.
    changes: dict[str, Any] = {}
    if clock.kind == ClockKind.FIRST_RESPONSE and note.action in (
        ClockAction.STARTED,
        ClockAction.RESUMED,
        ClockAction.RETARGETED,
    ):
        changes["first_response_due_at"] = clock.due_at
    return do_record_event(
        ticket,
        kind=EventKind.SLA,
        actor=None,
        actor_label=label,
        body=body,
        data=data,
        changes=changes or None,
    )


# --- reacting to ticket changes -------------------------------------------------------------


def _new_clock(
    ticket: Ticket, kind: str, policy: SlaPolicy, minutes: int, at: dt.datetime, cal: Calendar
) -> TicketClock:
    clock = TicketClock(
        ticket=ticket, kind=kind, policy=policy, calendar_id=policy.calendar_id,
        priority_id=ticket.priority_id, target_seconds=minutes * 60, started_at=at,
        segment_started_at=at, due_at=at,
    )  # fmt: skip
    clock.due_at = compute_due(clock, cal)
    return clock


def _priority_reason(cause: TicketEvent | None) -> str:
    changes = (cause.data or {}).get("changes", {}) if cause is not None else {}
    if "priority" in changes:
        old, new = changes["priority"]
        why = gettext("priority changed from %(old)s to %(new)s") % {"old": old, "new": new}
        return f"{why}: {cause.body}" if cause is not None and cause.body else why
    return gettext("the SLA policy changed")


def _complete(clock: TicketClock, at: dt.datetime, cal: Calendar, action: str) -> Note:
    if clock.state == ClockState.RUNNING:
        _consume_until(clock, max(at, clock.segment_started_at), cal)
    if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
        clock.state = ClockState.MET
    clock.completed_at = at
    clock.paused_at = None
    clock.next_fire_at = None
    return Note(clock, action)


def _restart_next_update(clock: TicketClock, at: dt.datetime, cal: Calendar) -> None:
    clock.started_at = clock.segment_started_at = at
    clock.consumed_seconds = clock.paused_seconds = 0
    clock.state, clock.completed_at, clock.breached_at = ClockState.RUNNING, None, None
    clock.paused_at, clock.warned_levels = None, []
    clock.due_at = compute_due(clock, cal)


def _is_public_agent_update(event: TicketEvent | None) -> bool:
    if event is None or not event.is_public or event.actor_id is None:
        return False
    return event.kind in (EventKind.REPLY, EventKind.STEP, EventKind.CALL) and bool(
        event.actor and event.actor.is_agent
    )


def _plan(
    ticket: Ticket,
    clocks: dict[str, TicketClock],
    policy: SlaPolicy | None,
    cause: TicketEvent | None,
    now: dt.datetime,
    cals: CalendarCache,
) -> list[Note]:
    """Decides what happens to each clock, changing the unsaved rows; returns the notes."""
    notes: list[Note] = []
    fresh: set[str] = set()
    finished = ticket.status in DONE_STATUSES or not ticket.is_open
    # 1. Start the clocks a new (or not yet clocked) open ticket needs.
    if policy is not None and not finished:
        cal = cals.get(policy.calendar_id)
        wanted: list[str] = [ClockKind.RESOLUTION]
        if ticket.first_responded_at is None:
            wanted.insert(0, ClockKind.FIRST_RESPONSE)
        elif policy.next_update_minutes:
            wanted.append(ClockKind.NEXT_UPDATE)
        for kind in wanted:
            if kind in clocks:
                continue
            minutes = policy.target_minutes(kind) or 0
            start = ticket.created_at
            if kind == ClockKind.NEXT_UPDATE:
                # From the first response if it is what just happened, else from now.
                responded = ticket.first_responded_at
                late = cause is not None and responded and cause.created_at > responded
                start = now if late or responded is None else responded
            clock = _new_clock(ticket, kind, policy, minutes, start, cal)
            clocks[kind] = clock
            fresh.add(kind)
            notes.append(Note(clock, ClockAction.STARTED))
    for kind, clock in list(clocks.items()):
        if kind in fresh:
            continue
        cal = cals.get(clock.calendar_id)
        was_done = clock.completed_at is not None
        # 2. Met: first response given; resolution handed over; a public update given.
        if kind == ClockKind.FIRST_RESPONSE and not was_done and ticket.first_responded_at:
            notes.append(_complete(clock, ticket.first_responded_at, cal, ClockAction.MET))
            continue
        if finished and not was_done:
            met = kind == ClockKind.RESOLUTION and ticket.status in DONE_STATUSES
            at = (ticket.resolved_at or now) if met else now
            notes.append(_complete(clock, at, cal, ClockAction.MET if met else ClockAction.STOPPED))
            continue
        if kind == ClockKind.NEXT_UPDATE and _is_public_agent_update(cause) and not finished:
            assert cause is not None
            if not was_done:
                notes.append(_complete(clock, cause.created_at, cal, ClockAction.MET))
            _restart_next_update(clock, cause.created_at, cal)
            notes.append(Note(clock, ClockAction.STARTED))
            continue
        # 3. Reopened: the resolution clock runs again from where it stopped.
        if kind == ClockKind.RESOLUTION and was_done and not finished:
            clock.completed_at, clock.segment_started_at = None, now
            if clock.state == ClockState.MET:
                clock.state = ClockState.RUNNING
            clock.due_at = compute_due(clock, cal)
            notes.append(Note(clock, ClockAction.RESUMED, gettext("the ticket was reopened")))
            was_done = False
        reopened = (
            cause is not None
            and cause.kind == EventKind.STATUS
            and (cause.data or {}).get("to") == Status.REOPENED
        )
        if kind == ClockKind.NEXT_UPDATE and was_done and reopened and clock.target_seconds:
            _restart_next_update(clock, now, cal)
            notes.append(Note(clock, ClockAction.STARTED, gettext("the ticket was reopened")))
            continue
        if was_done:
            continue
        # 4. Waiting on the customer (需客户配合) pauses; leaving it resumes.
        waiting = ticket.status == Status.WAITING_CUSTOMER
        if waiting and clock.state == ClockState.RUNNING:
            _consume_until(clock, now, cal)
            clock.state, clock.paused_at = ClockState.PAUSED, now
            notes.append(Note(clock, ClockAction.PAUSED))
        elif not waiting and clock.state == ClockState.PAUSED:
            paused_at = clock.paused_at or now
            clock.paused_seconds += _seconds(working_time_between(paused_at, now, cal))
            clock.state, clock.paused_at, clock.segment_started_at = ClockState.RUNNING, None, now
            clock.due_at = compute_due(clock, cal)
            notes.append(Note(clock, ClockAction.RESUMED))
        # 5. Another priority (or policy) means another target: re-target, keep time used.
        if (
            policy is not None
            and kind in POLICY_KINDS
            and (clock.priority_id != ticket.priority_id or clock.policy_id != policy.pk)
        ):
            new_target = policy.target_minutes(kind)
            if not new_target:
                # The new policy has no such target (e.g. no update cadence): it ends here.
                notes.append(_complete(clock, now, cal, ClockAction.STOPPED))
                notes[-1].reason = _priority_reason(cause)
                continue
            minutes = new_target
            if clock.state == ClockState.RUNNING:
                _consume_until(clock, now, cal)
            new_cal = cals.get(policy.calendar_id)
            clock.policy, clock.calendar_id = policy, policy.calendar_id
            clock.priority_id, clock.target_seconds = ticket.priority_id, minutes * 60
            # A breach stays recorded even if the new target is longer: it happened.
            clock.warned_levels = [
                p for p in clock.warned_levels if clock.consumed_seconds >= minutes * 60 * p // 100
            ]
            clock.due_at = compute_due(clock, new_cal)
            notes.append(Note(clock, ClockAction.RETARGETED, _priority_reason(cause)))
    for note in notes:
        clock = note.clock
        clock.next_fire_at = compute_next_fire(clock, cals.get(clock.calendar_id))
    return notes


def sync_ticket_clocks(
    ticket_id: int, *, cause_id: int | None = None, now: dt.datetime | None = None
) -> list[Note]:
    """Brings a ticket's clocks in line with the ticket, recording each change on its timeline."""
    now = now or timezone.now()
    cals = CalendarCache()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("organization", "installed_product", "priority")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            return []
        cause = (
            TicketEvent.objects.select_related("actor").filter(pk=cause_id).first()
            if cause_id
            else None
        )
        clocks = {
            c.kind: c
            for c in TicketClock.objects.select_for_update().filter(ticket=ticket).order_by("pk")
        }
        if not clocks and not ticket.is_open:
            return []
        policy = select_policy(ticket)
        notes = _plan(ticket, clocks, policy, cause, now, cals)
        saved: set[int] = set()
        for note in notes:
            clock = note.clock
            if id(clock) not in saved:
                clock.version += 1
                clock.save()
                saved.add(id(clock))
            _record(ticket, note)
    return notes


def promised_first_response(ticket: Ticket) -> dt.datetime | None:
    """When the first response of a ticket being filed is due, in the policy's working time.

    Computed inside the filing transaction so the customer is promised at once exactly what
    the first-response clock (started afterwards, in the worker, from ``created_at``) enforces.
    """
    kept = current_settings()
    policy = select_policy(ticket, kept)
    minutes = policy.target_minutes(ClockKind.FIRST_RESPONSE) if policy is not None else None
    if policy is None or not minutes:
        return None
    cal = kept.calendar(policy.calendar_id)
    return _new_clock(
        ticket, ClockKind.FIRST_RESPONSE, policy, minutes, ticket.created_at, cal
    ).due_at


# --- the worker: warnings and breaches ------------------------------------------------------


def fire_due_clock(clock_id: int, *, now: dt.datetime, cals: CalendarCache) -> Note | None:
    """Fires what is due on one clock, once: a warning or the breach.

    1. Lock the ticket (same lock order as ``sync_ticket_clocks``), re-read the clock.
    2. Decide: past ``due_at`` → breach (warnings missed meanwhile are skipped, the breach
       says it all); else the highest warning level reached.
    3. Claim it with a conditional UPDATE on ``version``; only the worker whose UPDATE
       changed one row records the timeline event. A clock someone changed since it was read
       fails the claim and is left for the next sweep, which sees its new ``next_fire_at``.
    """
    ticket_id = TicketClock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return None
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
        clock = TicketClock.objects.filter(pk=clock_id).first()
        if ticket is None or clock is None:
            return None
        if clock.next_fire_at is None or clock.next_fire_at > now:
            return None
        if clock.state != ClockState.RUNNING or clock.completed_at is not None:
            return None
        cal = cals.get(clock.calendar_id)
        if now >= clock.due_at:
            note = Note(clock, ClockAction.BREACHED)
            clock.state, clock.breached_at = ClockState.BREACHED, clock.due_at
            clock.warned_levels = sorted(set(clock.warned_levels) | set(warning_levels()))
        else:
            used = clock.consumed_seconds + _seconds(
                working_time_between(clock.segment_started_at, now, cal)
            )
            reached = [
                p
                for p in warning_levels()
                if p not in clock.warned_levels and used >= clock.target_seconds * p // 100
            ]
            if not reached:
                # Stale (e.g. the warning points changed): aim at the next real point.
                TicketClock.objects.filter(pk=clock.pk, version=clock.version).update(
                    version=clock.version + 1, next_fire_at=compute_next_fire(clock, cal)
                )
                return None
            note = Note(clock, ClockAction.WARNED, level=max(reached))
            clock.warned_levels = sorted(set(clock.warned_levels) | set(reached))
        clock.next_fire_at = compute_next_fire(clock, cal)
        claimed = TicketClock.objects.filter(pk=clock.pk, version=clock.version).update(
            version=clock.version + 1,
            state=clock.state,
            breached_at=clock.breached_at,
            warned_levels=clock.warned_levels,
            next_fire_at=clock.next_fire_at,
        )
        if claimed != 1:
            return None
        clock.version += 1
        _record(ticket, note)
    return note


# --- calendar edits -------------------------------------------------------------------------

RETARGET_BATCH = 5000
SECOND = 1_000_000  # microseconds


def _micros_sql(column: str) -> str:
    """SQL for a datetime column as integer UTC microseconds since the epoch, exactly.

    Reading the times as integers skips building (and, on SQLite, parsing) three datetimes
    per row, which cost more than the deadline arithmetic itself at 200,000 clocks.
    """
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    # Django stores naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]": whole seconds (cut off
    # first: SQLite's own arithmetic works in milliseconds and would round .9996 up), then
    # the fraction padded to six digits.
    return (
        f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({column} || '000000', 21, 6) AS INTEGER))"
    )


def _read_live_clocks(calendar_id: int, after_pk: int) -> list[tuple[Any, ...]]:
    """The next batch of a calendar's live clocks (running or paused), as plain rows:
    (id, version, state, target, consumed, segment start µs, warned levels, due µs, fire µs).
    """
    table = TicketClock._meta.db_table
    columns = ", ".join(
        [
            "id", "version", "state", "target_seconds", "consumed_seconds",
            _micros_sql("segment_started_at"), "warned_levels", _micros_sql("due_at"),
            _micros_sql("next_fire_at"),
        ]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} "  # noqa: S608
            "WHERE calendar_id = %s AND completed_at IS NULL "
            "AND state IN (%s, %s) AND id > %s ORDER BY id LIMIT %s",
            [calendar_id, ClockState.RUNNING, ClockState.PAUSED, after_pk, RETARGET_BATCH],
        )
        return cursor.fetchall()


def _relay(
    line: WorkingLine, levels: tuple[int, ...], warned: list[int], row: tuple[Any, ...]
) -> tuple[int, int | None]:
    """(due, next firing) of one clock in microseconds: ``compute_due`` and
    ``compute_next_fire`` on integers, from the one working-time offset of its segment."""
    _pk, _version, state, target, consumed, start, _warned, _due, _fire = row
    always = line.calendar.always
    base = 0 if always else line.offset(start)

    def after(seconds: int) -> int:
        if seconds <= 0:
            return int(start)
        if always:
            return int(start + seconds * SECOND)
        return line.instant(base + seconds * SECOND)

    due = after(target - consumed)
    if state != ClockState.RUNNING:
        return due, None
    for level in levels:
        if level in warned:
            continue
        warn_at = after(target * level // 100 - consumed)
        if warn_at < due:
            return due, warn_at
    return due, due


_NAIVE_EPOCH = dt.datetime(1970, 1, 1)


def _array_literal(values: tuple[int | None, ...]) -> str:
    """A PostgreSQL array literal of integers: one string to quote instead of a list."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _write_deadlines(rows: list[tuple[int, int, int, int | None]]) -> int:
    """Sets (due_at, next_fire_at), given in microseconds, and bumps ``version`` where it
    still is what was read.

    A clock changed meanwhile (a ticket event, a worker's firing) keeps its own row: whoever
    changed it read the calendar after the edit. One statement per batch on PostgreSQL
    (microseconds turned into times by the database), one prepared statement run per row on
    SQLite (in-process, as fast) with the times as the text Django stores; ``bulk_update``
    would build a CASE over the whole batch for each column.
    """
    if not rows:
        return 0
    table = TicketClock._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Four arrays, not 4 × 5,000 placeholders: the driver's parsing of a statement
            # that long cost as much as the database's work.
            epoch = "TIMESTAMPTZ 'epoch'"
            cursor.execute(
                f"UPDATE {table} AS c SET due_at = {epoch} + v.due * INTERVAL '1 microsecond', "  # noqa: S608
                f"next_fire_at = {epoch} + v.fire * INTERVAL '1 microsecond', "
                "version = c.version + 1 "
                "FROM unnest(%s::bigint[], %s::integer[], %s::bigint[], %s::bigint[]) "
                "AS v(id, ver, due, fire) WHERE c.id = v.id AND c.version = v.ver",
                [_array_literal(column) for column in zip(*rows, strict=True)],
            )
            return cursor.rowcount

        def text(micros: int | None) -> str | None:
            # What Django's SQLite backend writes: str() of the naive UTC time.
            return None if micros is None else str(_NAIVE_EPOCH + dt.timedelta(microseconds=micros))

        cursor.executemany(
            f"UPDATE {table} SET due_at = %s, next_fire_at = %s, "  # noqa: S608
            "version = version + 1 WHERE id = %s AND version = %s",
            [(text(due), text(fire), pk, version) for pk, version, due, fire in rows],
        )
        return cursor.rowcount


def do_retarget_calendar(calendar_id: int) -> int:
    """Recomputes the deadlines of every live clock on a calendar an admin just edited.

    Time already used stays used; what is left is laid out again on the new working hours
    and holidays. Done in batches by id, each in its own transaction; each row is written
    only if its ``version`` is still the one read (and the write bumps it), so a worker
    firing one of these clocks at the same moment either goes first (and this row is left
    as the worker wrote it, re-computed from the new calendar) or finds its claim refused
    and re-reads the new deadline next minute. Returns how many clocks moved.

    The arithmetic runs on integer microseconds over one ``WorkingLine`` of the calendar
    (two binary searches per deadline) and gives exactly what ``compute_due`` and
    ``compute_next_fire`` give (``tests/test_retarget.py`` compares them on random clocks);
    only changed deadlines are written. 100,000 open tickets: bench/sla_bench.py.
    """
    calendar = BusinessCalendar.objects.get(pk=calendar_id).as_calendar()
    levels = warning_levels()
    line: WorkingLine | None = None
    warned_lists: dict[Any, list[int]] = {}  # a handful of distinct stored values
    moved, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = _read_live_clocks(calendar_id, last_pk)
            if not batch:
                return moved
            if line is None:
                line = WorkingLine.from_instant(calendar, from_micros(batch[0][5]))
            changed = []
            for row in batch:
                stored = row[6]
                key = stored if isinstance(stored, str) else repr(stored)
                warned = warned_lists.get(key)
                if warned is None:
                    warned = json.loads(stored) if isinstance(stored, str) else list(stored or [])
                    warned_lists[key] = warned
                due, fire = _relay(line, levels, warned, row)
                if due != row[7] or fire != row[8]:
                    changed.append((row[0], row[1], due, fire))
            moved += _write_deadlines(changed)
            last_pk = batch[-1][0]
