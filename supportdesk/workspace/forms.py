"""Forms of the agent workspace: they parse input; the rules live in ``tickets.actions``.

Where an action already enforces a rule (a resolution needs a solution, a reply needs text
or a file), the form leaves the field optional so the action's message is the one shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import fields_for_model, model_to_dict
from django.urls import reverse_lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supportdesk.accounts.choices import STAFF_ROLES
from supportdesk.accounts.models import Team, User
from supportdesk.core.forms import MultipleFileField
from supportdesk.crm import selectors as crm_selectors
from supportdesk.crm.models import Organization
from supportdesk.sla.selectors import SORT_CHOICE
from supportdesk.tickets.actions import EDITABLE_FIELDS
from supportdesk.tickets.choices import (
    CallDirection,
    Channel,
    CloseReason,
    LinkKind,
    ResolutionResult,
    Status,
    TicketType,
)
from supportdesk.tickets.models import Category, Priority, Ticket
from supportdesk.workspace.presenters import ticket_field

QUEUE_CHOICES = [
    ("mine", _("Assigned to me")),
    ("team", _("My teams")),
    ("unassigned", _("Unassigned")),
    ("open", _("All open")),
    ("priority", _("By priority")),
    ("waiting", _("Waiting on customer")),
    ("recent", pgettext_lazy("queue", "Recently updated")),
    ("all", _("All tickets")),
]
SORT_CHOICES = [
    ("", _("Default order")),
    ("-updated_at", _("Recently updated first")),
    ("updated_at", _("Least recently updated first")),
    ("-created_at", _("Newest first")),
    ("created_at", _("Oldest first")),
    ("priority", _("Most urgent first")),
    SORT_CHOICE,
]
# What an agent records when closing; "customer confirmed" and "merged" are set by the
# confirmation and merge actions themselves.
AGENT_CLOSE_REASONS = [
    c
    for c in CloseReason.choices
    if c[0] not in (CloseReason.CUSTOMER_CONFIRMED, CloseReason.MERGED)
]
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def agents() -> QuerySet[User]:
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
        "display_name", "username"
    )


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def add_action_errors(form: forms.Form, exc: ValidationError) -> None:
    """Puts an action's per-field messages on the form's fields (or on top of it)."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- customers ----------------------------------------------------------------------------

# Up to this many organizations a picker is a <select>; beyond it, a name box. Rendering
# thousands of <option>s would cost more than the whole queue query.
ORGANIZATION_SELECT_LIMIT = 200


