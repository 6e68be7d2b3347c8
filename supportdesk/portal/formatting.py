"""Words for numbers the customer reads: how soon we answer."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR


def duration(minutes: int) -> str:
    """A response target in the largest whole unit: "4 hours", "1 day", "90 minutes"."""
    if minutes and minutes % MINUTES_PER_DAY == 0:
        days = minutes // MINUTES_PER_DAY
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes and minutes % MINUTES_PER_HOUR == 0:
        hours = minutes // MINUTES_PER_HOUR
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def response_promise(minutes: int) -> str:
    """The promise made when a ticket is filed (R-IN-2)."""
    return _("We will respond within %(duration)s.") % {"duration": duration(minutes)}
