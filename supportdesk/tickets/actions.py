"""Every change to a ticket goes through a function in this module.

Each action: (1) locks the ticket row, (2) checks the rule it enforces, (3) changes the
projection fields, (4) appends a timeline event chained to the previous one, (5) bumps the
ticket's version, all in one transaction, and (6) after commit, queues the announcement of
each new event: the worker sends ``signals.ticket_event_recorded`` (``tasks.announce_event``).
The web UI, the API, intake channels, workers and commands all call these functions; nothing
else writes tickets or events.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Team, User
from supportdesk.core.errors import ActionError, ConflictError
from supportdesk.core.history import hold_until_step_ends, is_replaying_history
from supportdesk.core.prepared import PreparedInsert, PreparedRead, insert_together
from supportdesk.crm.models import Contact, InstalledProduct, Organization
from supportdesk.tickets import numbering, permissions
from supportdesk.tickets.attachments import CheckedUpload, check_uploads, sha256_of
from supportdesk.tickets.choices import (
    CallDirection,
    Channel,
    CloseReason,
    EventKind,
    LinkKind,
    ResolutionResult,
    Status,
    TicketType,
)
from supportdesk.tickets.models import (
    Attachment,
    Category,
    Priority,
    Ticket,
    TicketEvent,
    TicketLink,
)
from supportdesk.tickets.signals import (
    is_announced_in_process,
    response_promise,
    ticket_event_recorded,
)
from supportdesk.tickets.workflow import REQUIRED_INPUT, can_transition

logger = logging.getLogger(__name__)

# Fields an agent may set directly; status, owner and resolution have their own actions.
EDITABLE_FIELDS = (
    "subject",
    "description",
    "type",
    "category",
    "priority",
    "classification",
    "source",
    "organization",
    "contact",
    "installed_product",
    "occurred_at",
    "frequency",
    "reproducibility",
    "env_os",
    "env_software_version",
    "env_browser",
    "env_network",
    "env_hardware",
    "steps_tried",
    "root_cause",
)


@dataclass
class NewTicket:
    """What is known about a request when it arrives (R-TK-2)."""

    subject: str
    description: str
    priority: Priority | None = None
    type: str = TicketType.FAULT
    category: Category | None = None
    channel: str = Channel.PORTAL
    source: str = ""
    organization: Organization | None = None
    contact: Contact | None = None
    installed_product: InstalledProduct | None = None
    occurred_at: dt.datetime | None = None
    frequency: str = ""
    reproducibility: str = ""
    env_os: str = ""
    env_software_version: str = ""
    env_browser: str = ""
    env_network: str = ""
    env_hardware: str = ""
    steps_tried: str = ""
    classification: str = ""
    team: Team | None = None
    assignee: User | None = None
    attachments: Sequence[UploadedFile] = field(default_factory=tuple)


# --- plumbing ---------------------------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    """Re-reads the ticket under a row lock (PostgreSQL) / the write lock (SQLite)."""
    return Ticket.objects.select_for_update().select_related("priority").get(pk=ticket.pk)


def _append_event(
    ticket: Ticket,
    *,
    kind: str,
    actor: User | None,
    body: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    actor_label: str = "",
    at: dt.datetime | None = None,
) -> TicketEvent:
    event = _next_event(
        ticket,
        kind=kind,
        actor=actor,
        body=body,
        data=data,
        is_public=is_public,
        actor_label=actor_label,
        at=at,
    )
    return _write_event(ticket, event)


def _next_event(
    ticket: Ticket,
    *,
    kind: str,
    actor: User | None,
    body: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    actor_label: str = "",
    at: dt.datetime | None = None,
) -> TicketEvent:
    """The ticket's next event, hashed and chained (``ticket.last_event_hash``), not yet written."""
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else _("System")),
        created_at=at or timezone.now(),
        is_public=is_public,
        body=body,
        data={**(data or {}), "v": ticket.version + 1},
        prev_hash=ticket.last_event_hash,
    )
    event.hash = event.compute_hash()
    ticket.last_event_hash = event.hash
    return event


