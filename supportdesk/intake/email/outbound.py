"""Mail the desk sends: acknowledgements of new tickets (R-IN-2) and agents' replies (R-CH-1/2).

Writing and sending are separate. A ticket event (after its transaction commits) writes one
``OutboundMessage`` row, unique per (event, kind), so a repeated signal never writes two.
A worker then claims the row with a conditional UPDATE and sends it; only the worker whose
UPDATE changed the row sends, so several workers never send the same mail twice. A failed
send waits with a growing delay and is tried again; the agent sees each state.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Attachment, Ticket, TicketEvent

from ..choices import MailLanguage, OutboundKind, OutboundState
from ..models import (
    BouncedAddress,
    InboundMessage,
    Mailbox,
    MailTemplate,
    OutboundMessage,
    ThreadReference,
)
from .templates import render_custom
from .tls import mailbox_smtp_connection

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "【技术支持】"
MAX_ATTEMPTS = 8
STALE_CLAIM = dt.timedelta(minutes=15)


def on_ticket_event(
    sender: object = None,
    *,
    ticket_id: int,
    event_id: int,
    kind: str = "",
    replayed: bool = False,
    **_: Any,
) -> None:
    """Receiver of ``ticket_event_recorded``: hands the events that call for mail to the worker.

    Writing the mail (templates, threading headers) happens in the worker's task, not in the
    request or the mail intake that recorded the event.
    """
    # Only new tickets and replies call for mail; the rest need not read the event.
    # History being written (the demo desk) happened long ago: nobody is mailed about it.
    if (kind and kind not in (EventKind.CREATED, EventKind.REPLY)) or replayed:
        return
    try:
        # Every new ticket is acknowledged (the task checks the rest): no need to read it here.
        mail_kind = (
            OutboundKind.ACKNOWLEDGEMENT if kind == EventKind.CREATED else (mail_kind_for(event_id))
        )
        if mail_kind is not None:
            from ..tasks import write_and_send

            write_and_send(event_id, mail_kind)
    except Exception:  # a mail problem must never break the change that caused it
        log.exception("could not queue mail for ticket event %s", event_id)


def mail_kind_for(event_id: int) -> str | None:
    event = (
        TicketEvent.objects.filter(pk=event_id)
        .select_related("actor")
        .only("kind", "is_public", "actor__role")
        .first()
    )
    if event is None:
        return None
    if event.kind == EventKind.CREATED:
        return OutboundKind.ACKNOWLEDGEMENT
    if (
        event.kind == EventKind.REPLY
        and event.is_public
        and event.actor is not None
        and event.actor.is_agent
    ):
        return OutboundKind.REPLY
    return None


def write_mail(event_id: int, kind: str) -> OutboundMessage | None:
    event = TicketEvent.objects.select_related("actor").get(pk=event_id)
    return queue_mail(event, kind)


def recipient(ticket: Ticket) -> str:
    if ticket.contact_id and ticket.contact and ticket.contact.email:
        return ticket.contact.email.lower()
    if ticket.created_by_id and ticket.created_by and ticket.created_by.is_customer:
        return (ticket.created_by.email or "").lower()
    first = InboundMessage.objects.filter(ticket=ticket).exclude(sender="").order_by("pk").first()
    return first.sender if first is not None else ""


def mailbox_for(ticket: Ticket) -> Mailbox | None:
    inbound = (
        InboundMessage.objects.filter(ticket=ticket).select_related("mailbox").order_by("-pk")
    ).first()
    if inbound is not None:
        return inbound.mailbox
    return Mailbox.objects.filter(is_active=True).order_by("-is_default", "pk").first()


def _language(ticket: Ticket, mailbox: Mailbox | None) -> str:
    user = ticket.contact.user if ticket.contact_id and ticket.contact else None
    if user is None and ticket.created_by_id and ticket.created_by:
        user = ticket.created_by if ticket.created_by.is_customer else None
    if user is not None and user.language:
        return str(user.language)
    return mailbox.language if mailbox is not None else MailLanguage.ZH_HANS


def _time_zone(ticket: Ticket) -> zoneinfo.ZoneInfo:
    user = ticket.contact.user if ticket.contact_id and ticket.contact else None
    name = getattr(user, "time_zone", "") or "Asia/Shanghai"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Shanghai")


def _render(name: str, language: str, context: dict[str, Any]) -> str:
    template = select_template([f"intake/mail/{language}/{name}", f"intake/mail/{name}"])
    return template.render(context)


def _render_mail(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML: the administrator's template for the language, else the files."""
    custom = MailTemplate.objects.filter(kind=kind, language=language.lower()).first()
    if custom is not None:
        subject, text, html_part = render_custom(custom, context)
        if html_part is None:
            html_part = f"<!DOCTYPE html>\n<html><body>\n{text_to_html(text)}\n</body></html>\n"
    else:
        base = "acknowledgement" if kind == OutboundKind.ACKNOWLEDGEMENT else "reply"
        subject = _render(f"{base}_subject.txt", language, context)
        text = _render(f"{base}.txt", language, context)
        html_part = _render(f"{base}.html", language, context)
    return " ".join(subject.split()), text.strip() + "\n", html_part


