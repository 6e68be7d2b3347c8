"""What the worker does for tickets: announcing new events, and periodic sweeps (R-SO-5, R-CL-1).

Announcing: an action queues one ``announce_event`` job per event after its transaction
commits, and the worker sends ``signals.ticket_event_recorded`` from there, so routing, SLA
clocks, mail, the search index and notifications react off the request path. Each of them
used to queue its own job from the request (each one a write to the queue's store, on the
embedded SQLite queue a transaction with an fsync); now the request writes one.

Sweeps:

Every sweep works the same way, so any number of workers can run it at once:

1. Candidates are chosen by an indexed query: the ``status`` prefix of the ``tk_status``
   index plus the time condition. The job itself keeps that set small (a resolved ticket
   stays a candidate for at most one run, a closed one likewise), so it never scans history.
2. Candidates are taken in batches by id (keyset), so a sweep over many rows never holds
   a long transaction or a long list in memory.
3. Each ticket is handled in its own short transaction: it is re-read under the row lock
   with the same condition, then changed through ``tickets.actions``, which locks it again
   and re-checks the move. A ticket another worker (or a person) moved in the meantime no
   longer matches, or the action refuses the move with ``ActionError``: it is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from supportdesk.accounts.choices import Role
from supportdesk.core.errors import ActionError
from supportdesk.tickets.actions import do_transition
from supportdesk.tickets.choices import CloseReason, Status
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.signals import ticket_event_recorded

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@db_task()
def announce_event(ticket_id: int, event_id: int, kind: str, replayed: bool = False) -> None:
    """Tells every receiver about one committed event; one failing receiver stops no other."""
    for receiver, result in ticket_event_recorded.send_robust(
        Ticket, ticket_id=ticket_id, event_id=event_id, kind=kind, replayed=replayed
    ):
        if isinstance(result, Exception):
            logger.error(
                "%s failed on event %s of ticket %s",
                getattr(receiver, "__qualname__", receiver),
                event_id,
                ticket_id,
                exc_info=result,
            )


def system_label() -> str:
    """The name the timeline shows for the worker, in the desk's language (stored as written)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("System")


def auto_close_candidates(now: dt.datetime) -> QuerySet[Ticket]:
    """Resolved tickets the customer has not reacted to for ``AUTO_CLOSE_DAYS``.

    The clock starts at the resolution and restarts at each customer reaction (a reply, a
    file): a customer who answers "let me check tomorrow" is not closed as silent.
    """
    cutoff = now - dt.timedelta(days=settings.AUTO_CLOSE_DAYS)
    recent_reaction = TicketEvent.objects.filter(
        Q(data__from_customer=True) | Q(actor__role=Role.CUSTOMER),
        ticket=OuterRef("pk"),
        created_at__gt=cutoff,
    )
    return Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff).exclude(
        Exists(recent_reaction)
    )


def auto_archive_candidates(now: dt.datetime) -> QuerySet[Ticket]:
    """Closed tickets that have stayed closed for ``AUTO_ARCHIVE_DAYS``."""
    cutoff = now - dt.timedelta(days=settings.AUTO_ARCHIVE_DAYS)
    return Ticket.objects.filter(status=Status.CLOSED, closed_at__lte=cutoff)


def _move_if_still_candidate(
    candidates: QuerySet[Ticket], pk: int, *, to: str, close_reason: str = ""
) -> bool:
    with transaction.atomic():
        ticket = candidates.select_for_update().filter(pk=pk).first()
        if ticket is None:
            return False
        try:
            do_transition(
                ticket, actor=None, to=to, close_reason=close_reason, actor_label=system_label()
            )
        except ActionError:
            # Another worker or an engineer moved it after we read it: nothing to do.
            return False
    return True


def _run_sweep(candidates: QuerySet[Ticket], *, to: str, close_reason: str = "") -> int:
    moved, last_pk = 0, 0
    while True:
        batch = list(
            candidates.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not batch:
            return moved
        for pk in batch:
            moved += _move_if_still_candidate(candidates, pk, to=to, close_reason=close_reason)
        last_pk = batch[-1]


def close_unanswered_resolutions(now: dt.datetime | None = None) -> int:
    """Closes, as "no response", fixes the customer left unanswered. Returns how many."""
    moved = _run_sweep(
        auto_close_candidates(now or timezone.now()),
        to=Status.CLOSED,
        close_reason=CloseReason.NO_RESPONSE,
    )
    if moved:
        logger.info("auto-closed %d resolved ticket(s) without customer response", moved)
    return moved


def archive_closed_tickets(now: dt.datetime | None = None) -> int:
    """Archives tickets closed long enough ago (R-CL-1). Returns how many."""
    moved = _run_sweep(auto_archive_candidates(now or timezone.now()), to=Status.ARCHIVED)
    if moved:
        logger.info("archived %d closed ticket(s)", moved)
    return moved


@db_periodic_task(crontab(minute="*/5"))
def auto_close_resolved_tickets() -> int:
    return close_unanswered_resolutions()


@db_periodic_task(crontab(minute="*/15"))
def auto_archive_closed_tickets() -> int:
    return archive_closed_tickets()
