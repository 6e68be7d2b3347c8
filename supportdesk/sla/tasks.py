"""The worker's SLA timer: every minute, fire the warnings and breaches that fell due.

Candidates come from the ``sla_next_fire`` index (only live clocks have ``next_fire_at``),
in batches by (next_fire_at, id); each is fired in its own short transaction by
``actions.fire_due_clock``, which claims it with a conditional UPDATE, so several workers
can sweep at once and each warning or breach is recorded exactly once. A worker that was
down finds everything whose time passed and fires it once when it comes back.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from supportdesk.sla.actions import CalendarCache, do_retarget_calendar, fire_due_clock
from supportdesk.sla.escalation import run_escalation_rules
from supportdesk.sla.models import TicketClock

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def fire_due_clocks(now: dt.datetime | None = None) -> int:
    """Fires every warning and breach due at ``now``. Returns how many this worker fired."""
    now = now or timezone.now()
    cals = CalendarCache()
    fired, seen = 0, 0
    last: tuple[dt.datetime, int] | None = None
    while True:
        candidates = TicketClock.objects.filter(next_fire_at__lte=now)
        if last is not None:
            candidates = candidates.filter(next_fire_at__gte=last[0]).exclude(
                next_fire_at=last[0], pk__lte=last[1]
            )
        batch = list(
            candidates.order_by("next_fire_at", "pk").values_list("pk", "next_fire_at")[:BATCH_SIZE]
        )
        if not batch:
            break
        for pk, _fire_at in batch:
            seen += 1
            fired += fire_due_clock(pk, now=now, cals=cals) is not None
        last_pk, last_at = batch[-1][0], batch[-1][1]
        assert last_at is not None
        last = (last_at, last_pk)
    if fired:
        logger.info("SLA: fired %d warning(s)/breach(es) of %d due clock(s)", fired, seen)
    return fired


@db_periodic_task(crontab())
def fire_sla_timers() -> int:
    return fire_due_clocks()


@db_periodic_task(crontab())
def run_escalations() -> int:
    return run_escalation_rules()


@db_task()
def retarget_calendar(calendar_id: int) -> int:
    """After an admin edits a calendar: new deadlines for its live clocks (in the worker)."""
    moved = do_retarget_calendar(calendar_id)
    logger.info("SLA: calendar %s edited, %d clock(s) re-targeted", calendar_id, moved)
    return moved
