"""Turns a received message into ticket actions: a new ticket, a reply, or a note of why not.

Every message is first stored raw (unique per mailbox and Message-ID, so the same message
delivered twice, fetched twice or retried is processed once), then parsed and threaded.
A message that cannot be handled is quarantined with its reasons, never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.core.binding import parameters_sent_apart
from supportdesk.core.errors import ActionError
from supportdesk.core.memo import lookups_shared
from supportdesk.core.queue import jobs_queued_together
from supportdesk.crm.models import Contact, Organization
from supportdesk.tickets import actions as ticket_actions
from supportdesk.tickets.attachments import check_uploads, clean_filename
from supportdesk.tickets.choices import Channel, EventKind, LinkKind, Status
from supportdesk.tickets.models import Attachment, Priority, Ticket

from ..choices import ClosedTicketPolicy, InboundState
from ..models import BouncedAddress, InboundMessage, Mailbox, ThreadReference
from .parse import ParsedAttachment, ParsedMail, parse_message, sanitize_html

log = logging.getLogger(__name__)

TICKET_NUMBER = re.compile(r"\b(TS\d{12})\b")
SYSTEM_LABEL = "mail intake"


@dataclass
class Outcome:
    message: InboundMessage
    created: bool


def message_key(raw: bytes, parsed: ParsedMail) -> str:
    if parsed.message_id:
        return parsed.message_id[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def receive(raw: bytes, mailbox: Mailbox) -> Outcome:
    """Stores and processes one message; safe to call again with the same message."""
    return receive_batch([raw], mailbox)[0]


BATCH_SIZE = 20


def receive_batch(raws: Sequence[bytes], mailbox: Mailbox) -> list[Outcome]:
    """Stores and processes several messages in one transaction; safe to call again.

    Each message is parsed first, outside the transaction. Then each one's row is written
    once, with its outcome, together with its ticket actions, in a savepoint of the batch's
    transaction: if its actions fail, the savepoint is undone and the message is stored
    quarantined instead, and the rest of the batch goes on. The batch commits once, the
    jobs its ticket events queue are written to the queue together, and configuration
    read for each ticket (SLA policy and calendar) is read once per batch. Nothing is
    acknowledged to the sender (IMAP, SMTP) before this returns, so a batch that cannot
    commit is fetched or delivered again, never lost.

    The unique (mailbox, message key) constraint keeps a message delivered twice at once
    (two processes) to one ticket: the second one's insert fails and its work is undone.

    Savepoints cost two statements per message (two round trips on PostgreSQL), and almost
    every batch needs none: so a batch is first filed without them, its message rows and
    thread references written together at the end. If anything in it fails, that whole
    attempt is rolled back (its announcements and queued jobs go with it, as they only
    happen after a commit) and the batch is filed again message by message as above.
    """
    parsed = [parse_message(raw) for raw in raws]
    keys = [message_key(raw, p) for raw, p in zip(raws, parsed, strict=True)]
    items = list(zip(raws, keys, parsed, strict=True))
    with jobs_queued_together(), lookups_shared():
        try:
            with transaction.atomic():
                batch = _Batch(mailbox, keys, parsed, together=True)
                outcomes = [batch.receive(raw, key, one) for raw, key, one in items]
                batch.write_held()
            return outcomes
        except Exception as exc:  # undone as a whole; each message's own fate is decided below
            log.info("mail batch filed again message by message after %r", exc)
        with transaction.atomic():
            batch = _Batch(mailbox, keys, parsed)
            return [batch.receive(raw, key, one) for raw, key, one in items]


class _Batch:
    """What the messages of one batch share: a read of what is stored, senders' counts."""

    def __init__(
        self, mailbox: Mailbox, keys: list[str], parsed: list[ParsedMail], *, together: bool = False
    ) -> None:
        self.mailbox = mailbox
        # Filing without savepoints: rows held back and written at once by ``write_held``.
        self.together = together
        self.held_messages: list[InboundMessage] = []
        self.held_references: list[ThreadReference] = []
        # Messages already stored (delivered again), and those of this batch as they land.
        self.stored: dict[str, InboundMessage] = {
            m.message_key: m
            for m in InboundMessage.objects.filter(
                mailbox=mailbox, message_key__in=set(keys)
            ).defer("raw")
        }
        self.senders = {p.from_address for p in parsed if p.from_address}
        self.recent = _recent_counts(self.senders)
        self._contacts: dict[str, Contact] | None = None
        self._priority: Priority | None = None

    def known_contact(self, address: str) -> Contact | None:
        """``known_contact`` for this batch's senders, read in one query."""
        if self._contacts is None:
            self._contacts = known_contacts(self.senders)
        return self._contacts.get(address.lower())

    def contact_created(self, contact: Contact) -> None:
        if self._contacts is not None:
            self._contacts.setdefault(contact.email.lower(), contact)

    def default_priority(self) -> Priority:
        if self._priority is None:
            self._priority = ticket_actions.default_priority()
        return self._priority

    def forget(self) -> None:
        """A message's changes were undone: what was read since may be gone with them."""
        self._contacts = None

    def write_held(self) -> None:
        """Writes the rows held back while filing without savepoints (two statements)."""
        if self.held_messages:
            with parameters_sent_apart():  # the raw mails: megabytes of bytes
                InboundMessage.objects.bulk_create(self.held_messages)
        self.write_held_references()

    def write_held_references(self) -> None:
        if self.held_references:
            ThreadReference.objects.bulk_create(self.held_references, ignore_conflicts=True)
            self.held_references = []

    def receive(self, raw: bytes, key: str, parsed: ParsedMail) -> Outcome:
        if key in self.stored:
            return Outcome(self.stored[key], created=False)
        message = _new_row(raw, self.mailbox, key, parsed)
        if self.together:
            # A failure here fails the whole attempt (see ``receive_batch``).
            _Ingestion(message, parsed, force=False, batch=self).run()
            message.processed_at = timezone.now()
            self.held_messages.append(message)
            return self._filed(message)
        try:
            with transaction.atomic():
                _Ingestion(message, parsed, force=False, batch=self).run()
                message.processed_at = timezone.now()
                with parameters_sent_apart():
                    message.save(force_insert=True)
        except IntegrityError as exc:
            existing = _stored(self.mailbox, key)
            if existing is not None:
                return self._landed(existing, created=False)
            failure: Exception = exc
        except Exception as exc:  # one bad message must never stop a mailbox
            failure = exc
        else:
            return self._filed(message)
        self.forget()
        log.error("mail %s from %s quarantined", key, parsed.from_address, exc_info=failure)
        quarantined = _new_row(raw, self.mailbox, key, parsed)
        quarantined.state = InboundState.QUARANTINED
        quarantined.problems = [*parsed.problems, f"{failure.__class__.__name__}: {failure}"[:500]]
        quarantined.processed_at = timezone.now()
        try:
            with transaction.atomic(), parameters_sent_apart():
                quarantined.save(force_insert=True)
        except IntegrityError:
            existing = _stored(self.mailbox, key)
            if existing is None:
                raise
            return self._landed(existing, created=False)
        return self._landed(quarantined, created=True)

    def _filed(self, message: InboundMessage) -> Outcome:
        """A new message went through: it counts towards its sender's flood limit."""
        if message.state == InboundState.INGESTED:
            self.recent[message.sender] = self.recent.get(message.sender, 0) + 1
        return self._landed(message, created=True)

    def _landed(self, message: InboundMessage, *, created: bool) -> Outcome:
        self.stored[message.message_key] = message
        return Outcome(message, created=created)


