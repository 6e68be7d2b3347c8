"""Indexing keeps up with bursts: changes mark tickets pending, one worker job drains them."""

import pytest
from huey.contrib.djhuey import HUEY

from supportdesk.search.choices import DocKind
from supportdesk.search.models import PendingTicket
from supportdesk.search.service import search
from supportdesk.tests_support import queued_task_names, run_worker
from supportdesk.tickets.actions import do_add_reply

pytestmark = pytest.mark.django_db(transaction=True)


def run_announcements() -> None:
    """The worker's first step after a burst: the receivers hear of each committed change
    (``tickets.tasks.announce_event``); the jobs they queue stay queued."""
    later = []
    while (task := HUEY.dequeue()) is not None:
        if task.name == "announce_event":
            HUEY.execute(task)
        else:
            later.append(task)
    for task in later:
        HUEY.enqueue(task)


def test_a_burst_of_new_tickets_is_all_searchable_after_the_worker_runs(cast, queued_jobs):
    tickets = [
        cast.ticket(subject=f"批量导入第{i}单失败", description=f"导入时报错 BURST-{i:04d}")
        for i in range(40)
    ]
    run_announcements()
    # Forty changes, one indexing job: each change only marked its ticket.
    assert queued_task_names().count("index_pending_tickets") == 1
    assert PendingTicket.objects.count() == len(tickets)
    assert search("BURST-0007", user=cast.l1) == []

    run_worker()

    assert PendingTicket.objects.count() == 0
    for i in (0, 7, 39):
        hits = search(f"BURST-{i:04d}", user=cast.l1)
        assert [(h.kind, h.object_id) for h in hits][:1] == [(DocKind.TICKET, tickets[i].pk)]
    found = {h.object_id for h in search("批量导入", user=cast.l1, limit=100)}
    assert {t.pk for t in tickets} <= found


def test_a_change_made_after_the_burst_is_indexed_by_the_next_job(cast, queued_jobs):
    ticket = cast.ticket(subject="报表导出很慢", description="导出十万行需要十分钟")
    run_worker()
    assert search("VPN隧道", user=cast.l1) == []

    do_add_reply(ticket, actor=cast.l1, body="请检查VPN隧道是否建立")
    run_announcements()
    assert queued_task_names().count("index_pending_tickets") == 1
    run_worker()

    assert [h.object_id for h in search("VPN隧道", user=cast.l1)] == [ticket.pk]
