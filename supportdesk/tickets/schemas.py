"""API schemas for tickets: strict inputs (unknown fields refused), explicit outputs.

Inputs name related rows the way a client knows them: priority and category by code,
organization, contact, installed product, team and assignee by id, tickets by number.
Choice fields take the values of ``tickets.choices``; outputs add the translated label.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from supportdesk.tickets import permissions
from supportdesk.tickets.choices import (
    CallDirection,
    Channel,
    Classification,
    CloseReason,
    Frequency,
    LinkKind,
    Reproducibility,
    ResolutionResult,
    Status,
    TicketType,
)
from supportdesk.tickets.workflow import allowed_transitions


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


# --- references ---------------------------------------------------------------------------


class PriorityRef(Schema):
    code: str
    name: str
    rank: int
    color: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.label)


class CategoryRef(Schema):
    code: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.label)


class OrganizationRef(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class TeamRef(Schema):
    id: int
    name: str
    kind: str


class ContactRef(Schema):
    id: int
    name: str


class InstalledProductRef(Schema):
    id: int
    product: str
    version: str
    model: str

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return obj.product.name

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return obj.version.version if obj.version_id else ""


# --- tickets ------------------------------------------------------------------------------


class TicketSummaryOut(Schema):
    """A queue row: what a list shows, from the columns the queue query already joined."""

    number: str
    subject: str
    type: TicketType
    status: Status
    status_label: str
    phase: str
    is_open: bool
    priority: PriorityRef
    category: CategoryRef | None
    channel: Channel
    organization: OrganizationRef | None
    team: TeamRef | None
    assignee: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_due_at: dt.datetime | None
    version: int
    url: str

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        # What ``get_status_display`` gives, without rebuilding the choices on every row.
        return str(_STATUS_LABELS.get(obj.status, obj.status))

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _ticket_url(get_script_prefix()).replace(_NUMBER, quote(obj.number, safe=""))


_STATUS_LABELS = dict(Status.choices)
_NUMBER = "TICKET-NUMBER"


@functools.lru_cache(maxsize=16)
def _ticket_url(script_prefix: str) -> str:
    """The ticket's API address with a stand-in number, reversed once per script prefix."""
    return reverse("api:v1:ticket_read", kwargs={"number": _NUMBER})


class TicketOut(TicketSummaryOut):
    """The whole record (R-TK-2) plus the moves the caller may make now."""

    description: str
    source: str
    classification: str
    contact: ContactRef | None
    installed_product: InstalledProductRef | None
    occurred_at: dt.datetime | None
    frequency: str
    reproducibility: str
    env_os: str
    env_software_version: str
    env_browser: str
    env_network: str
    env_hardware: str
    steps_tried: str
    root_cause: str
    solution: str
    result: str
    close_reason: str
    merged_into: str | None
    created_by: UserRef | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    archived_at: dt.datetime | None
    allowed_transitions: list[Status] = Field(
        default_factory=list, description="Statuses the caller may move this ticket to now."
    )

    @staticmethod
    def resolve_merged_into(obj: Any) -> str | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_allowed_transitions(obj: Any, context: Any) -> list[str]:
        user = getattr((context or {}).get("request"), "auth", None)
        if user is None:
            return []
        allowed = allowed_transitions(obj.status)
        # In lifecycle order, so clients can show them as they are.
        return [
            target
            for target in Status
            if target in allowed and permissions.can_transition(user, obj, target)
        ]


class CallSummaryIn(StrictIn):
    summary: str = ""
    phone_number: str = Field("", max_length=50)
    duration_seconds: int | None = Field(None, ge=0)