def _new_row(raw: bytes, mailbox: Mailbox, key: str, parsed: ParsedMail) -> InboundMessage:
    return InboundMessage(
        mailbox=mailbox,
        message_key=key,
        raw=raw,
        size=len(raw),
        sender=parsed.from_address[:254],
        subject=parsed.subject[:300],
        is_auto_reply=parsed.is_auto_reply,
        problems=list(parsed.problems),
    )


def _stored(mailbox: Mailbox, key: str) -> InboundMessage | None:
    return InboundMessage.objects.filter(mailbox=mailbox, message_key=key).first()


def process(
    message: InboundMessage, parsed: ParsedMail | None = None, *, force: bool = False
) -> InboundMessage:
    """Processes a stored message again (a retry or a release from the quarantine)."""
    if parsed is None:
        parsed = parse_message(bytes(message.raw))
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().defer("raw").get(pk=message.pk)
        if locked.state not in (InboundState.INGESTED, InboundState.IGNORED):
            _process_stored(locked, parsed, force=force)
    message.refresh_from_db()
    return message


PROCESSED_FIELDS = ["state", "problems", "ticket", "event_id", "html", "processed_at"]


def _process_stored(message: InboundMessage, parsed: ParsedMail, *, force: bool) -> None:
    """Runs the ticket actions for an already stored message, inside the caller's transaction.

    The actions run in a savepoint: if anything in them fails, their changes are undone,
    while the stored message stays and is quarantined with the reason.
    """
    try:
        with transaction.atomic():
            _Ingestion(message, parsed, force=force).run()
    except Exception as exc:  # one bad message must never stop a mailbox
        log.exception("mail %s quarantined", message.pk)
        message.state = InboundState.QUARANTINED
        message.problems = [*parsed.problems, f"{exc.__class__.__name__}: {exc}"[:500]]
        message.ticket = None
        message.event_id = None
        message.html = ""
    message.processed_at = timezone.now()
    # Not the raw bytes: they were written once and never change.
    message.save(update_fields=PROCESSED_FIELDS)


