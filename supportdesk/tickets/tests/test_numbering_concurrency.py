"""Ticket numbers stay unique and gap-free when several processes file tickets at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from supportdesk.tests_support import Cast, database_url_for_subprocesses
from supportdesk.tickets.models import Ticket

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