# Every change writes an event, every filing a ticket and maybe files: compiled once per
# thread (``core.prepared``). Events are append-only, so an insert is all they ever get.
_insert_event = PreparedInsert(TicketEvent)
_insert_ticket = PreparedInsert(Ticket)
_insert_attachment = PreparedInsert(Attachment)


def _write_event(ticket: Ticket, event: TicketEvent) -> TicketEvent:
    """Writes an event of ``_next_event`` and announces it once the transaction commits."""
    _insert_event.insert(event)
    _announce_at_commit(ticket, event)
    return event


def _announce_at_commit(ticket: Ticket, event: TicketEvent) -> None:
    """Announces a written event once the transaction commits."""
    ticket_id, event_id, kind = ticket.pk, event.pk, event.kind
    # Read now, not at commit: a test's or a caller's outer transaction may commit later,
    # outside the replay.
    replayed = is_replaying_history()

    def announce() -> None:
        _announce(ticket_id, event_id, kind, replayed=replayed)

    if not hold_until_step_ends(announce):
        transaction.on_commit(announce)


def _announced_inline() -> bool:
    """Whether receivers run at commit in this process (else in the worker, later)."""
    from huey.contrib.djhuey import HUEY

    return is_announced_in_process() or bool(HUEY.immediate)


def _announce(ticket_id: int, event_id: int, kind: str, *, replayed: bool = False) -> None:
    """Queues the event's announcement (``tasks.announce_event``): one job for all receivers.

    ``replayed`` marks history being written (``core.history``): receivers keep their records
    in step but tell nobody (no mail about a months-old reply).
    """
    if is_announced_in_process():
        ticket_event_recorded.send(
            Ticket, ticket_id=ticket_id, event_id=event_id, kind=kind, replayed=replayed
        )
        return
    from supportdesk.tickets.tasks import announce_event  # tasks imports this module

    try:
        announce_event(ticket_id, event_id, str(kind), replayed)
    except Exception:
        # The change is committed; a queue problem must not turn it into an error page.
        logger.exception("could not queue event %s of ticket %s", event_id, ticket_id)


def _save(ticket: Ticket, fields: Iterable[str], *, at: dt.datetime | None = None) -> None:
    ticket.version += 1
    ticket.updated_at = at or timezone.now()
    ticket.sync_derived_fields()
    ticket.save(
        update_fields={
            *fields, "version", "updated_at", "last_event_hash", "is_open", "phase", "priority_rank"
        }
    )  # fmt: skip


def _store_attachments(
    ticket: Ticket,
    event: TicketEvent | None,
    uploads: Sequence[CheckedUpload],
    actor: User | None,
    *,
    is_public: bool,
) -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            ticket=ticket,
            event=event,
            filename=upload.filename,
            content_type=upload.content_type,
            size=upload.file.size or 0,
            sha256=sha256_of(upload.file),
            is_public=is_public,
            uploaded_by=actor,
        )
        # A rollback after this point leaves an unreferenced file under a random name; it is
        # never served (only rows are), and storage is cheaper than a second phase here.
        attachment.file.save(upload.filename, upload.file, save=False)
        _insert_attachment.insert(attachment)
        stored.append(attachment)
    return stored


def _first_agent_response(ticket: Ticket, actor: User | None, at: dt.datetime) -> list[str]:
    if ticket.first_responded_at is None and actor is not None and actor.is_agent:
        ticket.first_responded_at = at
        return ["first_responded_at"]
    return []