def release(message: InboundMessage) -> InboundMessage:
    """An admin looked at a quarantined message and wants it processed as it is."""
    if message.state != InboundState.QUARANTINED:
        return message
    InboundMessage.objects.filter(pk=message.pk).update(state=InboundState.NEW)
    message.refresh_from_db()
    parsed = parse_message(bytes(message.raw))
    # Released by a person: structural problems no longer hold it back.
    parsed.problems = []
    return process(message, parsed, force=True)


_CACHE_SECONDS = 60.0
_own_cache: tuple[float, frozenset[str]] | None = None


def own_addresses() -> set[str]:
    """Our mailboxes' addresses, read once a minute at most (asked for every message).

    Saving or deleting a mailbox clears this process's copy (``forget_cached``);
    other processes see the change within the minute.
    """
    global _own_cache
    now = time.monotonic()
    if _own_cache is None or now - _own_cache[0] > _CACHE_SECONDS:
        addresses = frozenset(a.lower() for a in Mailbox.objects.values_list("address", flat=True))
        _own_cache = (now, addresses)
    return {*_own_cache[1], settings.DEFAULT_FROM_EMAIL.lower()}


def forget_cached(**_: object) -> None:
    """Receiver of mailbox and organization changes: the next message reads them again."""
    global _own_cache, _domains_cache
    _own_cache = None
    _domains_cache = None


