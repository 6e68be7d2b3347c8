from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from supportdesk.sla.defaults import fill_contingency_steps, fill_shipped_sla
from supportdesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    ContingencyStep,
    SlaPolicy,
    WorkingSpan,
)
from supportdesk.tests_support import Cast
from supportdesk.tickets.models import Priority


class Desk:
    """Runs actions at a fixed moment with their after-commit reactions (the SLA receiver)."""

    def __init__(self, cast: Cast, capture: Callable[..., Any]) -> None:
        self.cast = cast
        self._capture = capture

    @contextlib.contextmanager
    def at(self, moment: dt.datetime) -> Iterator[None]:
        with time_machine.travel(moment, tick=False), self._capture(execute=True):
            yield


@pytest.fixture
def desk(cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]) -> Desk:
    # Transactional tests flush the migration's rows: put the shipped ones back.
    fill_shipped_sla(
        BusinessCalendar, WorkingSpan, CalendarDay, SlaPolicy, Priority, today=dt.date(2026, 1, 1)
    )
    fill_contingency_steps(ContingencyStep)
    return Desk(cast, django_capture_on_commit_callbacks)
