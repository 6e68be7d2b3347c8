from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do. Staff roles are ordered by tier (R-ES-1)."""

    CUSTOMER = "customer", _("Customer")
    L1 = "l1", _("L1 engineer")
    L2 = "l2", _("L2 engineer")
    LEAD = "lead", _("Team lead")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.L1, Role.L2, Role.LEAD, Role.MANAGER, Role.ADMIN})
# Roles that may see every ticket, not only their teams' and their own.
ALL_TICKETS_ROLES = frozenset({Role.L1, Role.L2, Role.LEAD, Role.MANAGER, Role.ADMIN})


class TeamKind(models.TextChoices):
    """Tiers and departments a ticket can be handed to (R-ES-1)."""

    L1 = "l1", _("L1 support")
    L2 = "l2", _("L2 support")
    RND = "rnd", _("R&D")
    OPS = "ops", _("Operations")
    VENDOR = "vendor", _("Hardware vendor")
    OTHER = "other", _("Other")
