"""TLS and connections to a mailbox's own servers (IMAP in, SMTP out).

Certificates are verified against the system's CAs, or only against the CA file named on the
mailbox; verification is off only when an administrator explicitly turned it off.
"""

from __future__ import annotations

import ssl
from functools import cached_property

from django.core.mail.backends.smtp import EmailBackend

from ..choices import SmtpSecurity
from ..models import Mailbox


def tls_context(mailbox: Mailbox) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=mailbox.tls_ca_file.strip() or None)
    if not mailbox.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class MailboxSMTPBackend(EmailBackend):
    """Django's SMTP backend, with the mailbox's TLS trust instead of the system default."""

    def __init__(self, mailbox: Mailbox, **kwargs: object) -> None:
        self.mailbox = mailbox
        super().__init__(**kwargs)  # type: ignore[arg-type]

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        return tls_context(self.mailbox)


def mailbox_smtp_connection(mailbox: Mailbox | None) -> MailboxSMTPBackend | None:
    """The mailbox's own SMTP server, or None to use the desk's default mail settings."""
    if mailbox is None or not mailbox.smtp_host.strip():
        return None
    return MailboxSMTPBackend(
        mailbox,
        host=mailbox.smtp_host.strip(),
        port=mailbox.smtp_port,
        username=mailbox.smtp_username,
        password=mailbox.smtp_password if mailbox.smtp_username else "",
        use_tls=mailbox.smtp_security == SmtpSecurity.STARTTLS,
        use_ssl=mailbox.smtp_security == SmtpSecurity.SSL,
        timeout=60,
        fail_silently=False,
    )
