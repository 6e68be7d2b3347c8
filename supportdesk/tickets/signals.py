"""Signals other apps subscribe to instead of being called from here.

``ticket_event_recorded`` is sent after the transaction that wrote the event commits, once
per event, with ``ticket_id`` and ``event_id``: notifications, SLA clocks and the search
index listen to it, so a rolled-back change never notifies anyone.
"""

from django.dispatch import Signal

ticket_event_recorded = Signal()
