from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from supportdesk.accounts.choices import Role
from supportdesk.playbooks.choices import Reproduced, StepResult
from supportdesk.playbooks.models import Playbook
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Attachment, Ticket


@dataclass
class StepRow:
    index: int
    text: str
    result: str = ""
    result_label: str = ""
    note: str = ""
    by: str = ""
    at: Any = None


@dataclass
class PlaybookRun:
    playbook: Playbook
    steps: list[StepRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.result)


def playbook_runs(ticket: Ticket) -> list[PlaybookRun]:
    """Every active playbook with the latest recorded result of each step on this ticket."""
    labels = dict(StepResult.choices)
    latest: dict[tuple[int, int], Any] = {}
    events = (
        ticket.events.filter(kind=EventKind.CHECKLIST, data__has_key="playbook")
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for event in events:
        latest[(event.data.get("playbook"), event.data.get("step"))] = event
    runs = []
    for playbook in Playbook.objects.filter(active=True):
        run = PlaybookRun(playbook)
        for i, text in enumerate(playbook.step_list()):
            row = StepRow(i, text)
            recorded = latest.get((playbook.pk, i))
            if recorded is not None:
                row.result = recorded.data.get("result", "")
                row.result_label = str(labels.get(row.result, row.result))
                row.note = recorded.data.get("note", "")
                row.by = str(recorded.actor or recorded.actor_label)
                row.at = recorded.created_at
            run.steps.append(row)
        runs.append(run)
    return runs


@dataclass
class DataRequestRow:
    name: str
    items: list[str]
    asked_at: Any
    by: str
    arrived: list[Attachment]


def data_requests(ticket: Ticket) -> list[DataRequestRow]:
    """Each data request on the ticket with the files the customer sent since (R-DX-3)."""
    events = list(
        ticket.events.filter(kind=EventKind.DATA_REQUEST)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    if not events:
        return []
    files = list(
        Attachment.objects.filter(
            ticket=ticket,
            uploaded_by__role=Role.CUSTOMER,
            created_at__gte=events[0].created_at,
        ).order_by("created_at", "id")
    )
    rows = []
    for i, event in enumerate(events):
        until = events[i + 1].created_at if i + 1 < len(events) else None
        arrived = [
            f
            for f in files
            if f.created_at >= event.created_at and (until is None or f.created_at < until)
        ]
        rows.append(
            DataRequestRow(
                name=event.data.get("name", ""),
                items=event.data.get("items", []),
                asked_at=event.created_at,
                by=str(event.actor or event.actor_label),
                arrived=arrived,
            )
        )
    return rows


@dataclass
class ReproductionRow:
    reproduced: str
    label: str
    environment: str
    steps: str
    expected: str
    actual: str
    by: str
    at: Any
    files: list[Attachment]


def reproductions(ticket: Ticket) -> list[ReproductionRow]:
    """The ticket's reproduction records (R-DX-4), newest first, with their files."""
    labels = dict(Reproduced.choices)
    events = list(
        ticket.events.filter(kind=EventKind.REPRODUCTION)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    ids = [pk for e in events for pk in e.data.get("attachments", [])]
    files = Attachment.objects.in_bulk(ids) if ids else {}
    return [
        ReproductionRow(
            reproduced=e.data.get("reproduced", ""),
            label=str(labels.get(e.data.get("reproduced", ""), "")),
            environment=e.data.get("environment", ""),
            steps=e.data.get("steps", ""),
            expected=e.data.get("expected", ""),
            actual=e.data.get("actual", ""),
            by=str(e.actor or e.actor_label),
            at=e.created_at,
            files=[files[pk] for pk in e.data.get("attachments", []) if pk in files],
        )
        for e in events
    ]
