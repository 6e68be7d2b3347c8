"""Choice classes shared by models, forms, templates, API schemas and filters."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketType(models.TextChoices):
    FAULT = "fault", _("Fault")
    QUESTION = "question", _("Question")
    REQUEST = "request", _("Feature request")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """Where a request came from (R-IN-1)."""

    PORTAL = "portal", _("Web portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Online chat")
    IM = "im", _("Instant messaging")
    SOCIAL = "social", _("Social media")
    MONITORING = "monitoring", _("Monitoring alert")
    INTERNAL = "internal", _("Internal")
    API = "api", _("API")


class Phase(models.TextChoices):
    """The five phases of the guides' process (R-TK-5)."""

    RECEIPT = "receipt", _("Receipt")
    DIAGNOSIS = "diagnosis", _("Initial diagnosis")
    ANALYSIS = "analysis", _("In-depth analysis")
    IMPLEMENTATION = "implementation", _("Solution implementation")
    CLOSURE = "closure", _("Closure")


class Status(models.TextChoices):
    """Where a ticket stands. See ``tickets.workflow`` for the allowed moves."""

    RECEIVED = "received", _("Received")
    DIAGNOSING = "diagnosing", _("Diagnosing")
    ANALYZING = "analyzing", _("Analyzing")
    IMPLEMENTING = "implementing", _("Implementing solution")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved, awaiting verification")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    REOPENED = "reopened", _("Reopened")


# Statuses in which work is still owed to the customer.
OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.DIAGNOSING,
        Status.ANALYZING,
        Status.IMPLEMENTING,
        Status.WAITING_CUSTOMER,
        Status.RESOLVED,
        Status.REOPENED,
    }
)
# Statuses in which an engineer is actively working (the "in progress" phases).
WORKING_STATUSES = frozenset(
    {Status.DIAGNOSING, Status.ANALYZING, Status.IMPLEMENTING, Status.REOPENED}
)

STATUS_PHASE = {
    Status.RECEIVED: Phase.RECEIPT,
    Status.DIAGNOSING: Phase.DIAGNOSIS,
    Status.ANALYZING: Phase.ANALYSIS,
    Status.IMPLEMENTING: Phase.IMPLEMENTATION,
    Status.RESOLVED: Phase.CLOSURE,
    Status.CLOSED: Phase.CLOSURE,
    Status.ARCHIVED: Phase.CLOSURE,
    Status.REOPENED: Phase.DIAGNOSIS,
}

STATUS_COLORS = {
    Status.RECEIVED: "blue",
    Status.DIAGNOSING: "cyan",
    Status.ANALYZING: "indigo",
    Status.IMPLEMENTING: "purple",
    Status.WAITING_CUSTOMER: "orange",
    Status.RESOLVED: "green",
    Status.CLOSED: "gray",
    Status.ARCHIVED: "gray",
    Status.REOPENED: "red",
}


class Category(models.TextChoices):
    """Problem categories of the guides (R-TK-2, 003 二.二). Stored as data in ``Category``."""

    CONFIGURATION = "configuration", _("Configuration")
    FUNCTION = "function", _("Function")
    ENVIRONMENT = "environment", _("Environment")
    DATA = "data", _("Data")


class Frequency(models.TextChoices):
    ONCE = "once", _("Happened once")
    OCCASIONAL = "occasional", _("Occasionally")
    FREQUENT = "frequent", _("Frequently")
    CONTINUOUS = "continuous", _("All the time")


class Reproducibility(models.TextChoices):
    ALWAYS = "always", _("Always reproducible")
    INTERMITTENT = "intermittent", _("Intermittent")
    UNKNOWN = "unknown", _("Not known")


class Classification(models.TextChoices):
    """Who can solve it (R-TK-4); drives routing."""

    SELF_SOLVABLE = "self_solvable", _("L1 can solve")
    ASSISTED = "assisted", _("Needs L2 or another department")
    REQUIREMENT = "requirement", _("Feature request")


class ResolutionResult(models.TextChoices):
    SOLVED = "solved", _("Solved")
    WORKAROUND = "workaround", _("Workaround in place, root fix scheduled")
    REQUIREMENT_FILED = "requirement_filed", _("Filed as a requirement with R&D")
    NOT_REPRODUCIBLE = "not_reproducible", _("Could not be reproduced")


class CloseReason(models.TextChoices):
    CUSTOMER_CONFIRMED = "customer_confirmed", _("Customer confirmed the fix")
    CONFIRMED_BY_PHONE = "confirmed_by_phone", _("Customer confirmed by phone or chat")
    NO_RESPONSE = "no_response", _("No response from customer")
    DUPLICATE = "duplicate", _("Duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn by customer")
    MERGED = "merged", _("Merged into another ticket")
    OTHER = "other", _("Other")


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related to")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")
    CAUSED_BY = "caused_by", _("Caused by")


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound call")
    OUTBOUND = "outbound", _("Outbound call")


class EventKind(models.TextChoices):
    """Every kind of entry on a ticket's timeline (R-TK-3)."""

    CREATED = "created", _("Ticket created")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    CALL = "call", _("Phone call")
    STEP = "step", _("Handling step")
    FIELDS = "fields", _("Fields changed")
    STATUS = "status", _("Status changed")
    ASSIGN = "assign", _("Assignment")
    ATTACHMENT = "attachment", _("Attachment added")
    LINK = "link", _("Ticket linked")
    MERGE = "merge", _("Merge")
    VERIFICATION = "verification", _("Customer verification")
    # Written by other domains through ``actions.do_record_event``.
    SLA = "sla", _("Service level")
    ESCALATION = "escalation", _("Escalation")
    COLLABORATION = "collaboration", _("Collaboration")
    EMERGENCY = "emergency", _("Emergency procedure")
    EMAIL = "email", _("Email")
    NOTIFICATION = "notification", _("Notification")
    CHECKLIST = "checklist", _("Checklist")
    DATA_REQUEST = "data_request", _("Data request")
    KNOWLEDGE = "knowledge", _("Knowledge base")
    REPRODUCTION = "reproduction", _("Reproduction record")
    ROUTING = "routing", _("Routing")
