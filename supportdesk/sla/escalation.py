"""Automatic escalation rules (R-ES-3), run by the worker every minute.

1. For each active rule, candidates come from an indexed query on open tickets (priority,
   tier, team, cause not located, filed early enough in wall-clock time, or a breached
   clock) that the rule has not fired on yet.
2. Each candidate is re-checked under its ticket's row lock, with the exact working time
   on the ticket's SLA calendar (wall-clock is only the quick upper bound).
3. The firing row (unique per rule and ticket) and the timeline event land in one
   transaction: a second worker, or the next minute, finds it fired and moves on.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from supportdesk.sla.actions import CalendarCache
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.models import EscalationFiring, EscalationRule, SlaPolicy, TicketClock
from supportdesk.sla.working_time import working_time_between
from supportdesk.tickets.actions import do_record_event
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Statuses in which nobody is waiting on the desk: no escalation.
QUIET_STATUSES = (Status.WAITING_CUSTOMER, Status.RESOLVED)


def candidates(rule: EscalationRule, now: dt.datetime) -> QuerySet[Ticket]:
    qs = Ticket.objects.filter(is_open=True).exclude(status__in=QUIET_STATUSES)
    if rule.priority_id:
        qs = qs.filter(priority_id=rule.priority_id)
    if rule.customer_tier:
        qs = qs.filter(organization__tier=rule.customer_tier)
    if rule.from_team_id:
        qs = qs.filter(team_id=rule.from_team_id)
    if rule.only_without_root_cause:
        qs = qs.filter(root_cause="")
    if rule.after_minutes:
        qs = qs.filter(created_at__lte=now - dt.timedelta(minutes=rule.after_minutes))
    if rule.on_breach:
        breached = TicketClock.objects.filter(
            ticket=OuterRef("pk"), kind=rule.on_breach, state=ClockState.BREACHED
        )
        qs = qs.filter(Exists(breached))
    fired = EscalationFiring.objects.filter(rule=rule, ticket=OuterRef("pk"))
    return qs.exclude(Exists(fired))


def _working_minutes_since_filed(ticket: Ticket, now: dt.datetime, cals: CalendarCache) -> float:
    clock = (
        TicketClock.objects.filter(ticket=ticket, kind=ClockKind.RESOLUTION)
        .values_list("calendar_id", flat=True)
        .first()
    )
    if clock is None:
        policy = SlaPolicy.objects.filter(priority=ticket.priority_id, active=True).first()
        if policy is None:
            return (now - ticket.created_at).total_seconds() / 60
        clock = policy.calendar_id
    return working_time_between(ticket.created_at, now, cals.get(clock)).total_seconds() / 60


def _findings(ticket: Ticket) -> str:
    """What was found so far, for whoever receives the ticket (R-ES-2 hand-over)."""
    lines = []
    if ticket.steps_tried:
        lines.append(ticket.steps_tried.strip())
    events = TicketEvent.objects.filter(
        ticket=ticket, kind__in=[EventKind.STEP, EventKind.NOTE]
    ).order_by("-pk")[:5]
    for event in reversed(list(events)):
        result = (event.data or {}).get("result")
        text = event.body.strip() + (f" → {result}" if result else "")
        if text:
            lines.append(f"- {text}")
    return "\n".join(lines)


def fire_rule(rule: EscalationRule, ticket_id: int, now: dt.datetime, cals: CalendarCache) -> bool:
    with transaction.atomic():
        ticket = candidates(rule, now).select_for_update(of=("self",)).filter(pk=ticket_id).first()
        if ticket is None:
            return False
        if rule.after_minutes and _working_minutes_since_filed(ticket, now, cals) < (
            rule.after_minutes
        ):
            return False
        try:
            with transaction.atomic():
                EscalationFiring.objects.create(rule=rule, ticket=ticket, fired_at=now)
        except IntegrityError:
            return False
        changes: dict[str, object] = {}
        if rule.to_team_id and ticket.team_id != rule.to_team_id:
            changes.update(team=rule.to_team, assignee=None)
        raise_to = rule.raise_priority_to
        if raise_to is not None and raise_to.rank < ticket.priority.rank:
            changes["priority"] = raise_to
        with translation.override(settings.LANGUAGE_CODE):
            body = gettext("Escalated by rule “%(rule)s”.") % {"rule": rule.name}
            findings = _findings(ticket)
            if findings:
                body += "\n" + gettext("Findings so far:") + "\n" + findings
            label = gettext("Escalation rules")
        do_record_event(
            ticket, kind=EventKind.ESCALATION, actor=None, actor_label=label, body=body,
            data={"rule": rule.pk, "auto": True, "notify_lead": rule.notify_lead},
            changes=changes,
        )  # fmt: skip
    return True


def run_escalation_rules(now: dt.datetime | None = None) -> int:
    """Fires every rule on every ticket it now applies to. Returns how many firings."""
    now = now or timezone.now()
    cals = CalendarCache()
    fired = 0
    rules = EscalationRule.objects.filter(active=True).select_related(
        "to_team", "raise_priority_to"
    )
    for rule in rules:
        last_pk = 0
        while True:
            batch = list(
                candidates(rule, now)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not batch:
                break
            for pk in batch:
                fired += fire_rule(rule, pk, now, cals)
            last_pk = batch[-1]
    if fired:
        logger.info("escalation rules fired %d time(s)", fired)
    return fired
