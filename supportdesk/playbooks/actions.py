"""Running a playbook on a ticket: each step's result goes on the ticket's timeline with its
time and operator (R-DX-1, R-DX-2)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.playbooks.choices import Reproduced, StepResult
from supportdesk.playbooks.models import DataRequestTemplate, Playbook
from supportdesk.tickets.actions import do_add_attachments, do_record_event
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket, TicketEvent


def do_record_playbook_step(
    ticket: Ticket,
    playbook: Playbook,
    *,
    step: int,
    result: str,
    note: str = "",
    actor: User,
) -> TicketEvent:
    if not (actor.is_active and actor.is_agent):
        raise PermissionDenied
    steps = playbook.step_list()
    if not 0 <= step < len(steps):
        raise ActionError({"step": [_("No such step.")]})
    if result not in StepResult.values:
        raise ActionError({"result": [_("Choose a result.")]})
    label = StepResult(result).label
    body = f"{playbook.name} · {step + 1}. {steps[step]}: {label}"
    if note.strip():
        body += f"\n{note.strip()}"
    return do_record_event(
        ticket,
        kind=EventKind.CHECKLIST,
        actor=actor,
        body=body,
        data={"playbook": playbook.pk, "step": step, "text": steps[step], "result": result,
              "note": note.strip()[:2000]},
    )  # fmt: skip


def do_send_data_request(
    ticket: Ticket, template: DataRequestTemplate, *, actor: User, note: str = ""
) -> TicketEvent:
    """Asks the customer for the template's data (R-DX-3): a public timeline entry listing
    each item, with the link where the customer uploads the files."""
    if not (actor.is_active and actor.is_agent):
        raise PermissionDenied
    items = template.item_list()
    upload_url = settings.SITE_URL.rstrip("/") + reverse("portal:ticket", args=[ticket.number])
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Please send us the following so we can continue:")]
        lines += [f"{i}. {item}" for i, item in enumerate(items, 1)]
        if note.strip():
            lines.append(note.strip())
        lines.append(_("Upload the files on your ticket's page: %(url)s") % {"url": upload_url})
    return do_record_event(
        ticket,
        kind=EventKind.DATA_REQUEST,
        actor=actor,
        body="\n".join(lines),
        is_public=True,
        data={"template": template.pk, "name": template.name, "items": items,
              "upload_url": upload_url},
    )  # fmt: skip


def do_record_reproduction(
    ticket: Ticket,
    *,
    actor: User,
    environment: str,
    steps: str,
    expected: str,
    actual: str,
    reproduced: str,
    files: Sequence[UploadedFile] = (),
) -> TicketEvent:
    """A reproduction attempt (R-DX-4) on the ticket's timeline with its operator and time:
    where it was tried, how, what should and did happen, and whether the problem showed.
    Files (screen recordings, logs) are stored as internal attachments of the same change."""
    if not (actor.is_active and actor.is_agent):
        raise PermissionDenied
    fields = {
        "environment": environment.strip(),
        "steps": steps.strip(),
        "expected": expected.strip(),
        "actual": actual.strip(),
    }
    errors = {name: [_("This field is required.")] for name, value in fields.items() if not value}
    if reproduced not in Reproduced.values:
        errors["reproduced"] = [_("Say whether the problem was reproduced.")]
    if errors:
        raise ActionError(errors)
    label = Reproduced(reproduced).label
    body = "\n".join(
        [
            f"{label}",
            f"{_('Environment')}: {fields['environment']}",
            f"{_('Steps')}:\n{fields['steps']}",
            f"{_('Expected result')}: {fields['expected']}",
            f"{_('Actual result')}: {fields['actual']}",
        ]
    )
    with transaction.atomic():
        stored = (
            do_add_attachments(ticket, actor=actor, files=files, is_public=False) if files else []
        )
        return do_record_event(
            ticket,
            kind=EventKind.REPRODUCTION,
            actor=actor,
            body=body,
            data={
                **fields,
                "reproduced": reproduced,
                "attachments": [a.pk for a in stored],
            },
        )