class TicketIn(StrictIn):
    """A new ticket. Customers always file for their own organization."""

    subject: str = Field(..., max_length=200)
    description: str
    type: TicketType = TicketType.FAULT
    category: str | None = Field(None, description="Category code, e.g. `function`.")
    priority: str | None = Field(None, description="Priority code, e.g. `P1`; default if absent.")
    channel: Channel = Channel.API
    source: str = Field("", max_length=100)
    organization: int | None = Field(None, description="Agents only; customers file for their own.")
    contact: int | None = None
    installed_product: int | None = None
    occurred_at: dt.datetime | None = None
    frequency: Frequency | None = None
    reproducibility: Reproducibility | None = None
    env_os: str = Field("", max_length=100)
    env_software_version: str = Field("", max_length=100)
    env_browser: str = Field("", max_length=100)
    env_network: str = Field("", max_length=200)
    env_hardware: str = Field("", max_length=200)
    steps_tried: str = ""
    call: CallSummaryIn | None = Field(
        None, description="Agents taking a call: files it as a phone ticket with the call logged."
    )


class TicketPatch(StrictIn):
    """Fields to change (only those sent). ``expected_version`` detects a concurrent edit."""

    expected_version: int | None = None
    reason: str = ""
    subject: str | None = Field(None, max_length=200)
    description: str | None = None
    type: TicketType | None = None
    category: str | None = None
    priority: str | None = None
    classification: Classification | None = None
    source: str | None = Field(None, max_length=100)
    organization: int | None = None
    contact: int | None = None
    installed_product: int | None = None
    occurred_at: dt.datetime | None = None
    frequency: Frequency | None = None
    reproducibility: Reproducibility | None = None
    env_os: str | None = Field(None, max_length=100)
    env_software_version: str | None = Field(None, max_length=100)
    env_browser: str | None = Field(None, max_length=100)
    env_network: str | None = Field(None, max_length=200)
    env_hardware: str | None = Field(None, max_length=200)
    steps_tried: str | None = None
    root_cause: str | None = None

    @field_validator("subject", "description", "type", "priority", mode="before")
    @classmethod
    def _required_if_sent(cls, value: Any) -> Any:
        # Optional to send, but a ticket can't be without them: null is not "clear" here.
        if value is None:
            raise PydanticCustomError("missing", "Field required")
        return value


class TransitionIn(StrictIn):
    to: Status
    solution: str = ""
    result: ResolutionResult | None = None
    close_reason: CloseReason | None = None
    reason: str = ""
    expected_version: int | None = None


class TransitionOption(Schema):
    to: Status
    label: str
    requires: list[str]


class AssignIn(StrictIn):
    team: int | None = None
    assignee: int | None = None
    note: str = ""
    expected_version: int | None = None


class ReplyIn(StrictIn):
    body: str


class NoteIn(StrictIn):
    body: str


class StepIn(StrictIn):
    action: str = Field(..., description="What was done (处理步骤).")
    result: str = ""
    is_public: bool = False


class CallIn(StrictIn):
    direction: CallDirection
    summary: str
    phone_number: str = Field("", max_length=50)
    duration_seconds: int | None = Field(None, ge=0)
    started_at: dt.datetime | None = None


class LinkIn(StrictIn):
    other: str = Field(..., description="Number of the ticket to link to.")
    kind: LinkKind


class LinkOut(Schema):
    kind: LinkKind
    direction: str = Field(..., description="`out`: this ticket → other; `in`: other → this.")
    number: str
    subject: str


class MergeIn(StrictIn):
    into: str = Field(..., description="Number of the ticket this one is merged into.")
    note: str = ""


# --- timeline and files -------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    is_public: bool
    created_at: dt.datetime
    url: str = Field(..., description="Download URL (served as an attachment, access-checked).")

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("tickets:attachment_download", args=[obj.pk])


class EventOut(Schema):
    id: int
    ticket: str = Field(..., description="Number of the ticket it happened on (merges).")
    kind: str
    kind_label: str
    actor: UserRef | None
    actor_label: str
    created_at: dt.datetime
    is_public: bool
    body: str
    data: dict[str, Any]
    files: list[AttachmentOut]

    @staticmethod
    def resolve_ticket(obj: Any) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        # ``selectors.timeline`` attaches ``files`` to each event in one query; an event
        # fresh from an action has none attached yet.
        files = getattr(obj, "files", None)
        return list(obj.attachments.all()) if files is None else files


class TicketPage(Schema):
    items: list[TicketSummaryOut]
    next_cursor: str | None


class PriorityOut(PriorityRef):
    description: str
    first_response_minutes: int
    resolution_minutes: int
    is_default: bool