class OrganizationField(forms.Field):
    """Picks a customer organization by id (from a select or a link) or by name (typed).

    ``configure()`` decides the widget from how many organizations exist, in one query.
    """

    default_error_messages = {
        "unknown": _("No customer has that name."),
        "ambiguous": _("Several customers match; type more of the name."),
    }

    def __init__(self, *, empty_label: Any = "---------", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.as_select = True

    def configure(self, *, select_limit: int = ORGANIZATION_SELECT_LIMIT) -> None:
        """``select_limit=0``: always the name box (no query)."""
        organizations = (
            list(crm_selectors.organization_choices()[: select_limit + 1]) if select_limit else []
        )
        self.as_select = bool(select_limit) and len(organizations) <= select_limit
        attrs = dict(self.widget.attrs)
        if self.as_select:
            choices = [("", self.empty_label)] + [(o.pk, o.name) for o in organizations]
            self.widget = forms.Select(attrs=attrs, choices=choices)
        else:
            attrs.setdefault("placeholder", str(_("Customer name")))
            self.widget = forms.TextInput(attrs=attrs)

    @staticmethod
    def resolve(raw: Any) -> Organization | None:
        """The organization ``raw`` names; ValidationError when none or several match."""
        if isinstance(raw, Organization) or raw is None:
            return raw
        value = str(raw).strip()
        if not value:
            return None
        if value.isdigit():
            found = Organization.objects.filter(pk=int(value)).first()
            if found is None:
                raise ValidationError(OrganizationField.default_error_messages["unknown"])
            return found
        exact = Organization.objects.filter(name=value).first()
        if exact is not None:
            return exact
        matches = list(Organization.objects.filter(name__icontains=value).order_by("name")[:2])
        if not matches:
            raise ValidationError(OrganizationField.default_error_messages["unknown"])
        if len(matches) > 1:
            raise ValidationError(OrganizationField.default_error_messages["ambiguous"])
        return matches[0]

    def to_python(self, value: Any) -> Organization | None:
        return self.resolve(value)

    def prepare_value(self, value: Any) -> Any:
        if self.as_select:
            return value.pk if isinstance(value, Organization) else value
        # A name box shows the name, also when the value came as an id from a link.
        if isinstance(value, Organization):
            return value.name
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found = Organization.objects.filter(pk=int(value)).only("name").first()
            return found.name if found is not None else value
        return value


def _organization_field(attrs: dict[str, Any] | None = None) -> OrganizationField:
    """The record's organization field, labelled from the model, sized to the data."""
    field = OrganizationField(
        label=capfirst(Ticket._meta.get_field("organization").verbose_name),
        widget=forms.TextInput(attrs=attrs or {}),
    )
    field.configure()
    return field


def organization_id_of(raw: Any) -> int | None:
    try:
        organization = OrganizationField.resolve(raw)
    except ValidationError:
        return None
    return organization.pk if organization is not None else None


# --- queues -------------------------------------------------------------------------------


ORGANIZATION_OPTIONS_ID = "organization-options"
ORGANIZATION_SUGGEST_ATTRS = {
    "list": ORGANIZATION_OPTIONS_ID,
    "autocomplete": "off",
    "hx-get": reverse_lazy("workspace:organization_suggestions"),
    # On focus (the first names, to pick without typing) and while typing; the options go
    # into the box's <datalist>, not into the queue table the filter form targets.
    "hx-trigger": "focus once, input changed delay:200ms",
    "hx-target": f"#{ORGANIZATION_OPTIONS_ID}",
    "hx-swap": "innerHTML",
    "hx-push-url": "false",
    "hx-sync": "this:replace",
}


class QueueFilterForm(forms.Form):
    queue = forms.ChoiceField(label=_("Queue"), choices=QUEUE_CHOICES, required=False)
    number = forms.CharField(label=_("Ticket number"), max_length=24, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(_("Any status")) + Status.choices, required=False
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.none(), required=False,
        empty_label=_("Any priority"),
    )  # fmt: skip
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Any team")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False,
        empty_label=_("Anyone"),
    )  # fmt: skip
    organization = OrganizationField(label=_("Customer"), empty_label=_("Any customer"))
    type = forms.ChoiceField(
        label=_("Type"), choices=_blank(_("Any type")) + TicketType.choices, required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False,
        empty_label=_("Any category"),
    )  # fmt: skip
    channel = forms.ChoiceField(
        label=_("Channel"), choices=_blank(_("Any channel")) + Channel.choices, required=False
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = agents()  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        # A name box with suggestions as the engineer types (``organization_suggestions``)
        # at any number of customers: even 200 <option>s were a third of the page's time.
        organization = cast(OrganizationField, self.fields["organization"])
        organization.widget.attrs.update(ORGANIZATION_SUGGEST_ATTRS)
        organization.configure(select_limit=0)

    def value_of(self, name: str) -> Any:
        """The cleaned value, or nothing when it was invalid (a stale link must still work)."""
        return getattr(self, "cleaned_data", {}).get(name) or None


# --- the ticket page ------------------------------------------------------------------------


class VersionedForm(forms.Form):
    # The ticket version the agent saw, so a change made meanwhile is detected.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("The customer sees this message and its attachments."),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only engineers see notes."),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class StepForm(forms.Form):
    action = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    result = forms.CharField(label=_("Result"), required=False, max_length=2000)
    is_public = forms.BooleanField(label=_("Show this step to the customer"), required=False)


class CallForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"), choices=CallDirection.choices, initial=CallDirection.INBOUND
    )
    phone_number = forms.CharField(label=_("Phone number"), max_length=50, required=False)
    duration = forms.DurationField(
        label=_("Duration"), required=False, help_text=_("Minutes and seconds, e.g. 5:30.")
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_duration(self) -> dt.timedelta | None:
        value: dt.timedelta | None = self.cleaned_data.get("duration")
        if value is not None and value.total_seconds() < 0:
            raise ValidationError(_("A call cannot last less than nothing."))
        return value

    def duration_seconds(self) -> int | None:
        value = self.cleaned_data.get("duration")
        return int(value.total_seconds()) if value is not None else None


def _normalized(value: Any) -> Any:
    """Compares what a browser sends with what is stored: CRLF, spaces, seconds."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, dt.datetime):
        return value.replace(second=0, microsecond=0)
    if value is None:
        return ""
    return value


class TicketFieldsForm(VersionedForm):
    """Every record field an agent may set (R-TK-2), labelled from the model."""

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {**model_to_dict(ticket, fields=EDITABLE_FIELDS),
                                      "version": ticket.version})  # fmt: skip
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields.update(
            fields_for_model(
                Ticket,
                fields=EDITABLE_FIELDS,
                widgets={
                    "occurred_at": DATETIME_LOCAL,
                    "description": forms.Textarea(attrs={"rows": 4}),
                    "steps_tried": forms.Textarea(attrs={"rows": 2}),
                    "root_cause": forms.Textarea(attrs={"rows": 2}),
                },
            )
        )
        org_id = self._organization_id()
        self.fields["priority"].queryset = Priority.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["organization"] = _organization_field()
        self.fields["contact"].queryset = crm_selectors.contacts_of(org_id)  # type: ignore[attr-defined]
        self.fields["installed_product"].queryset = crm_selectors.installed_products_of(org_id)  # type: ignore[attr-defined]

    def _organization_id(self) -> int | None:
        if not self.is_bound or "organization" not in self.data:
            return self.ticket.organization_id
        return organization_id_of(self.data.get("organization"))

    def changes(self) -> dict[str, Any]:
        """Fields whose submitted value differs from the ticket's current one.

        Comparing with the current value (not the value the form was drawn with) is what
        lets the action detect a clash: a field someone else changed since ``version``
        differs from what this agent submits, and the action refuses it.
        """
        changes = {}
        for name in EDITABLE_FIELDS:
            new = self.cleaned_data.get(name)
            field = ticket_field(name)
            old = getattr(self.ticket, field.attname)
            new_key = new.pk if field.is_relation and new is not None else new
            if _normalized(old) != _normalized(new_key):
                changes[name] = new.replace("\r\n", "\n").strip() if isinstance(new, str) else new
        return changes


class AssignForm(VersionedForm):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    assignee = forms.ModelChoiceField(
        label=_("Engineer"), queryset=User.objects.none(), required=False,
        empty_label=_("Nobody"),
    )  # fmt: skip
    note = forms.CharField(label=_("Hand-over note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = agents()  # type: ignore[attr-defined]


# The label of the free-text reason for each target status.
REASON_LABELS: dict[str, Any] = {
    Status.WAITING_CUSTOMER: _("What is needed from the customer"),
    Status.REOPENED: _("Why is it reopened"),
    Status.CLOSED: _("Reason (required for “Other”)"),
}


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    solution = forms.CharField(
        label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    result = forms.ChoiceField(
        label=_("Result"), required=False, choices=_blank("—") + ResolutionResult.choices
    )
    close_reason = forms.ChoiceField(
        label=_("Close reason"), required=False, choices=_blank("—") + AGENT_CLOSE_REASONS
    )
    reason = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, target: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = target or str(self.data.get("to", ""))
        if target in REASON_LABELS:
            self.fields["reason"].label = REASON_LABELS[target]


class LinkForm(forms.Form):
    number = forms.CharField(label=_("Other ticket number"), max_length=24)
    kind = forms.ChoiceField(label=_("Link type"), choices=LinkKind.choices)

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


class MergeForm(forms.Form):
    number = forms.CharField(
        label=_("Merge into ticket number"),
        max_length=24,
        help_text=_("This ticket closes; its history shows on the other ticket."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


# --- new tickets --------------------------------------------------------------------------

NEW_TICKET_FIELDS = (
    "organization",
    "contact",
    "installed_product",
    "channel",
    "source",
    "subject",
    "description",
    "type",
    "category",
    "priority",
    "classification",
    "occurred_at",
    "frequency",
    "reproducibility",
    "env_os",
    "env_software_version",
    "env_browser",
    "env_network",
    "env_hardware",
    "steps_tried",
    "team",
    "assignee",
)


# How the new-ticket page groups the record template's fields; the customer's organization,
# contact and product come first and are drawn by the template (the pickers refresh by htmx).
FIELDSETS = (
    (_("Request"), ("channel", "source", "subject", "description", "type", "category",
                    "priority", "classification")),
    (_("Occurrence"), ("occurred_at", "frequency", "reproducibility", "steps_tried")),
    (pgettext_lazy("record fieldset", "Environment"),
     ("env_os", "env_software_version", "env_browser", "env_network", "env_hardware")),
    (_("Phone call"), ("phone_number", "duration", "summary")),
    (_("Handling"), ("team", "assignee", "attachments")),
)  # fmt: skip


@dataclass
class Fieldset:
    title: str
    fields: list[forms.BoundField]


class NewTicketForm(forms.Form):
    """A ticket an agent files for a customer, from any channel (R-IN-1, R-TK-2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Ticket,
                fields=NEW_TICKET_FIELDS,
                widgets={
                    "occurred_at": DATETIME_LOCAL,
                    "description": forms.Textarea(attrs={"rows": 6}),
                    "steps_tried": forms.Textarea(attrs={"rows": 2}),
                },
            )
        )
        self.fields["attachments"] = MultipleFileField(label=_("Attachments"))
        org_id = self.organization_id()
        self.fields["organization"] = _organization_field(
            {
                "hx-get": reverse_lazy("workspace:organization_fields"),
                "hx-target": "#organization-fields",
                "hx-trigger": "change",
            }
        )
        self.fields["contact"].queryset = crm_selectors.contacts_of(org_id)  # type: ignore[attr-defined]
        self.fields["installed_product"].queryset = crm_selectors.installed_products_of(org_id)  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        priority = self.fields["priority"]
        priority.queryset = Priority.objects.filter(active=True)  # type: ignore[attr-defined]
        priority.required = False
        priority.empty_label = _("Default priority")  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = agents()  # type: ignore[attr-defined]
        self.fields["channel"].initial = Channel.PHONE

    # Keys of FIELDSETS in the order this form shows them.
    fieldset_order: tuple[int, ...] = (0, 1, 2, 3, 4)

    def fieldsets(self) -> list[Fieldset]:
        result = []
        for title, names in (FIELDSETS[i] for i in self.fieldset_order):
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                result.append(Fieldset(str(title), bound))
        return result

    def organization_id(self) -> int | None:
        raw = self.data.get("organization") if self.is_bound else self.initial.get("organization")
        return organization_id_of(raw)

    def draft_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in NEW_TICKET_FIELDS}
        return {k: ("" if v is None and k in _TEXT_FIELDS else v) for k, v in values.items()}


_TEXT_FIELDS = frozenset(
    {"channel", "source", "subject", "description", "type", "classification", "frequency",
     "reproducibility", "env_os", "env_software_version", "env_browser", "env_network",
     "env_hardware", "steps_tried"}
)  # fmt: skip


class NewCallForm(NewTicketForm):
    """A phone call taken now and filed as a ticket at once (R-IN-1 phone, R-CH-3)."""

    # The caller is on the line: the call comes first, the record template after.
    fieldset_order = (3, 0, 1, 2, 4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["channel"]
        self.fields["phone_number"] = forms.CharField(
            label=_("Caller's number"), max_length=50, required=False
        )
        self.fields["duration"] = forms.DurationField(
            label=_("Duration"), required=False, help_text=_("Minutes and seconds, e.g. 5:30.")
        )
        self.fields["summary"] = forms.CharField(
            label=_("Call summary"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Left empty, the description is used."),
        )

    def draft_values(self) -> dict[str, Any]:
        values = super().draft_values()
        values.pop("channel", None)
        return values

    def duration_seconds(self) -> int | None:
        value = self.cleaned_data.get("duration")
        return max(0, int(value.total_seconds())) if value is not None else None
