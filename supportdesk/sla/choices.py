"""Choice classes of the service-level domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_UPDATE = "next_update", _("Next update")
    RESOLUTION = "resolution", _("Resolution")
    # Emergency procedure (R-SL-3): a progress report to management every 30 minutes.
    MANAGEMENT_REPORT = "mgmt_report", _("Report to management")
    # Emergency procedure (R-SL-3): contact the customer within 15 minutes of the declaration.
    CUSTOMER_CONTACT = "customer_contact", _("Contact the customer")


# Targets an SLA policy sets; the others belong to the emergency procedure.
POLICY_KINDS = frozenset({ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE, ClockKind.RESOLUTION})


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class ClockAction(models.TextChoices):
    """What happened to a clock; each is one ``EventKind.SLA`` timeline entry."""

    STARTED = "started", _("started")
    PAUSED = "paused", _("paused")
    RESUMED = "resumed", _("resumed")
    RETARGETED = "retargeted", _("re-targeted")
    WARNED = "warned", _("warning")
    BREACHED = "breached", _("breached")
    MET = "met", _("met")
    STOPPED = "stopped", _("stopped")