class _Ingestion:
    def __init__(
        self,
        message: InboundMessage,
        parsed: ParsedMail,
        *,
        force: bool,
        batch: _Batch | None = None,
    ) -> None:
        self.force = force
        self.batch = batch
        self.message = message
        self.mailbox = message.mailbox
        self.parsed = parsed
        self._quoted_ticket: Ticket | None = None

    # --- decisions ---------------------------------------------------------------------

    def run(self) -> None:
        parsed, message = self.parsed, self.message
        message.problems = list(parsed.problems)
        unreadable = any(p.startswith("parser error") for p in parsed.problems)
        if (unreadable or not parsed.from_address) and not self.force:
            message.state = InboundState.QUARANTINED
            return
        if parsed.from_address in own_addresses():
            return self._ignore(_("Sent from one of our own addresses."))
        if parsed.is_bounce:
            return self._bounce()
        if parsed.from_address and self._flooding():
            return self._ignore(_("Too many messages from this sender; rate-limited."))
        ticket = self._thread()
        if parsed.is_auto_reply:
            if ticket is None:
                return self._ignore(_("Automatic reply that belongs to no ticket."))
            event = ticket_actions.do_record_event(
                ticket,
                kind=EventKind.EMAIL,
                actor=None,
                actor_label=self._label(),
                body=parsed.new_text[:5000],
                data={"auto_reply": True, "subject": parsed.subject[:200]},
            )
            return self._done(ticket, event.pk)
        if ticket is not None and ticket.status in (Status.CLOSED, Status.ARCHIVED):
            if self.mailbox.closed_ticket_policy == ClosedTicketPolicy.REOPEN:
                ticket = ticket_actions.do_transition(
                    ticket,
                    actor=None,
                    actor_label=self._label(),
                    to=Status.REOPENED,
                    reason=_("The customer wrote again by mail."),
                )
            else:
                return self._new_ticket(linked_to=ticket)
        if ticket is None:
            return self._new_ticket(linked_to=self._quoted_ticket)
        return self._reply(ticket)

    def _flooding(self) -> bool:
        sender = self.parsed.from_address
        if self.batch is not None:
            recent = self.batch.recent.get(sender, 0)
        else:
            recent = _recent_counts({sender}).get(sender, 0)
        return recent >= _rate_limit()[1]

    def _thread(self) -> Ticket | None:
        """The ticket this mail continues, if the sender may write into it."""
        match = TICKET_NUMBER.search(self.parsed.subject)
        if match:
            ticket = Ticket.objects.filter(number=match.group(1)).first()
            if ticket is not None:
                ticket = _follow_merges(ticket)
                if self._may_write_into(ticket):
                    return ticket
                # A stranger quoting a number gets a ticket of their own, linked to it.
                self._quoted_ticket = ticket
        ids = self.parsed.thread_ids
        if ids:
            reference = (
                ThreadReference.objects.filter(message_id__in=ids, outgoing=True)
                .select_related("ticket")
                .order_by("-created_at")
                .first()
            )
            if reference is not None:
                return _follow_merges(reference.ticket)
        return None

    def _may_write_into(self, ticket: Ticket) -> bool:
        sender = self.parsed.from_address
        if ticket.contact_id and ticket.contact and ticket.contact.email.lower() == sender:
            return True
        organization = ticket.organization
        if organization is not None and _domain(sender) in _domains(organization):
            return True
        if (
            ticket.organization_id
            and Contact.objects.filter(
                organization_id=ticket.organization_id, email__iexact=sender
            ).exists()
        ):
            return True
        return InboundMessage.objects.filter(
            ticket=ticket, sender=sender, state=InboundState.INGESTED
        ).exists()

    # --- outcomes ----------------------------------------------------------------------

    def _ignore(self, reason: str) -> None:
        self.message.state = InboundState.IGNORED
        self.message.problems = [*self.message.problems, reason]

    def _bounce(self) -> None:
        parsed = self.parsed
        now = timezone.now()
        if self.batch is not None:
            self.batch.write_held_references()  # looked up below
        for address in parsed.bounced_recipients:
            _count_bounce(address[:254], now, parsed.subject[:300])
        reference = (
            ThreadReference.objects.filter(message_id__in=parsed.bounced_message_ids)
            .select_related("ticket")
            .first()
        )
        if reference is None:
            return self._ignore(_("Delivery failure for a message that belongs to no ticket."))
        event = ticket_actions.do_record_event(
            reference.ticket,
            kind=EventKind.EMAIL,
            actor=None,
            actor_label=self._label(),
            body=_("Mail could not be delivered to %(addresses)s.")
            % {"addresses": ", ".join(parsed.bounced_recipients) or parsed.from_address},
            data={"bounce": True, "recipients": parsed.bounced_recipients},
        )
        self._done(reference.ticket, event.pk)

    def _new_ticket(self, linked_to: Ticket | None) -> None:
        parsed, batch = self.parsed, self.batch
        if batch is not None:
            known = batch.known_contact(parsed.from_address)
        else:
            known = known_contact(parsed.from_address)
        organization = (
            known.organization if known is not None else organization_by_domain(parsed.from_address)
        )
        contact = known or contact_for(parsed.from_address, parsed.from_name, organization)
        if batch is not None and contact is not None and known is None:
            batch.contact_created(contact)
        priority = self.mailbox.default_priority
        if priority is None and batch is not None:
            priority = batch.default_priority()
        actor = _customer_user(contact)
        files, refused = _uploads(parsed.attachments)
        description = parsed.new_text.strip() or parsed.text.strip() or _("(The mail has no text.)")
        draft = ticket_actions.NewTicket(
            subject=parsed.subject.strip()[:200] or _("(no subject)"),
            description=description,
            channel=Channel.EMAIL,
            source=self.mailbox.address,
            organization=organization,
            contact=contact,
            priority=priority,
            team=self.mailbox.team,
            attachments=files,
        )
        ticket, created = ticket_actions.do_file_ticket(
            draft, actor=actor, actor_label=self._label()
        )
        event_id = created.pk
        if linked_to is not None and linked_to.pk != ticket.pk:
            ticket_actions.do_link_tickets(
                ticket, linked_to, actor=None, actor_label=SYSTEM_LABEL, kind=LinkKind.RELATED
            )
        self._note_refused(ticket, refused)
        self._done(ticket, event_id)

    def _reply(self, ticket: Ticket) -> None:
        parsed = self.parsed
        contact = (
            Contact.objects.filter(
                organization_id=ticket.organization_id, email__iexact=parsed.from_address
            )
            .select_related("user")
            .first()
            if ticket.organization_id
            else None
        )
        actor = _customer_user(contact)
        if actor is not None and ticket.organization_id != actor.organization_id:
            actor = None
        files, refused = _uploads(parsed.attachments)
        body = parsed.new_text.strip() or parsed.text.strip()
        if not body and not files:
            body = _("(The mail has no text.)")
        try:
            event = ticket_actions.do_add_reply(
                ticket, actor=actor, actor_label=self._label(), body=body, attachments=files
            )
        except PermissionDenied:
            event = ticket_actions.do_add_reply(
                ticket, actor=None, actor_label=self._label(), body=body, attachments=files
            )
        self._note_refused(ticket, refused)
        self._done(ticket, event.pk)

    def _note_refused(self, ticket: Ticket, refused: list[str]) -> None:
        if not refused:
            return
        self.message.problems = [*self.message.problems, *refused]
        ticket_actions.do_record_event(
            ticket,
            kind=EventKind.EMAIL,
            actor=None,
            actor_label=SYSTEM_LABEL,
            body=_("Attachments of the mail that were not accepted:") + "\n" + "\n".join(refused),
            data={"refused_attachments": refused},
        )

    def _done(self, ticket: Ticket, event_id: int | None) -> None:
        message = self.message
        message.state = InboundState.INGESTED
        message.ticket = ticket
        message.event_id = event_id
        if self.parsed.message_id:
            reference = ThreadReference(message_id=self.parsed.message_id[:255], ticket=ticket)
            if self.batch is not None and self.batch.together:
                # Only outgoing references thread mail, so the batch's can wait for its end.
                self.batch.held_references.append(reference)
            else:
                # One statement, no savepoint: the reference may already be there (a reply).
                ThreadReference.objects.bulk_create([reference], ignore_conflicts=True)
        if self.parsed.html and event_id is not None:
            message.html = _html_with_inline_images(self.parsed, event_id)

    def _label(self) -> str:
        name = self.parsed.from_name.strip()
        address = self.parsed.from_address
        return (f"{name} <{address}>" if name else address or _("unknown sender"))[:200]


