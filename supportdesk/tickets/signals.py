"""Signals other apps subscribe to instead of being called from here.

``ticket_event_recorded`` is sent after the transaction that wrote the event commits, once
per event, with ``ticket_id``, ``event_id`` and the event's ``kind``: notifications, SLA
clocks, mail and the search index listen to it, so a rolled-back change never notifies
anyone. ``kind`` lets each receiver skip what it does not care about without reading the row.

``response_promise`` is sent while a new ticket is being filed, inside its transaction, with
the unsaved ``ticket``: a receiver may answer with the moment the first response is due (the
SLA does, in working time), which the customer is shown at once and the acknowledgement
mail repeats. The ticket falls back on its priority's wall-clock target when nobody answers.
"""

from django.dispatch import Signal

ticket_event_recorded = Signal()
response_promise = Signal()
