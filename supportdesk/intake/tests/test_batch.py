"""Mail received in batches (one transaction each): every message still lands once, in its
thread, and a message that fails undoes only its own changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.crm.models import Contact
from supportdesk.intake.choices import InboundState
from supportdesk.intake.email import ingest
from supportdesk.intake.models import InboundMessage, Mailbox, OutboundMessage, ThreadReference
from supportdesk.tests_support import Cast
from supportdesk.tickets import actions as ticket_actions
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

from .test_ingest import make_mail


@pytest.fixture
def mailbox(cast: Cast) -> Mailbox:
    return Mailbox.objects.create(
        name="技术支持", address="support@desk.example", team=cast.l1_team
    )


@pytest.fixture
def filing_fails_for(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Subjects whose ticket is filed and then fails (the failure comes after real writes)."""
    subjects: set[str] = set()
    # Intake files through ``do_file_ticket`` (it needs the created event too).
    real = ticket_actions.do_file_ticket

    def file(draft: ticket_actions.NewTicket, **kwargs: Any) -> tuple[Ticket, TicketEvent]:
        filed = real(draft, **kwargs)
        if draft.subject in subjects:
            raise RuntimeError("disk full")
        return filed

    monkeypatch.setattr(ticket_actions, "do_file_ticket", file)
    return subjects


def test_a_broken_or_failing_message_costs_only_itself(
    cast: Cast, mailbox: Mailbox, filing_fails_for: set[str], django_capture_on_commit_callbacks
) -> None:
    existing = cast.ticket()
    filing_fails_for.add("系统崩溃")
    new_mail = make_mail(subject="打印机无法连接")
    batch = [
        new_mail,
        make_mail(
            sender="李娜 <li.na@yunfan.example>",
            subject=f"回复: 【技术支持】{existing.number} 登录问题",
            body="我试过了，还是不行。",
        ),
        b"\x00\x01 not a mail at all",
        # A new colleague: the contact made for them is undone with the failed filing...
        make_mail(sender="新同事 <new.colleague@yunfan.example>", subject="系统崩溃"),
        # ...and made again, for real, for their next mail in the same batch.
        make_mail(sender="新同事 <new.colleague@yunfan.example>", subject="无法导出报表"),
        new_mail,  # the same message twice in one batch
    ]
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = ingest.receive_batch(batch, mailbox)

    states = [o.message.state for o in outcomes]
    assert states == [
        InboundState.INGESTED,
        InboundState.INGESTED,
        InboundState.QUARANTINED,
        InboundState.QUARANTINED,
        InboundState.INGESTED,
        InboundState.INGESTED,
    ]
    assert [o.created for o in outcomes] == [True, True, True, True, True, False]
    assert outcomes[5].message.pk == outcomes[0].message.pk
    # Nothing lost: every distinct message is stored with its bytes.
    stored = {bytes(m.raw) for m in InboundMessage.objects.all()}
    assert stored == set(batch) and InboundMessage.objects.count() == 5
    # The failed filing left nothing behind: no ticket with its subject.
    assert sorted(Ticket.objects.exclude(pk=existing.pk).values_list("subject", flat=True)) == [
        "打印机无法连接",
        "无法导出报表",
    ]
    failed = outcomes[3].message
    assert failed.ticket is None and any("RuntimeError" in p for p in failed.problems)
    # The reply is in its thread; the colleague's second mail has a contact that exists.
    reply = TicketEvent.objects.get(ticket=existing, kind=EventKind.REPLY)
    assert reply.body == "我试过了，还是不行。" and reply.actor == cast.colleague
    colleague_ticket = outcomes[4].message.ticket
    assert colleague_ticket is not None and colleague_ticket.contact is not None
    assert Contact.objects.filter(email="new.colleague@yunfan.example").count() == 1
    # Each new ticket was acknowledged once the batch committed; the failed one was not.
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"【技术支持】{o.message.ticket.number} {o.message.ticket.subject}"  # type: ignore[union-attr]
        for o in (outcomes[0], outcomes[4])
    )


def test_a_reply_in_a_later_batch_threads_by_in_reply_to(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first, other = ingest.receive_batch(
            [
                make_mail(sender="someone@elsewhere.example", subject="the printer"),
                make_mail(sender="another@elsewhere.example", subject="the scanner"),
            ],
            mailbox,
        )
    ticket = first.message.ticket
    acknowledgement = OutboundMessage.objects.get(ticket=ticket)
    replies = ingest.receive_batch(
        [
            make_mail(sender="new@elsewhere.example", subject="a new question"),
            make_mail(
                sender="someone@elsewhere.example",
                subject="Re: the printer",
                In_Reply_To=f"<{acknowledgement.message_id}>",
                References=f"<{acknowledgement.message_id}>",
            ),
        ],
        mailbox,
    )
    assert replies[1].message.ticket == ticket
    assert replies[0].message.ticket not in (ticket, other.message.ticket)
    assert Ticket.objects.count() == 3


def test_a_flooding_sender_is_rate_limited_within_a_batch(
    cast: Cast, mailbox: Mailbox, settings: object
) -> None:
    settings.INTAKE_RATE_LIMIT_MESSAGES = 3  # type: ignore[attr-defined]
    ingest.receive(make_mail(subject="spam 0"), mailbox)
    outcomes = ingest.receive_batch([make_mail(subject=f"spam {i}") for i in range(1, 5)], mailbox)
    assert [o.message.state for o in outcomes] == [
        InboundState.INGESTED,
        InboundState.INGESTED,
        InboundState.IGNORED,
        InboundState.IGNORED,
    ]
    assert Ticket.objects.count() == 3


def test_a_batch_nothing_fails_in_is_filed_without_a_savepoint_per_message(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    existing = cast.ticket()
    batch = [
        make_mail(subject="打印机无法连接"),
        make_mail(sender="李娜 <li.na@yunfan.example>", subject="无法导出报表"),
        make_mail(
            sender="李娜 <li.na@yunfan.example>",
            subject=f"回复: 【技术支持】{existing.number} 登录问题",
            body="我试过了，还是不行。",
        ),
    ]
    # Captured inside: the jobs the commit queues run (inline in tests) when the outer ends.
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        outcomes = ingest.receive_batch(batch, mailbox)

    assert [o.message.state for o in outcomes] == [InboundState.INGESTED] * 3
    assert [o.created for o in outcomes] == [True] * 3
    new_tickets = [o.message.ticket for o in outcomes[:2]]
    assert all(t is not None and t.pk != existing.pk for t in new_tickets)
    assert outcomes[2].message.ticket == existing
    # Rows as a reader finds them: each message with its ticket and event, each in its thread.
    for outcome in outcomes:
        stored = InboundMessage.objects.get(pk=outcome.message.pk)
        assert stored.ticket == outcome.message.ticket and stored.event_id is not None
        assert ThreadReference.objects.filter(ticket=stored.ticket).exists()
    assert len(mail.outbox) == 2  # the two new tickets acknowledged after the commit
    statements = [q["sql"] for q in queries.captured_queries]
    # The batch's own transaction is a savepoint inside the test's; the reply action keeps its
    # own. None per message, and the message rows written in one statement.
    assert sum(s.startswith("SAVEPOINT") for s in statements) <= 2
    assert sum('INSERT INTO "intake_inboundmessage"' in s for s in statements) == 1