def _rate_limit() -> tuple[dt.timedelta, int]:
    window = dt.timedelta(minutes=getattr(settings, "INTAKE_RATE_LIMIT_MINUTES", 10))
    return window, getattr(settings, "INTAKE_RATE_LIMIT_MESSAGES", 20)


def _recent_counts(senders: set[str]) -> dict[str, int]:
    """How many of each sender's messages became tickets or replies lately (up to the limit).

    Counting stops at the limit: a flood does not make each of its messages dearer.
    """
    window, limit = _rate_limit()
    since = timezone.now() - window
    counts: dict[str, int] = {}
    recent = InboundMessage.objects.filter(received_at__gte=since, state=InboundState.INGESTED)
    if len(senders) == 1:
        (sender,) = senders
        counts[sender] = recent.filter(sender=sender)[:limit].count()
    elif senders:
        rows = recent.filter(sender__in=senders).values("sender").annotate(n=Count("pk"))
        counts = {row["sender"]: min(row["n"], limit) for row in rows}
    return counts


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = 0
    while ticket.merged_into_id and seen < 10:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        seen += 1
    return ticket


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _domains(organization: Organization) -> set[str]:
    return _domains_of(organization.email_domains)


def _domains_of(email_domains: str) -> set[str]:
    return {d.strip().lower().lstrip("@") for d in email_domains.split(",") if d.strip()}


