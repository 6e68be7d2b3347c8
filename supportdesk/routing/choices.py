"""Choice classes of routing, escalation requests and collaboration threads."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingMethod(models.TextChoices):
    """How a team picks the engineer for a new ticket (R-TK-4)."""

    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOAD = "least_load", _("Least open tickets")
    SKILLS = "skills", _("Skills (product line, category)")
    QUEUE_ONLY = "queue_only", _("Team queue only (nobody picked)")


class EscalationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving team")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


ESCALATION_STATUS_COLORS = {
    EscalationStatus.PENDING: "orange",
    EscalationStatus.ACCEPTED: "green",
    EscalationStatus.RETURNED: "gray",
}


class ThreadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
