"""supportdesk's own SMTP ingress, for a mail server that forwards support mail to it.

Each recipient must be an active mailbox (anything else is refused at RCPT, so the
forwarding server keeps the bounce). The message is stored and processed before ``250`` is
answered; if the database is unreachable the answer is a temporary ``451`` and the sending
server retries, so a message is never acknowledged and then lost.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from ..models import Mailbox
from . import ingest

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 40 * 1024 * 1024


def _active_mailbox(address: str) -> Mailbox | None:
    try:
        return Mailbox.objects.filter(address=address.strip().lower(), is_active=True).first()
    finally:
        # As at the end of a web request: keep the connection for the next message
        # (CONN_MAX_AGE) unless it broke or is too old.
        close_old_connections()


def _ingest(raw: bytes, addresses: list[str]) -> None:
    try:
        for address in addresses:
            mailbox = Mailbox.objects.get(address=address.strip().lower())
            ingest.receive(raw, mailbox)
    finally:
        close_old_connections()


class IngressHandler:
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        try:
            mailbox = await sync_to_async(_active_mailbox, thread_sensitive=False)(address)
        except Exception:  # the sender retries on 451
            log.exception("mailbox lookup failed")
            return "451 4.3.0 Temporary failure, try again later"
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        try:
            await sync_to_async(_ingest, thread_sensitive=False)(raw, list(envelope.rcpt_tos))
        except Exception:
            log.exception("could not store an incoming message")
            return "451 4.3.0 Could not store the message, try again later"
        return "250 Message accepted"


def ingress_controller(host: str, port: int) -> Controller:
    return Controller(
        IngressHandler(),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
        decode_data=False,
        server_hostname="supportdesk",
    )