def known_contact(address: str) -> Contact | None:
    """The contact with this address (any case), through the index on its lower-cased email."""
    if not address:
        return None
    return known_contacts({address}).get(address.lower())


def known_contacts(addresses: set[str]) -> dict[str, Contact]:
    """``known_contact`` of several addresses in one query, by lower-cased address."""
    wanted = {a.lower() for a in addresses if a}
    if not wanted:
        return {}
    rows = (
        Contact.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted)
        .select_related("organization", "user")
        .order_by("pk")
    )
    found: dict[str, Contact] = {}
    for contact in rows:
        # Keyed by the database's lower-casing, which is what matched the address.
        found.setdefault(contact.email_lower, contact)
    return found


def organization_by_domain(address: str) -> Organization | None:
    domain = _domain(address)
    pk = _organization_domains().get(domain) if domain else None
    return Organization.objects.filter(pk=pk).first() if pk is not None else None


_domains_cache: tuple[float, dict[str, int]] | None = None


def _organization_domains() -> dict[str, int]:
    """Mail domain -> organization, read once a minute at most (most senders match none).

    Saving or deleting an organization clears this process's copy (``forget_cached``);
    other processes see the change within the minute.
    """
    global _domains_cache
    now = time.monotonic()
    if _domains_cache is None or now - _domains_cache[0] > _CACHE_SECONDS:
        table: dict[str, int] = {}
        rows = Organization.objects.exclude(email_domains="").order_by("pk")
        for pk, domains in rows.values_list("pk", "email_domains"):
            for domain in _domains_of(domains):
                table.setdefault(domain, pk)
        _domains_cache = (now, table)
    return _domains_cache[1]


def contact_for(address: str, name: str, organization: Organization | None) -> Contact | None:
    """The sender's contact, created for a known organization's domain."""
    if organization is None:
        return None
    contact = Contact.objects.filter(organization=organization, email__iexact=address).first()
    if contact is None:
        contact = Contact.objects.create(
            organization=organization, name=(name or address.partition("@")[0])[:100], email=address
        )
    return contact


def _customer_user(contact: Contact | None) -> User | None:
    if contact is None or contact.user_id is None:
        return None
    user = contact.user
    if user is None or not user.is_active or not user.is_customer:
        return None
    return user


def _uploads(attachments: list[ParsedAttachment]) -> tuple[list[SimpleUploadedFile], list[str]]:
    """Files the ticket accepts, and the reasons for each one it does not."""
    accepted: list[SimpleUploadedFile] = []
    refused: list[str] = []
    for attachment in attachments:
        upload = SimpleUploadedFile(
            attachment.filename, attachment.content, content_type=attachment.content_type
        )
        try:
            check_uploads([upload])
        except ActionError as exc:
            refused.extend(str(m) for messages in exc.message_dict.values() for m in messages)
            continue
        upload.seek(0)
        accepted.append(upload)
    return accepted, refused


def _count_bounce(address: str, at: dt.datetime, reason: str) -> None:
    # Most bounces are of addresses that bounced before: one UPDATE for them, where reading
    # the row first took two statements (and a savepoint more for a new address).
    bounced = BouncedAddress.objects.filter(address=address)
    changes = {"last_bounced_at": at, "last_reason": reason}
    if bounced.update(bounces=F("bounces") + 1, **changes):
        return
    _row, created = BouncedAddress.objects.get_or_create(
        address=address, defaults={"bounces": 1, **changes}
    )
    if not created:  # stored by another process in between
        bounced.update(bounces=F("bounces") + 1, **changes)


def _html_with_inline_images(parsed: ParsedMail, event_id: int) -> str:
    if not any(a.content_id for a in parsed.attachments):
        return parsed.html  # already sanitized by the parser; no cid: images to point
    stored = dict(Attachment.objects.filter(event_id=event_id).values_list("filename", "pk"))
    cid_urls: dict[str, str] = {}
    for attachment in parsed.attachments:
        pk = stored.get(clean_filename(attachment.filename))
        if attachment.content_id and pk is not None:
            cid_urls[attachment.content_id] = reverse("tickets:attachment_download", args=[pk])
    return sanitize_html(parsed.html, cid_urls)
