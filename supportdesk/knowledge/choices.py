from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleCategory(models.TextChoices):
    """The guides' four kinds of problem (R-KB-1)."""

    CONFIGURATION = "configuration", _("Configuration")
    FEATURE = "feature", _("Feature")
    ENVIRONMENT = "environment", _("Environment")
    DATA = "data", _("Data")


class ArticleStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CannedKind(models.TextChoices):
    """Standard phrasing the guides prescribe (R-IN-3, R-KB-6)."""

    GREETING_PHONE = "greeting_phone", _("Greeting (phone)")
    GREETING_CHAT = "greeting_chat", _("Greeting (chat)")
    IDENTITY_PHONE = "identity_phone", _("Identity confirmation (phone)")
    IDENTITY_CHAT = "identity_chat", _("Identity confirmation (chat)")
    EXPLANATION = "explanation", _("Plain-language explanation")
    TEMPLATE = "template", _("Reply template")
    CLOSING = "closing", _("Closing")
