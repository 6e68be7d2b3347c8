from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundState(models.TextChoices):
    NEW = "new", _("New")
    INGESTED = "ingested", _("Ingested")
    QUARANTINED = "quarantined", _("Quarantined")
    IGNORED = "ignored", _("Ignored")


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


OUTBOUND_STATE_COLORS = {
    OutboundState.QUEUED: "gray",
    OutboundState.SENDING: "blue",
    OutboundState.RETRYING: "orange",
    OutboundState.SENT: "green",
    OutboundState.FAILED: "red",
}


class OutboundKind(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement")
    REPLY = "reply", _("Reply")


class ImapSecurity(models.TextChoices):
    SSL = "ssl", _("IMAPS (TLS)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (local test servers only)")


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS")
    SSL = "ssl", _("SMTPS (TLS)")
    NONE = "none", _("None (local test servers only)")


class ClosedTicketPolicy(models.TextChoices):
    REOPEN = "reopen", _("Reopen the ticket")
    FOLLOW_UP = "follow_up", _("Open a linked follow-up ticket")


class MailLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")