def _display(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _check_version(ticket: Ticket, expected_version: int | None, fields: Iterable[str]) -> None:
    """Refuses a change to fields that someone else changed since ``expected_version``.

    Changes to other fields merge: both land, each as its own event.
    """
    if expected_version is None or expected_version == ticket.version:
        return
    touched: set[str] = set()
    for data in ticket.events.filter(data__v__gt=expected_version).values_list("data", flat=True):
        touched.update(data.get("fields", ()))
    clash = touched.intersection(fields)
    if clash:
        raise ConflictError(
            _(
                "Someone else changed this ticket (%(fields)s) since you opened it. "
                "Reload to see the change."
            )
            % {"fields": ", ".join(sorted(clash))},
            current_version=ticket.version,
        )


# --- creating ---------------------------------------------------------------------------


# Asked on every filing without a priority: compiled once per thread (``core.prepared``).
_default_priority = PreparedRead(
    lambda _key: Priority.objects.filter(active=True, is_default=True).order_by("pk"), None
)


def default_priority() -> Priority:
    priority = _default_priority.first()
    if priority is None:
        priority = Priority.objects.filter(active=True).order_by("-rank").first()
    if priority is None:
        raise ActionError({"priority": [_("No priority is configured; ask an administrator.")]})
    return priority


def do_create_ticket(draft: NewTicket, *, actor: User | None, actor_label: str = "") -> Ticket:
    """Files a new ticket (R-IN-1, R-TK-1, R-TK-2) and tells when to expect a response."""
    return do_file_ticket(draft, actor=actor, actor_label=actor_label)[0]


def do_file_ticket(
    draft: NewTicket, *, actor: User | None, actor_label: str = ""
) -> tuple[Ticket, TicketEvent]:
    """``do_create_ticket``, also handing back its "created" event (mail intake points at it)."""
    errors: dict[str, list[str]] = {}
    if not draft.subject.strip():
        errors["subject"] = [_("A subject is required.")]
    if not draft.description.strip():
        errors["description"] = [_("Describe the problem.")]
    if actor is not None and actor.is_customer:
        if draft.organization is None or draft.organization.pk != actor.organization_id:
            errors["organization"] = [_("You can only file tickets for your own organization.")]
        if (
            draft.installed_product is not None
            and draft.installed_product.organization_id != actor.organization_id
        ):
            errors["installed_product"] = [_("Choose one of your organization's products.")]
    uploads: list[CheckedUpload] = []
    try:
        uploads = check_uploads(draft.attachments)
    except ActionError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ActionError(errors)

    priority = draft.priority or default_priority()
    now = timezone.now()
    # On PostgreSQL outside a transaction, the number comes first, from a transaction of its
    # own that does not keep the day's row locked through this one (``numbering``, 3).
    numbered = numbering.number_ahead(now)
    # With its number taken ahead (PostgreSQL, outside any transaction) and no files to
    # store, a filing writes two rows and nothing else, and ``insert_together`` sends both
    # in one query string, which PostgreSQL runs as one transaction of its own: the two
    # rows land together or not at all, without the BEGIN and COMMIT round trips of an
    # explicit transaction (bench/RESULTS.md, round 10). Anything else files in a
    # transaction. Inside a caller's transaction the filing joins it without a savepoint of
    # its own: a failure here fails the caller's block, which undoes it (mail intake files
    # each message in its own savepoint already). Two statements fewer per filed message.
    one_statement = numbered is not None and not uploads
    with contextlib.nullcontext() if one_statement else transaction.atomic(savepoint=False):
        ticket = Ticket(
            subject=draft.subject.strip()[:200],
            description=draft.description,
            type=draft.type,
            category=draft.category,
            priority=priority,
            channel=draft.channel,
            source=draft.source,
            organization=draft.organization,
            contact=draft.contact,
            installed_product=draft.installed_product,
            occurred_at=draft.occurred_at,
            frequency=draft.frequency,
            reproducibility=draft.reproducibility,
            env_os=draft.env_os,
            env_software_version=draft.env_software_version,
            env_browser=draft.env_browser,
            env_network=draft.env_network,
            env_hardware=draft.env_hardware,
            steps_tried=draft.steps_tried,
            classification=draft.classification,
            team=draft.team,
            assignee=draft.assignee,
            created_by=actor,
            created_at=now,
            updated_at=now,
            first_response_due_at=now + dt.timedelta(minutes=priority.first_response_minutes),
            version=0,
            last_event_hash="",
        )
        ticket.sync_derived_fields()
        for _receiver, due in response_promise.send(Ticket, ticket=ticket):
            if due is not None:
                ticket.first_response_due_at = due
        # Numbering inside this transaction locks the day's row until the commit, so
        # concurrent filings queue there: it comes last, after the promise's reads and
        # arithmetic. The id comes with the number, so the row is written once, already
        # carrying its created event's hash (which covers the ticket id) and version 1.
        ticket.number, ticket.id = numbered or numbering.next_ticket_number_and_id(now)
        event = _next_event(
            ticket,
            kind=EventKind.CREATED,
            actor=actor,
            actor_label=actor_label,
            body=draft.description,
            is_public=True,
            at=now,
            data={"channel": draft.channel, "priority": priority.code},
        )
        ticket.version = 1
        # One round trip for both rows (PostgreSQL), one transaction (see above).
        insert_together((_insert_ticket, ticket), (_insert_event, event))
        _announce_at_commit(ticket, event)
        _store_attachments(ticket, event, uploads, actor, is_public=True)
    if _announced_inline():
        # Receivers ran on commit (routing may have assigned it): hand back the ticket as it is.
        ticket.refresh_from_db()
    return ticket, event


# --- conversation -------------------------------------------------------------------------


def do_add_reply(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    actor_label: str = "",
) -> TicketEvent:
    """A message the customer sees (R-CM-2). A customer's answer ends 需客户配合."""
    if not body.strip() and not attachments:
        raise ActionError({"body": [_("Write a message or attach a file.")]})
    uploads = check_uploads(attachments)
    with transaction.atomic():
        ticket = _lock(ticket)
        if actor is not None and not permissions.can_reply(actor, ticket):
            raise PermissionDenied
        now = timezone.now()
        fields = _first_agent_response(ticket, actor, now)
        from_customer = actor is None or actor.is_customer
        event = _append_event(
            ticket,
            kind=EventKind.REPLY,
            actor=actor,
            actor_label=actor_label,
            body=body,
            is_public=True,
            at=now,
            data={"from_customer": from_customer},
        )
        _store_attachments(ticket, event, uploads, actor, is_public=True)
        if from_customer and ticket.status == Status.WAITING_CUSTOMER:
            resume = ticket.status_before_wait or Status.DIAGNOSING
            _append_event(
                ticket,
                kind=EventKind.STATUS,
                actor=actor,
                actor_label=actor_label,
                is_public=True,
                at=now,
                data={"from": ticket.status, "to": resume, "auto": True, "fields": ["status"]},
            )
            ticket.status = resume
            ticket.status_before_wait = ""
            fields += ["status", "status_before_wait"]
        _save(ticket, fields, at=now)
    return event


def do_add_note(
    ticket: Ticket, *, actor: User, body: str, attachments: Sequence[UploadedFile] = ()
) -> TicketEvent:
    """An internal note: never shown to the customer."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if not body.strip():
        raise ActionError({"body": [_("The note is empty.")]})
    uploads = check_uploads(attachments)
    with transaction.atomic():
        ticket = _lock(ticket)
        event = _append_event(ticket, kind=EventKind.NOTE, actor=actor, body=body)
        _store_attachments(ticket, event, uploads, actor, is_public=False)
        _save(ticket, [])
    return event


def do_record_step(
    ticket: Ticket, *, actor: User, action: str, result: str = "", is_public: bool = False
) -> TicketEvent:
    """A handling step 处理步骤 with its result, time and operator (R-TK-2, R-DX-1)."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if not action.strip():
        raise ActionError({"action": [_("Say what was done.")]})
    with transaction.atomic():
        ticket = _lock(ticket)
        event = _append_event(
            ticket,
            kind=EventKind.STEP,
            actor=actor,
            body=action,
            is_public=is_public,
            data={"result": result},
        )
        _save(ticket, [])
    return event


def do_add_attachments(
    ticket: Ticket, *, actor: User, files: Sequence[UploadedFile], is_public: bool = True
) -> list[Attachment]:
    if not files:
        raise ActionError({"attachments": [_("Choose at least one file.")]})
    if actor.is_customer:
        is_public = True
    if not permissions.can_reply(actor, ticket):
        raise PermissionDenied
    uploads = check_uploads(files)
    with transaction.atomic():
        ticket = _lock(ticket)
        event = _append_event(
            ticket,
            kind=EventKind.ATTACHMENT,
            actor=actor,
            is_public=is_public,
            data={"files": [u.filename for u in uploads]},
        )
        stored = _store_attachments(ticket, event, uploads, actor, is_public=is_public)
        _save(ticket, [])
    return stored


def do_log_call(
    ticket: Ticket,
    *,
    actor: User,
    direction: str,
    summary: str,
    phone_number: str = "",
    duration_seconds: int | None = None,
    started_at: dt.datetime | None = None,
) -> TicketEvent:
    """A phone call noted while it happens (R-IN-1 phone, R-CH-3)."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if direction not in CallDirection.values:
        raise ActionError({"direction": [_("Choose inbound or outbound.")]})
    if not summary.strip():
        raise ActionError({"summary": [_("Summarize the call.")]})
    with transaction.atomic():
        ticket = _lock(ticket)
        now = timezone.now()
        fields = _first_agent_response(ticket, actor, now)
        event = _append_event(
            ticket,
            kind=EventKind.CALL,
            actor=actor,
            body=summary,
            is_public=False,
            at=now,
            data={
                "direction": direction,
                "phone_number": phone_number,
                "duration_seconds": duration_seconds,
                "started_at": (started_at or now).isoformat(),
            },
        )
        _save(ticket, fields, at=now)
    return event


def do_create_ticket_from_call(
    draft: NewTicket,
    *,
    actor: User,
    summary: str,
    phone_number: str = "",
    duration_seconds: int | None = None,
) -> Ticket:
    """An agent takes a call and files it as a ticket at once."""
    draft.channel = Channel.PHONE
    with transaction.atomic():
        ticket = do_create_ticket(draft, actor=actor)
        do_log_call(
            ticket,
            actor=actor,
            direction=CallDirection.INBOUND,
            summary=summary or draft.description,
            phone_number=phone_number,
            duration_seconds=duration_seconds,
        )
    ticket.refresh_from_db()
    return ticket


# --- fields, owner, lifecycle -------------------------------------------------------------


def do_update_fields(
    ticket: Ticket,
    *,
    actor: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
    reason: str = "",
) -> Ticket:
    """Sets record fields (R-TK-2); each change is listed on the timeline with old and new."""
    if not permissions.is_agent(actor):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActionError({name: [_("This field cannot be changed here.")] for name in unknown})
    if "subject" in changes and not str(changes["subject"] or "").strip():
        raise ActionError({"subject": [_("A subject is required.")]})
    if "priority" in changes and changes["priority"] is None:
        raise ActionError({"priority": [_("Choose a priority.")]})
    with transaction.atomic():
        ticket = _lock(ticket)
        diff: dict[str, list[str]] = {}
        for name, new in changes.items():
            old = getattr(ticket, name)
            if old == new:
                continue
            diff[name] = [_display(old), _display(new)]
            setattr(ticket, name, new)
        if not diff:
            return ticket
        _check_version(ticket, expected_version, diff)
        _append_event(
            ticket,
            kind=EventKind.FIELDS,
            actor=actor,
            body=reason,
            data={"fields": sorted(diff), "changes": diff},
        )
        _save(ticket, diff)
    return ticket


def do_assign(
    ticket: Ticket,
    *,
    actor: User | None,
    team: Team | None,
    assignee: User | None,
    note: str = "",
    expected_version: int | None = None,
    actor_label: str = "",
) -> Ticket:
    """Hands the ticket to a team and/or person; to a higher tier, this is an escalation.

    ``actor=None`` is the system (routing rules), named on the timeline by ``actor_label``.
    """
    if actor is not None and not permissions.is_agent(actor):
        raise PermissionDenied
    if assignee is not None and not assignee.is_agent:
        raise ActionError({"assignee": [_("Tickets can only be assigned to engineers.")]})
    if (
        assignee is not None
        and team is not None
        and not team.members.filter(pk=assignee.pk).exists()
    ):
        raise ActionError(
            {
                "assignee": [
                    _("%(name)s is not a member of %(team)s.") % {"name": assignee, "team": team}
                ]
            }
        )
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.team_id == (team.pk if team else None) and ticket.assignee_id == (
            assignee.pk if assignee else None
        ):
            return ticket
        _check_version(ticket, expected_version, ["team", "assignee"])
        data = {
            "fields": ["team", "assignee"],
            "from_team": ticket.team.name if ticket.team else "",
            "from_team_kind": ticket.team.kind if ticket.team else "",
            "to_team": team.name if team else "",
            "to_team_kind": team.kind if team else "",
            "from_assignee": str(ticket.assignee) if ticket.assignee else "",
            "to_assignee": str(assignee) if assignee else "",
        }
        _append_event(
            ticket,
            kind=EventKind.ASSIGN,
            actor=actor,
            actor_label=actor_label,
            body=note,
            data=data,
        )
        ticket.team, ticket.assignee = team, assignee
        _save(ticket, ["team", "assignee"])
    return ticket


def do_transition(
    ticket: Ticket,
    *,
    actor: User | None,
    to: str,
    solution: str = "",
    result: str = "",
    close_reason: str = "",
    reason: str = "",
    expected_version: int | None = None,
    actor_label: str = "",
) -> Ticket:
    """Moves the ticket to another status of its lifecycle (``tickets.workflow``)."""
    target = Status(to)
    provided = {
        "solution": solution,
        "result": result,
        "close_reason": close_reason,
        "reason": reason,
    }
    missing = {
        name: [str(message)]
        for name, message in REQUIRED_INPUT.get(target, ())
        if not str(provided[name]).strip()
    }
    if target == Status.CLOSED and close_reason == CloseReason.OTHER and not reason.strip():
        missing["reason"] = [_("Record the reason for closing.")]
    if missing:
        raise ActionError(missing)
    if result and result not in ResolutionResult.values:
        raise ActionError({"result": [_("Choose one of the listed results.")]})
    if close_reason and close_reason not in CloseReason.values:
        raise ActionError({"close_reason": [_("Choose one of the listed reasons.")]})
    with transaction.atomic():
        ticket = _lock(ticket)
        if actor is not None and not permissions.can_transition(actor, ticket, target):
            raise PermissionDenied
        if not can_transition(ticket.status, target):
            raise ActionError(
                {
                    "status": [
                        _("A ticket that is “%(current)s” cannot move to “%(target)s”.")
                        % {"current": ticket.get_status_display(), "target": target.label}
                    ]
                }
            )
        _check_version(ticket, expected_version, ["status"])
        now = timezone.now()
        fields = ["status"]
        data: dict[str, Any] = {"from": ticket.status, "to": target, "fields": ["status"]}
        body = reason
        if target == Status.WAITING_CUSTOMER:
            ticket.status_before_wait = ticket.status
            fields.append("status_before_wait")
        elif ticket.status == Status.WAITING_CUSTOMER:
            ticket.status_before_wait = ""
            fields.append("status_before_wait")
        if target == Status.RESOLVED:
            ticket.solution, ticket.result, ticket.resolved_at = solution, result, now
            fields += ["solution", "result", "resolved_at"]
            data.update(result=result)
            body = solution
        elif target == Status.CLOSED:
            ticket.close_reason, ticket.closed_at = close_reason, now
            fields += ["close_reason", "closed_at"]
            data.update(close_reason=close_reason)
        elif target == Status.ARCHIVED:
            ticket.archived_at = now
            fields.append("archived_at")
        elif target == Status.REOPENED:
            ticket.close_reason = ""
            fields.append("close_reason")
        fields += _first_agent_response(ticket, actor, now) if target != Status.CLOSED else []
        _append_event(
            ticket,
            kind=EventKind.STATUS,
            actor=actor,
            actor_label=actor_label,
            body=body,
            is_public=True,
            at=now,
            data=data,
        )
        ticket.status = target
        _save(ticket, fields, at=now)
    return ticket


def do_confirm_resolution(ticket: Ticket, *, actor: User, comment: str = "") -> Ticket:
    """The customer confirms the fix along the original scenario (R-SO-5); the ticket closes."""
    with transaction.atomic():
        if _lock(ticket).status != Status.RESOLVED:
            raise ActionError({"status": [_("Only a resolved ticket can be confirmed.")]})
        _verification(ticket, actor=actor, confirmed=True, comment=comment)
        reason = (
            CloseReason.CUSTOMER_CONFIRMED if actor.is_customer else CloseReason.CONFIRMED_BY_PHONE
        )
        return do_transition(
            ticket, actor=actor, to=Status.CLOSED, close_reason=reason, reason=comment
        )


def do_reopen(ticket: Ticket, *, actor: User, reason: str) -> Ticket:
    """The fix did not hold or the problem came back: work starts again (R-SO-5, R-TK-5)."""
    with transaction.atomic():
        if _lock(ticket).status == Status.RESOLVED and actor.is_customer and reason.strip():
            _verification(ticket, actor=actor, confirmed=False, comment=reason)
        return do_transition(ticket, actor=actor, to=Status.REOPENED, reason=reason)


def _verification(ticket: Ticket, *, actor: User, confirmed: bool, comment: str) -> None:
    locked = _lock(ticket)
    _append_event(
        locked,
        kind=EventKind.VERIFICATION,
        actor=actor,
        body=comment,
        is_public=True,
        data={"confirmed": confirmed},
    )
    _save(locked, [])


# --- events of other domains ----------------------------------------------------------

# Kinds another app may append; the ticket's own kinds stay with the actions above.
RECORDABLE_KINDS = frozenset(
    {
        EventKind.SLA,
        EventKind.ESCALATION,
        EventKind.COLLABORATION,
        EventKind.EMERGENCY,
        EventKind.EMAIL,
        EventKind.NOTIFICATION,
        EventKind.CHECKLIST,
        EventKind.DATA_REQUEST,
        EventKind.KNOWLEDGE,
        EventKind.REPRODUCTION,
        EventKind.ROUTING,
    }
)


def do_record_event(
    ticket: Ticket,
    *,
    kind: str,
    actor: User | None,
    body: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
    actor_label: str = "",
    changes: dict[str, Any] | None = None,
) -> TicketEvent:
    """Appends an event written by another domain (SLA clock, escalation, mail, checklist...).

    ``changes`` optionally sets ticket fields in the same transaction (e.g. an escalation
    rule raising the priority); they are listed in the event like a field edit.
    """
    if kind not in RECORDABLE_KINDS:
        raise ValueError(f"{kind!r} events are written by the ticket's own actions")
    with transaction.atomic():
        ticket = _lock(ticket)
        payload = dict(data or {})
        fields: list[str] = []
        if changes:
            unknown = set(changes) - {*EDITABLE_FIELDS, "team", "assignee", "first_response_due_at"}
            if unknown:
                raise ValueError(f"cannot set {sorted(unknown)} through do_record_event")
            diff = {}
            for name, new in changes.items():
                old = getattr(ticket, name)
                if old != new:
                    diff[name] = [_display(old), _display(new)]
                    setattr(ticket, name, new)
            payload.update(fields=sorted(diff), changes=diff)
            fields = list(diff)
        event = _append_event(
            ticket,
            kind=kind,
            actor=actor,
            actor_label=actor_label,
            body=body,
            is_public=is_public,
            data=payload,
        )
        _save(ticket, fields)
    return event


# --- links and merges ---------------------------------------------------------------------


def _lock_pair(a: Ticket, b: Ticket) -> tuple[Ticket, Ticket]:
    # Always lock in id order so two opposite links never deadlock.
    first, second = sorted([a, b], key=lambda t: t.pk)
    locked = {t.pk: _lock(t) for t in (first, second)}
    return locked[a.pk], locked[b.pk]


def do_link_tickets(
    ticket: Ticket, other: Ticket, *, actor: User | None, kind: str, actor_label: str = ""
) -> TicketLink:
    """Links two tickets (R-TK-6); both timelines show it.

    ``actor=None`` is the system (mail intake linking a follow-up), named by ``actor_label``.
    """
    if actor is not None and not permissions.is_agent(actor):
        raise PermissionDenied
    if kind not in LinkKind.values:
        raise ActionError({"kind": [_("Choose a link type.")]})
    if ticket.pk == other.pk:
        raise ActionError({"other": [_("A ticket cannot be linked to itself.")]})
    with transaction.atomic():
        ticket, other = _lock_pair(ticket, other)
        link, created = TicketLink.objects.get_or_create(
            from_ticket=ticket, to_ticket=other, kind=kind, defaults={"created_by": actor}
        )
        if not created:
            raise ActionError({"other": [_("These tickets are already linked that way.")]})
        for own, peer, direction in ((ticket, other, "out"), (other, ticket, "in")):
            _append_event(
                own,
                kind=EventKind.LINK,
                actor=actor,
                actor_label=actor_label,
                data={"kind": kind, "direction": direction, "number": peer.number},
            )
            _save(own, [])
    return link


def do_merge_tickets(source: Ticket, target: Ticket, *, actor: User, note: str = "") -> Ticket:
    """Merges ``source`` into ``target``: the source closes, its history shows on the target.

    Nothing is copied or moved: the timeline stays append-only and the target's timeline
    includes the events of every ticket merged into it.
    """
    if not permissions.is_agent(actor):
        raise PermissionDenied
    if source.pk == target.pk:
        raise ActionError({"target": [_("A ticket cannot be merged into itself.")]})
    with transaction.atomic():
        source, target = _lock_pair(source, target)
        if source.merged_into_id is not None:
            raise ActionError({"source": [_("This ticket was already merged.")]})
        if target.merged_into_id is not None:
            raise ActionError(
                {
                    "target": [
                        _(
                            "That ticket was itself merged; "
                            "merge into the ticket it was merged into."
                        )
                    ]
                }
            )
        if source.organization_id != target.organization_id:
            raise ActionError(
                {"target": [_("Tickets of different organizations cannot be merged.")]}
            )
        now = timezone.now()
        _append_event(
            source,
            kind=EventKind.MERGE,
            actor=actor,
            body=note,
            is_public=True,
            at=now,
            data={"into": target.number, "fields": ["status"]},
        )
        source.merged_into = target
        fields = ["merged_into"]
        if source.status not in (Status.CLOSED, Status.ARCHIVED):
            source.status, source.close_reason, source.closed_at = (
                Status.CLOSED,
                CloseReason.MERGED,
                now,
            )
            fields += ["status", "close_reason", "closed_at"]
        _save(source, fields, at=now)
        _append_event(
            target,
            kind=EventKind.MERGE,
            actor=actor,
            body=note,
            is_public=True,
            at=now,
            data={"from": source.number},
        )
        _save(target, [], at=now)
    return target
