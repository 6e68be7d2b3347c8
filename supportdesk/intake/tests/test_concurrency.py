"""Several processes at once: the same mail delivered twice, the outbox sent by many workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.intake.choices import InboundState, OutboundKind, OutboundState
from supportdesk.intake.email import ingest, outbound
from supportdesk.intake.models import InboundMessage, Mailbox, OutboundMessage
from supportdesk.tests_support import Cast, database_url_for_subprocesses
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent

RECEIVE = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from supportdesk.intake.email import ingest
    from supportdesk.intake.models import Mailbox
    mailbox = Mailbox.objects.get(address="support@desk.example")
    raws = [open(p, "rb").read() for p in sys.argv[1:]]
    for raw in raws:
        ingest.receive(raw, mailbox)
    """
)

DELIVER = textwrap.dedent(
    """
    import django
    django.setup()
    from supportdesk.intake.email import outbound
    from supportdesk.intake.models import OutboundMessage
    from django.core import mail
    ids = list(OutboundMessage.objects.values_list("pk", flat=True))
    print(sum(outbound.deliver(pk) for pk in ids))
    """
)


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.test_settings",
    }


def _run_all(script: str, args: list[str], copies: int) -> list[str]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(copies)
    ]
    results = [worker.communicate(timeout=180) for worker in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _out, err in results]
    return [out for out, _err in results]


@pytest.mark.django_db(transaction=True)
def test_the_same_mail_delivered_by_several_processes_at_once_makes_one_ticket_each(
    cast: Cast, tmp_path: Path
) -> None:
    Mailbox.objects.create(name="技术支持", address="support@desk.example")
    paths = []
    for index in range(6):
        message = EmailMessage()
        message["From"] = "zhang.wei@yunfan.example"
        message["To"] = "support@desk.example"
        message["Subject"] = f"问题 {index}"
        message["Message-ID"] = make_msgid(domain="yunfan.example")
        message.set_content("描述")
        path = tmp_path / f"{index}.eml"
        path.write_bytes(message.as_bytes())
        paths.append(str(path))

    _run_all(RECEIVE, paths, copies=3)

    assert InboundMessage.objects.count() == 6
    assert Ticket.objects.count() == 6
    assert TicketEvent.objects.filter(kind=EventKind.REPLY).count() == 0


@pytest.mark.django_db(transaction=True)
def test_workers_sending_the_outbox_at_once_send_each_mail_exactly_once(cast: Cast) -> None:
    tickets = [cast.ticket(subject=f"问题 {i}") for i in range(8)]
    for ticket in tickets:
        event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED)
        outbound.queue_mail(event, OutboundKind.ACKNOWLEDGEMENT)
    # Eight acknowledgements waiting in the outbox (as when no worker ran yet).
    OutboundMessage.objects.update(state=OutboundState.QUEUED, attempts=0, sent_at=None)
    assert OutboundMessage.objects.count() == 8

    outputs = _run_all(DELIVER, [], copies=3)

    assert sum(int(out.strip().splitlines()[-1]) for out in outputs) == 8
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {OutboundState.SENT}


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=3000))
def test_any_bytes_are_stored_and_end_in_a_final_state(cast: Cast, raw: bytes) -> None:
    mailbox, _created = Mailbox.objects.get_or_create(
        address="support@desk.example", defaults={"name": "技术支持"}
    )
    message = ingest.receive(b"From: a@b.example\r\n" + raw, mailbox).message
    assert message.state in (
        InboundState.INGESTED,
        InboundState.IGNORED,
        InboundState.QUARANTINED,
    )
    assert bytes(InboundMessage.objects.get(pk=message.pk).raw) == b"From: a@b.example\r\n" + raw
