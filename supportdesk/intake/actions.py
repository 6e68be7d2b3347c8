"""Changes to mail intake state made by people (admins) rather than by arriving mail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User

from .choices import InboundState, OutboundState
from .email import ingest
from .models import InboundMessage, OutboundMessage


def _require_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.is_staff):
        raise PermissionDenied


def do_retry_inbound(message: InboundMessage, *, actor: User) -> InboundMessage:
    """Processes a quarantined mail again (after a fix, or to see if it passes now)."""
    _require_admin(actor)
    if message.state != InboundState.QUARANTINED:
        return message
    InboundMessage.objects.filter(pk=message.pk, state=InboundState.QUARANTINED).update(
        state=InboundState.NEW
    )
    message.refresh_from_db()
    return ingest.process(message)


def do_release_inbound(message: InboundMessage, *, actor: User) -> InboundMessage:
    """An admin accepts a quarantined mail as it is: it becomes a ticket or a reply."""
    _require_admin(actor)
    return ingest.release(message)


def do_resend_outbound(message: OutboundMessage, *, actor: User) -> bool:
    """A failed mail is given another round of attempts (it is still sent only once)."""
    _require_admin(actor)
    with transaction.atomic():
        changed = OutboundMessage.objects.filter(pk=message.pk, state=OutboundState.FAILED).update(
            state=OutboundState.RETRYING, attempts=0, next_attempt_at=timezone.now()
        )
    return bool(changed)