def queue_mail(event: TicketEvent, kind: str) -> OutboundMessage | None:
    ticket = Ticket.objects.select_related(
        "contact__user", "created_by", "priority", "assignee"
    ).get(pk=event.ticket_id)
    to = recipient(ticket)
    if not to:
        return None
    mailbox = mailbox_for(ticket)
    from_address = mailbox.address if mailbox is not None else settings.DEFAULT_FROM_EMAIL
    if kind == OutboundKind.ACKNOWLEDGEMENT and _opened_by_automatic_mail(ticket):
        return None
    language = _language(ticket, mailbox)
    domain = from_address.rpartition("@")[2] or "supportdesk.localhost"
    message_id = f"{uuid.uuid4().hex}.{ticket.number.lower()}@{domain}"
    references = list(
        ThreadReference.objects.filter(ticket=ticket)
        .order_by("created_at", "pk")
        .values_list("message_id", "outgoing")
    )
    incoming = [mid for mid, outgoing in references if not outgoing]
    in_reply_to = incoming[-1] if incoming else (references[-1][0] if references else "")
    reference_ids = [mid for mid, _outgoing in references]
    if len(reference_ids) > 20:
        reference_ids = [reference_ids[0], *reference_ids[-19:]]
    attachments = (
        list(Attachment.objects.filter(event=event, is_public=True).values_list("pk", flat=True))
        if kind == OutboundKind.REPLY
        else []
    )
    with translation.override(language), timezone.override(_time_zone(ticket)):
        context = {
            "ticket": ticket,
            "event": event,
            "number": ticket.number,
            "subject": _bare_subject(ticket.subject),
            "body": event.body,
            "body_html": text_to_html(event.body),
            "due": timezone.localtime(ticket.first_response_due_at)
            if ticket.first_response_due_at
            else None,
            "agent": event.actor_label or (event.actor.get_full_name() if event.actor else ""),
        }
        subject_line, body_text, body_html = _render_mail(kind, language, context)
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                ticket=ticket,
                kind=kind,
                event_id=event.pk,
                mailbox=mailbox,
                from_address=from_address,
                to=[to],
                subject=subject_line[:300],
                body_text=body_text,
                body_html=body_html,
                message_id=message_id,
                in_reply_to=in_reply_to,
                references=" ".join(f"<{r}>" for r in reference_ids),
                attachment_ids=attachments,
            )
            ThreadReference.objects.create(message_id=message_id, ticket=ticket, outgoing=True)
    except IntegrityError:
        return None  # already queued for this event
    return message


_SUBJECT_NOISE = re.compile(
    r"^\s*((re|aw|fw|fwd|回复|答复|转发)\s*[:：]\s*|【技术支持】\s*|TS\d{12}\s*)+", re.I
)


def _bare_subject(subject: str) -> str:
    """The ticket's subject without reply prefixes, our tag and number (they are re-added)."""
    return _SUBJECT_NOISE.sub("", subject).strip() or subject


def _opened_by_automatic_mail(ticket: Ticket) -> bool:
    return InboundMessage.objects.filter(ticket=ticket, is_auto_reply=True).exists()


_STEP = re.compile(r"^\s*(\d{1,2})\s*[.、)）]\s*(.+)$")


def text_to_html(text: str) -> SafeString:
    """An agent's plain text as HTML, with numbered steps kept as a numbered list (R-CH-2)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    steps: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(html.escape(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_steps() -> None:
        if steps:
            items = "".join(f"<li>{html.escape(step)}</li>" for step in steps)
            blocks.append(f"<ol>{items}</ol>")
            steps.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        match = _STEP.match(line)
        if match:
            flush_paragraph()
            steps.append(match.group(2).strip())
        elif not line.strip():
            flush_paragraph()
            flush_steps()
        else:
            flush_steps()
            paragraph.append(line)
    flush_paragraph()
    flush_steps()
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece is escaped above


# --- sending ------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


def deliver(pk: int) -> bool:
    """Sends one outbox row if this worker claims it; True when it was sent now."""
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=pk,
        state__in=[OutboundState.QUEUED, OutboundState.RETRYING],
        next_attempt_at__lte=now,
    ).update(state=OutboundState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboundMessage.objects.get(pk=pk)
    bounced = BouncedAddress.objects.filter(address__in=message.to, bounces__gte=3).exists()
    try:
        if bounced:
            raise RuntimeError("the address has bounced repeatedly")
        _send(message)
    except Exception as exc:  # any failure waits and is retried
        failed = bounced or message.attempts >= MAX_ATTEMPTS
        OutboundMessage.objects.filter(pk=pk, state=OutboundState.SENDING).update(
            state=OutboundState.FAILED if failed else OutboundState.RETRYING,
            next_attempt_at=timezone.now() + backoff(message.attempts),
            last_error=f"{exc.__class__.__name__}: {exc}"[:500],
        )
        return False
    OutboundMessage.objects.filter(pk=pk, state=OutboundState.SENDING).update(
        state=OutboundState.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _send(message: OutboundMessage) -> None:
    headers = {"Message-ID": f"<{message.message_id}>"}
    if message.in_reply_to:
        headers["In-Reply-To"] = f"<{message.in_reply_to}>"
    if message.references:
        headers["References"] = message.references
    if message.kind == OutboundKind.ACKNOWLEDGEMENT:
        # RFC 3834: other desks and vacation responders must not answer an acknowledgement.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    from_name = message.mailbox.name if message.mailbox is not None else ""
    from_header = f"{from_name} <{message.from_address}>" if from_name else message.from_address
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_header,
        to=list(message.to),
        headers=headers,
        connection=mailbox_smtp_connection(message.mailbox) or get_connection(fail_silently=False),
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    for attachment in Attachment.objects.filter(pk__in=message.attachment_ids):
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.filename, handle.read(), attachment.content_type)
    mail.send()


def due_outbound_ids(now: dt.datetime, limit: int = 200) -> list[int]:
    # A worker that died while sending leaves its claim; after a while the mail is retried.
    OutboundMessage.objects.filter(
        state=OutboundState.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(state=OutboundState.RETRYING, last_error="the sending worker stopped")
    return list(
        OutboundMessage.objects.filter(
            state__in=[OutboundState.QUEUED, OutboundState.RETRYING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
