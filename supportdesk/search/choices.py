from django.db import models
from django.utils.translation import gettext_lazy as _


class DocKind(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    ARTICLE = "article", _("Article")
    ORGANIZATION = "organization", _("Organization")
    CONTACT = "contact", _("Contact")
