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
