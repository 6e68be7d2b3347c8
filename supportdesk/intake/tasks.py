"""Worker jobs of mail intake: sending the outbox (with retries) and fetching mailboxes."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .email import outbound


@db_task()
def write_and_send(event_id: int, kind: str) -> bool:
    """Writes the mail a ticket event calls for into the outbox and makes the first attempt."""
    message = outbound.write_mail(event_id, kind)
    return outbound.deliver(message.pk) if message is not None else False


@db_task()
def send_outbound(pk: int) -> bool:
    """First attempt, right after the mail was queued."""
    return outbound.deliver(pk)


@db_periodic_task(crontab(minute="*"))
def send_due_outbound() -> int:
    """Retries whatever is due; a claim per row keeps several workers from sending twice."""
    return sum(outbound.deliver(pk) for pk in outbound.due_outbound_ids(timezone.now()))


@db_periodic_task(crontab(minute="*"))
def fetch_mailboxes() -> int:
    """Polls every IMAP mailbox; a second worker running it at the same time duplicates
    nothing (messages are unique per mailbox and Message-ID)."""
    from .email.imap import fetch_all

    return sum(result.new for result in fetch_all().values())
