"""The worker's closure sweeps: unanswered fixes close as "no response", closed tickets archive."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
import time_machine
from django.utils import timezone

from supportdesk.tests_support import Cast, database_url_for_subprocesses
from supportdesk.tickets import actions, tasks
from supportdesk.tickets.choices import CloseReason, EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.timeline_integrity import verify_timeline

pytestmark = pytest.mark.django_db

RESOLVED_AT = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


def resolved_ticket(cast: Cast, at: dt.datetime = RESOLVED_AT) -> Ticket:
    with time_machine.travel(at - DAY, tick=False):
        ticket = cast.ticket()
    with time_machine.travel(at, tick=False):
        return actions.do_transition(
            ticket,
            actor=cast.l1,
            to=Status.RESOLVED,
            solution="1. 同步服务器时间\n2. 清除浏览器缓存后重新登录",
            result=ResolutionResult.SOLVED,
        )


def close_sweep_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return tasks.close_unanswered_resolutions()


def archive_sweep_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return tasks.archive_closed_tickets()


def status_events(ticket: Ticket) -> list[dict]:
    return list(ticket.events.filter(kind=EventKind.STATUS).values_list("data", flat=True))


def test_resolved_ticket_stays_open_one_minute_before_the_deadline(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    assert close_sweep_at(RESOLVED_AT + 7 * DAY - MINUTE) == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_resolved_ticket_closes_as_no_response_at_the_deadline(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    assert close_sweep_at(RESOLVED_AT + 7 * DAY) == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.close_reason == CloseReason.NO_RESPONSE
    assert ticket.closed_at == RESOLVED_AT + 7 * DAY
    last = ticket.events.order_by("id").last()
    assert last is not None
    assert last.kind == EventKind.STATUS and last.is_public
    assert last.data["to"] == Status.CLOSED
    assert last.data["close_reason"] == CloseReason.NO_RESPONSE
    assert last.actor is None and last.actor_label == "系统"
    assert verify_timeline(ticket) is None


def test_the_deadline_follows_the_setting(cast: Cast, settings) -> None:
    settings.AUTO_CLOSE_DAYS = 3
    ticket = resolved_ticket(cast)
    assert close_sweep_at(RESOLVED_AT + 3 * DAY) == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_customer_reply_keeps_the_ticket_resolved_and_restarts_the_clock(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    replied_at = RESOLVED_AT + 5 * DAY
    with time_machine.travel(replied_at, tick=False):
        actions.do_add_reply(ticket, actor=cast.customer, body="我明天上班后再验证一下。")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED

    assert close_sweep_at(RESOLVED_AT + 7 * DAY) == 0
    assert close_sweep_at(replied_at + 7 * DAY - MINUTE) == 0
    assert close_sweep_at(replied_at + 7 * DAY) == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_an_engineer_note_does_not_count_as_a_customer_reaction(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    with time_machine.travel(RESOLVED_AT + 6 * DAY, tick=False):
        actions.do_add_note(ticket, actor=cast.l1, body="已电话联系客户，未接通。")
    assert close_sweep_at(RESOLVED_AT + 7 * DAY) == 1


def test_a_customer_who_rejects_the_fix_is_not_closed(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    with time_machine.travel(RESOLVED_AT + DAY, tick=False):
        actions.do_reopen(ticket, actor=cast.customer, reason="今天早上又提示 token 失效了。")
    assert close_sweep_at(RESOLVED_AT + 30 * DAY) == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED


def test_running_the_sweep_twice_closes_once(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    assert close_sweep_at(RESOLVED_AT + 7 * DAY) == 1
    assert close_sweep_at(RESOLVED_AT + 7 * DAY + 5 * MINUTE) == 0
    closes = [data for data in status_events(ticket) if data["to"] == Status.CLOSED]
    assert len(closes) == 1


def test_a_ticket_another_worker_already_closed_is_skipped(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    with time_machine.travel(RESOLVED_AT + 7 * DAY, tick=False):
        candidates = tasks.auto_close_candidates(RESOLVED_AT + 7 * DAY)
        assert list(candidates.values_list("pk", flat=True)) == [ticket.pk]
        # The other worker wins the race after our candidate query...
        actions.do_transition(
            ticket, actor=None, to=Status.CLOSED, close_reason=CloseReason.NO_RESPONSE
        )
        # ...so our re-check under the lock finds nothing, and even a stale read that got
        # past it would be refused by the action and skipped, not crash the sweep.
        assert not tasks._move_if_still_candidate(
            candidates, ticket.pk, to=Status.CLOSED, close_reason=CloseReason.NO_RESPONSE
        )
        assert not tasks._move_if_still_candidate(
            Ticket.objects.all(), ticket.pk, to=Status.CLOSED, close_reason=CloseReason.NO_RESPONSE
        )
    assert len([d for d in status_events(ticket) if d["to"] == Status.CLOSED]) == 1


def test_the_sweep_works_through_batches(cast: Cast, monkeypatch) -> None:
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    tickets = [resolved_ticket(cast) for _ in range(5)]
    assert close_sweep_at(RESOLVED_AT + 7 * DAY) == 5
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])} == {
        Status.CLOSED
    }


def test_a_closed_ticket_is_archived_after_thirty_days(cast: Cast) -> None:
    ticket = resolved_ticket(cast)
    with time_machine.travel(RESOLVED_AT + DAY, tick=False):
        actions.do_confirm_resolution(ticket, actor=cast.customer, comment="已验证，可以正常登录。")
    closed_at = RESOLVED_AT + DAY
    assert archive_sweep_at(closed_at + 30 * DAY - MINUTE) == 0
    assert archive_sweep_at(closed_at + 30 * DAY) == 1
    assert archive_sweep_at(closed_at + 30 * DAY + MINUTE) == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.ARCHIVED
    assert ticket.archived_at == closed_at + 30 * DAY
    assert ticket.close_reason == CloseReason.CUSTOMER_CONFIRMED
    assert verify_timeline(ticket) is None


def test_open_tickets_are_never_archived(cast: Cast) -> None:
    with time_machine.travel(RESOLVED_AT, tick=False):
        ticket = cast.ticket()
    assert archive_sweep_at(RESOLVED_AT + 365 * DAY) == 0
    assert close_sweep_at(RESOLVED_AT + 365 * DAY) == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.RECEIVED


def test_the_scheduler_runs_the_sweeps_every_few_minutes() -> None:
    from huey.contrib.djhuey import HUEY

    def due_at(minute: int) -> set[str]:
        return {task.name for task in HUEY.read_periodic(dt.datetime(2026, 11, 23, 10, minute))}

    assert {"auto_close_resolved_tickets", "auto_archive_closed_tickets"} <= due_at(15)
    assert "auto_close_resolved_tickets" in due_at(20)
    assert "auto_archive_closed_tickets" not in due_at(20)


SWEEP = textwrap.dedent(
    """
    import django
    django.setup()
    from supportdesk.tickets.tasks import close_unanswered_resolutions
    print(close_unanswered_resolutions())
    """
)


@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_close_each_ticket_exactly_once(cast: Cast) -> None:
    eight_days_ago = timezone.now() - 8 * DAY
    tickets = [resolved_ticket(cast, at=eight_days_ago) for _ in range(12)]
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SWEEP], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]  # fmt: skip
    results = [worker.communicate(timeout=120) for worker in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _out, err in results]
    assert sum(int(out.strip().splitlines()[-1]) for out, _err in results) == len(tickets)
    for ticket in tickets:
        closes = [d for d in status_events(ticket) if d["to"] == Status.CLOSED]
        assert len(closes) == 1, ticket.number
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED
        assert verify_timeline(ticket) is None
