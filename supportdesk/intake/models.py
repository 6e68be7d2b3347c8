"""Mailboxes, the mail that came in, the mail that goes out, and how they thread."""

from __future__ import annotations

import os

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    ClosedTicketPolicy,
    ImapSecurity,
    InboundState,
    MailLanguage,
    OutboundKind,
    OutboundState,
    SmtpSecurity,
)
from .credentials import decrypt, encrypt


class Mailbox(models.Model):
    """A support address: where its mail comes from and where its tickets go."""

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(_("address"), unique=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_priority = models.ForeignKey(
        "tickets.Priority",
        verbose_name=_("default priority"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("language of outgoing mail"),
        max_length=10,
        choices=MailLanguage.choices,
        default=MailLanguage.ZH_HANS,
    )
    closed_ticket_policy = models.CharField(
        _("mail to a closed ticket"),
        max_length=20,
        choices=ClosedTicketPolicy.choices,
        default=ClosedTicketPolicy.FOLLOW_UP,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default sender"),
        default=False,
        help_text=_("Used for mail about tickets that did not come in through a mailbox."),
    )
    imap_host = models.CharField(_("IMAP host"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.SSL
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=200, blank=True)
    imap_password_env = models.CharField(
        _("environment variable holding the IMAP password"),
        max_length=100,
        blank=True,
        help_text=_("If set, the password is read from this variable instead of the database."),
    )
    # Fernet token (credentials.py); never shown back to anyone.
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(_("folder to fetch"), max_length=200, default="INBOX")
    imap_processed_folder = models.CharField(
        _("folder for processed mail"), max_length=200, blank=True
    )

    smtp_host = models.CharField(
        _("SMTP host"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to send through the server's default mail settings."),
    )
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"),
        max_length=10,
        choices=SmtpSecurity.choices,
        default=SmtpSecurity.STARTTLS,
    )
    smtp_username = models.CharField(_("SMTP user name"), max_length=200, blank=True)
    smtp_password_env = models.CharField(
        _("environment variable holding the SMTP password"),
        max_length=100,
        blank=True,
        help_text=_("If set, the password is read from this variable instead of the database."),
    )
    smtp_password_encrypted = models.TextField(blank=True, editable=False)
    tls_ca_file = models.CharField(
        _("CA certificates to trust (PEM file)"),
        max_length=500,
        blank=True,
        help_text=_("For servers with a certificate from a private CA. Empty: the system's CAs."),
    )
    tls_verify = models.BooleanField(
        _("verify the servers' certificates"),
        default=True,
        help_text=_("Turn off only for a test server: without it anyone on the way can listen."),
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_checked_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def save(self, *args: object, **kwargs: object) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    # The password comes from the environment variable named on the mailbox if there is
    # one, else from the encrypted copy; reading it raises CredentialError if that copy
    # cannot be decrypted.

    @property
    def imap_password(self) -> str:
        return _password(self.imap_password_env, self.imap_password_encrypted)

    @property
    def smtp_password(self) -> str:
        return _password(self.smtp_password_env, self.smtp_password_encrypted)

    def set_imap_password(self, password: str) -> None:
        self.imap_password_encrypted = encrypt(password) if password else ""

    def set_smtp_password(self, password: str) -> None:
        self.smtp_password_encrypted = encrypt(password) if password else ""


def _password(env_name: str, encrypted: str) -> str:
    if env_name:
        return os.environ.get(env_name, "")
    return decrypt(encrypted) if encrypted else ""


class InboundMessage(models.Model):
    """One received message, kept raw so nothing is ever lost."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="inbound"
    )
    # The Message-ID, or a digest of the raw bytes for mail that has none.
    message_key = models.CharField(_("message id"), max_length=255)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size"), default=0)
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html = models.TextField(_("sanitized HTML"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=InboundState.choices, default=InboundState.NEW
    )
    problems = models.JSONField(_("problems"), default=list, blank=True)
    is_auto_reply = models.BooleanField(_("automatic reply"), default=False)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event_id = models.PositiveBigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_key"], name="intake_inbound_unique_per_mailbox"
            )
        ]
        indexes = [
            models.Index(fields=["state", "received_at"], name="intake_inbound_state"),
            # The flood check counts a sender's recent mail for every message.
            models.Index(fields=["sender", "received_at"], name="intake_inbound_sender_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class ThreadReference(models.Model):
    """A Message-ID we sent or received for a ticket, so replies find their thread."""

    message_id = models.CharField(max_length=255, db_index=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    outgoing = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "ticket"], name="intake_thread_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return self.message_id


class BouncedAddress(models.Model):
    """An address mail could not be delivered to; agents see it flagged."""

    address = models.EmailField(_("address"), unique=True)
    bounces = models.PositiveIntegerField(_("bounces"), default=0)
    last_reason = models.CharField(_("last reason"), max_length=300, blank=True)
    last_bounced_at = models.DateTimeField(_("last bounce"), default=timezone.now)

    class Meta:
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")

    def __str__(self) -> str:
        return self.address


class OutboundMessage(models.Model):
    """A mail in the outbox: written once, sent by a worker exactly once."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="outbound_mail"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OutboundKind.choices)
    # The ticket event this mail tells about; with ``kind`` it makes enqueueing idempotent.
    event_id = models.PositiveBigIntegerField()
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, related_name="+")
    from_address = models.CharField(max_length=300)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    attachment_ids = models.JSONField(default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboundState.choices, default=OutboundState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "kind"], name="intake_outbound_once")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="intake_outbound_due"),
        ]

    def __str__(self) -> str:
        return self.subject


class MailTemplate(models.Model):
    """An administrator's wording of a mail the desk sends, for one language.

    Where there is none, the shipped template files are used.
    """

    language = models.CharField(_("language"), max_length=10, choices=MailLanguage.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=OutboundKind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    body_html = models.TextField(
        _("HTML"),
        blank=True,
        help_text=_("Optional. Empty: the HTML part is made from the text."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["language", "kind"], name="intake_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_language_display()})"

    def clean(self) -> None:
        from .email.templates import validate_template

        validate_template(self)
