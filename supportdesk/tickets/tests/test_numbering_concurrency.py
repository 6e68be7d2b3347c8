"""Ticket numbers stay unique and gap-free when several processes file tickets at once, and on
PostgreSQL a filing that is slow to commit does not hold up the others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, connections

from supportdesk.tests_support import Cast, database_url_for_subprocesses
from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket, TicketEvent

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from django.db import OperationalError
    from supportdesk.accounts.models import User
    from supportdesk.tickets.actions import NewTicket, do_create_ticket
    user = User.objects.get(username="zhang.wei")
    for i in range(int(sys.argv[1])):
        draft = NewTicket(subject=f"并发 {os.getpid()} {i}", description="x",
                          organization=user.organization)
        do_create_ticket(draft, actor=user)
    """
)


@pytest.mark.django_db(transaction=True)
def test_processes_filing_at_once_never_share_a_number(cast: Cast) -> None:
    processes, per_process = 4, 15
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(per_process)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    errors = [w.communicate(timeout=120)[1] for w in workers]
    assert all(w.returncode == 0 for w in workers), json.dumps(errors, ensure_ascii=False)[:2000]
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == processes * per_process
    assert len(set(numbers)) == len(numbers)
    # One day, no gaps: the sequences are exactly 1..N.
    by_day: dict[str, list[int]] = {}
    for number in numbers:
        by_day.setdefault(number[2:10], []).append(int(number[10:]))
    for seqs in by_day.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_filing_waiting_to_commit_does_not_hold_up_the_next_one(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first filing stops after taking its number, before it writes its rows (as a write
    # waiting for a slow disk would). The day's number row is not locked meanwhile.
    numbered, release = threading.Event(), threading.Event()
    write = actions.insert_together

    def paused(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "slow-filing":
            numbered.set()
            release.wait(timeout=30)
        return write(*args, **kwargs)

    monkeypatch.setattr(actions, "insert_together", paused)
    slow: list[Ticket] = []

    def file_slowly() -> None:
        try:
            slow.append(cast.ticket(subject="慢的那一单"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=file_slowly, name="slow-filing")
    thread.start()
    try:
        assert numbered.wait(timeout=30)
        with connection.cursor() as cursor:
            # Blocked on a locked row, this filing would fail after 5 s instead of waiting.
            cursor.execute("SET lock_timeout = '5s'")
        quick = cast.ticket(subject="快的那一单")
    finally:
        release.set()
        thread.join(timeout=30)
    assert Ticket.objects.filter(subject="快的那一单").exists()
    assert [t.number for t in slow] == [quick.number[:-4] + "0001"]
    assert quick.number.endswith("0002")


@pytest.mark.django_db(transaction=True)
def test_a_failed_filing_never_gives_its_number_to_two_tickets(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = actions.insert_together

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("the database went away")

    monkeypatch.setattr(actions, "insert_together", failing)
    with pytest.raises(DatabaseError):
        cast.ticket(subject="没能保存")
    monkeypatch.setattr(actions, "insert_together", write)
    after = cast.ticket(subject="保存了")

    assert not Ticket.objects.filter(subject="没能保存").exists()
    if connection.vendor == "postgresql":
        # The number was taken (and committed) ahead of the failed filing: a gap, never a
        # number handed out twice.
        assert after.number.endswith("0002")
    else:
        # Taken inside the filing's transaction, it was rolled back with it.
        assert after.number.endswith("0001")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_file", [False, True])
def test_a_filing_whose_event_is_refused_leaves_no_ticket(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, with_file: bool
) -> None:
    # On PostgreSQL a filing without files writes its ticket and event as one query string,
    # outside any explicit transaction (``do_file_ticket``); with a file, in a transaction.
    # Either way the database refusing the event (here a required column left empty) must
    # take the ticket written just before it back.
    next_event = actions._next_event

    def refused(*args: Any, **kwargs: Any) -> Any:
        event = next_event(*args, **kwargs)
        event.body = None  # type: ignore[assignment]  # NOT NULL: the database refuses it
        return event

    monkeypatch.setattr(actions, "_next_event", refused)
    files = [SimpleUploadedFile("日志.txt", b"log line\n", content_type="text/plain")]
    with pytest.raises(DatabaseError):
        cast.ticket(subject="事件被拒", attachments=files if with_file else ())
    assert not Ticket.objects.filter(subject="事件被拒").exists()
    assert not TicketEvent.objects.filter(ticket__subject="事件被拒").exists()
    monkeypatch.setattr(actions, "_next_event", next_event)
    assert cast.ticket(subject="之后照常").events.count() == 1
