from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerTier(models.TextChoices):
    """Service tier of an organization (R-SL-4: VIP and key accounts get expedited service)."""

    STANDARD = "standard", _("Standard")
    KEY = "key", _("Key account")
    VIP = "vip", _("VIP")
