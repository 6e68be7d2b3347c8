"""The agent workspace: queues, the ticket page, new tickets and calls, customers.

Every view: (1) parses input with a form, (2) loads through an access-checked selector,
(3) calls one action from ``tickets.actions``, (4) redirects back or re-renders with the
action's field errors. Only agents get here; anybody else gets a 404 (customers) or the
sign-in page (anonymous visitors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, cast
from urllib.parse import urlencode

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError, ConflictError
from supportdesk.crm import selectors as crm_selectors
from supportdesk.sla import selectors as sla_selectors
from supportdesk.tickets import actions, permissions
from supportdesk.tickets import selectors as ticket_selectors
from supportdesk.tickets.choices import STATUS_COLORS, Status
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.workflow import REQUIRED_INPUT, allowed_transitions
from supportdesk.workspace import presenters
from supportdesk.workspace import selectors as workspace_selectors
from supportdesk.workspace.forms import (
    QUEUE_CHOICES,
    AssignForm,
    CallForm,
    LinkForm,
    MergeForm,
    NewCallForm,
    NewTicketForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    StepForm,
    TicketFieldsForm,
    TransitionForm,
    add_action_errors,
)

View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A customer is told nothing about the workspace, not even that it exists.
        if not permissions.is_agent(request.user):  # type: ignore[arg-type]
            raise Http404("not an agent")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _agent(request: HttpRequest) -> User:
    return cast(User, request.user)


def _with_params(params: QueryDict, **changes: str | None) -> str:
    merged = params.copy()
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + merged.urlencode()


# --- queues -------------------------------------------------------------------------------


def _pk(value: Any) -> int | None:
    return value.pk if value is not None else None


@agent_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """A queue of tickets with filters, sorting and keyset pages (R-TK-5, R-CM-3)."""
    user = _agent(request)
    form = QueueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    queue_name = form.value_of("queue") or "mine"
    filters = ticket_selectors.QueueFilters(
        status=form.value_of("status") or "",
        priority=_pk(form.value_of("priority")),
        team=_pk(form.value_of("team")),
        assignee=_pk(form.value_of("assignee")),
        organization=_pk(form.value_of("organization")),
        type=form.value_of("type") or "",
        category=_pk(form.value_of("category")),
        channel=form.value_of("channel") or "",
        number=form.value_of("number") or "",
    )
    if form.value_of("sort") == sla_selectors.SORT_KEY:
        page = sla_selectors.breaches_soonest_page(
            user,
            queue_name,
            filters=filters,
            cursor=request.GET.get("cursor") or None,
            size=settings.QUEUE_PAGE_SIZE,
        )
    else:
        page = ticket_selectors.queue_page(
            user,
            queue_name,
            filters=filters,
            sort=form.value_of("sort") or "",
            cursor=request.GET.get("cursor") or None,
            size=settings.QUEUE_PAGE_SIZE,
        )
    context: dict[str, Any] = {
        "rows": sla_selectors.attach_due(presenters.rows(page.items)),
        "next_url": _with_params(request.GET, cursor=page.next_cursor) if page.next_cursor else "",
        "first_url": _with_params(request.GET, cursor=None) if request.GET.get("cursor") else "",
        "queue_name": queue_name,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "workspace/_queue_table.html", context)
    else:
        counts = workspace_selectors.queue_counts(user)
        context["form"] = form
        context["queues"] = [
            {
                "key": key,
                "label": label,
                "count": counts.get(key),
                "url": "?" + urlencode({"queue": key}),
                "active": key == queue_name,
            }
            for key, label in QUEUE_CHOICES
        ]
        response = render(request, "workspace/queue.html", context)
    # The same URL answers with a fragment or a page; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the ticket page ----------------------------------------------------------------------


@dataclass
class TransitionBlock:
    target: str
    label: str
    color: str
    form: TransitionForm | None
    fields: list[django_forms.BoundField]
    is_open: bool
    load_url: str = ""


def _transition_fields(target: Status) -> list[str]:
    names = [name for name, _message in REQUIRED_INPUT.get(target, ())]
    if target == Status.CLOSED:
        names.append("reason")
    if not names:
        names = ["reason"]
    return names


def _transition_form(ticket: Ticket, target: str, version: int) -> TransitionForm:
    return TransitionForm(
        initial={"to": target, "version": version}, target=target, auto_id=f"id_{target}_%s"
    )


def _transition_blocks(ticket: Ticket, failed: TransitionForm | None) -> list[TransitionBlock]:
    """The moves offered from here; only a refused one carries its (bound) form.

    The others load their form when opened (``ticket_transition_form``): rendering every
    move's fields was a large share of the page's time, and an agent opens one at most.
    """
    allowed = allowed_transitions(ticket.status)
    failed_target = failed.data.get("to") if failed is not None else None
    blocks = []
    for target in Status:
        if target not in allowed:
            continue
        form = failed if failed is not None and failed_target == target.value else None
        load_url = presenters.ticket_link(
            "workspace:ticket_transition_form", ticket.number, target.value
        )
        blocks.append(
            TransitionBlock(
                target=target.value,
                label=str(target.label),
                color=STATUS_COLORS.get(target, "gray"),
                form=form,
                fields=[form[name] for name in _transition_fields(target)] if form else [],
                is_open=form is not None,
                load_url=f"{load_url}?version={ticket.version}",
            )
        )
    return blocks


@dataclass(frozen=True)
class SideForm:
    """A rarely used form of the ticket page: rendered only when refused, else fetched when
    its section is opened (``ticket_form``)."""

    post_url: str
    submit: str | Promise
    build: Callable[[Ticket, int], django_forms.Form]
    primary: bool = False


def _assign_form(ticket: Ticket, version: int) -> django_forms.Form:
    initial = {"team": ticket.team_id, "assignee": ticket.assignee_id, "version": version}
    return AssignForm(initial=initial, auto_id="id_assign_%s")


SIDE_FORMS: dict[str, SideForm] = {
    "fields": SideForm(
        "workspace:ticket_fields", gettext_lazy("Save fields"),
        lambda ticket, _version: TicketFieldsForm(ticket=ticket), primary=True,
    ),
    "assign": SideForm("workspace:ticket_assign", gettext_lazy("Save assignment"), _assign_form),
    "step": SideForm(
        "workspace:ticket_step", gettext_lazy("Record step"),
        lambda _ticket, _version: StepForm(auto_id="id_step_%s"),
    ),
    "call": SideForm(
        "workspace:ticket_call", gettext_lazy("Log call"),
        lambda _ticket, _version: CallForm(auto_id="id_call_%s"),
    ),
    "link": SideForm(
        "workspace:ticket_link", gettext_lazy("Link"),
        lambda _ticket, _version: LinkForm(auto_id="id_link_%s"),
    ),
    "merge": SideForm(
        "workspace:ticket_merge", gettext_lazy("Merge"),
        lambda _ticket, _version: MergeForm(auto_id="id_merge_%s"),
    ),
}  # fmt: skip


def _render_fields(form: django_forms.Form) -> SafeString:
    html = "".join(render_to_string("workspace/_field.html", {"field": f}) for f in form)
    return mark_safe(html)  # noqa: S308 - each piece was escaped by the template engine


@lru_cache(maxsize=32)
def _blank_fields(form_class: type[django_forms.Form], auto_id: str, language: str) -> SafeString:
    return _render_fields(form_class(auto_id=auto_id))


def _fields_html(form: django_forms.Form) -> SafeString:
    """The form's fields as HTML; an empty form's are rendered once per process and language.

    The reply and note boxes are on every ticket page and almost always empty; rendering
    their widgets through Django's form templates was a tenth of the page's time.
    """
    if form.is_bound or form.initial:
        return _render_fields(form)
    return _blank_fields(type(form), str(form.auto_id), get_language() or "")


_TEXT_LABELS = {
    name: Ticket._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    for name in ("steps_tried", "root_cause")
}


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    status: int = 200,
    open_form: str = "",
    **bound: django_forms.Form,
) -> HttpResponse:
    user = _agent(request)
    events = ticket_selectors.timeline(ticket, user)
    failed = bound.get("transition")
    failed_transition = failed if isinstance(failed, TransitionForm) else None
    transitions = _transition_blocks(ticket, failed_transition)
    reply_form = bound.get("reply") or ReplyForm(auto_id="id_reply_%s")
    note_form = bound.get("note") or NoteForm(auto_id="id_note_%s")
    number = ticket.number
    context = {
        "ticket": ticket,
        "status_color": STATUS_COLORS.get(Status(ticket.status), "gray"),
        "status_label": presenters.field_display("status", ticket.status),
        "phase_label": presenters.field_display("phase", ticket.phase),
        "reply_url": presenters.ticket_link("workspace:ticket_reply", number),
        "note_url": presenters.ticket_link("workspace:ticket_note", number),
        "transition_url": presenters.ticket_link("workspace:ticket_transition", number),
        "events": presenters.timeline_views(ticket, events),
        "record": presenters.record_details(ticket),
        "links": presenters.link_views(ticket, workspace_selectors.ticket_links(ticket)),
        "updated": presenters.local_time(ticket.updated_at),
        "sla_clocks": sla_selectors.ticket_clocks(ticket),
        "open_form": open_form,
        "labels": _TEXT_LABELS,
        "reply_form": reply_form,
        "reply_fields": _fields_html(reply_form),
        "note_form": note_form,
        "note_fields": _fields_html(note_form),
        "side_forms": {
            name: presenters.SideFormView(
                name=name,
                post_url=presenters.ticket_link(spec.post_url, number),
                load_url=presenters.ticket_link("workspace:ticket_form", number, name)
                + f"?version={ticket.version}",
                submit=spec.submit,
                primary=spec.primary,
                form=bound.get(name),
            )
            for name, spec in SIDE_FORMS.items()
        },
        "transitions": transitions,
        # A refused move whose target is no longer offered (someone moved the ticket
        # meanwhile) still needs its message shown.
        "transition_errors": failed_transition.non_field_errors()
        if failed_transition is not None and not any(b.is_open for b in transitions)
        else [],
    }
    return render(request, "workspace/ticket.html", context, status=status)


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _ticket_page(request, workspace_selectors.ticket_for_page(_agent(request), number))


def _load(request: HttpRequest, number: str) -> Ticket:
    return ticket_selectors.get_ticket_for_user(_agent(request), number)


def _back(ticket: Ticket, event: TicketEvent | None = None) -> HttpResponse:
    anchor = f"#event-{event.pk}" if event is not None else "#latest"
    return redirect(presenters.ticket_url(ticket.number) + anchor)


Performer = Callable[[User, Ticket, Any], "TicketEvent | Ticket | None"]


def _handle(
    request: HttpRequest,
    ticket: Ticket,
    *,
    key: str,
    form: django_forms.Form,
    perform: Performer,
    success: str,
) -> HttpResponse:
    """Runs one ticket action from a posted form; the page comes back with errors if refused."""
    user = _agent(request)
    status = 422
    if form.is_valid():
        try:
            outcome = perform(user, ticket, form)
        except ActionError as exc:
            add_action_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            form.add_error(None, _("Your input is kept below: check the ticket and save again."))
            # Saving again is a deliberate overwrite of what the agent has now seen.
            data = QueryDict(mutable=True)
            data.update(form.data)
            data["version"] = str(exc.current_version)
            form.data = data
            status = 409
            ticket = ticket_selectors.get_ticket_for_user(user, ticket.number)
        else:
            messages.success(request, success)
            return _back(ticket, outcome if isinstance(outcome, TicketEvent) else None)
    return _ticket_page(request, ticket, status=status, open_form=key, **{key: form})


@agent_required
@require_POST
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: ReplyForm) -> TicketEvent:
        data = form.cleaned_data
        return actions.do_add_reply(
            ticket, actor=user, body=data["body"], attachments=data["attachments"]
        )

    form = ReplyForm(request.POST, request.FILES, auto_id="id_reply_%s")
    return _handle(request, _load(request, number), key="reply", form=form, perform=perform,
                   success=_("Reply sent to the customer."))  # fmt: skip


@agent_required
@require_POST
def ticket_note(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: NoteForm) -> TicketEvent:
        data = form.cleaned_data
        return actions.do_add_note(
            ticket, actor=user, body=data["body"], attachments=data["attachments"]
        )

    form = NoteForm(request.POST, request.FILES, auto_id="id_note_%s")
    return _handle(request, _load(request, number), key="note", form=form, perform=perform,
                   success=_("Internal note added."))  # fmt: skip


@agent_required
@require_POST
def ticket_step(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: StepForm) -> TicketEvent:
        data = form.cleaned_data
        return actions.do_record_step(
            ticket, actor=user, action=data["action"], result=data["result"],
            is_public=data["is_public"],
        )  # fmt: skip

    form = StepForm(request.POST, auto_id="id_step_%s")
    return _handle(request, _load(request, number), key="step", form=form, perform=perform,
                   success=_("Handling step recorded."))  # fmt: skip


@agent_required
@require_POST
def ticket_call(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: CallForm) -> TicketEvent:
        data = form.cleaned_data
        return actions.do_log_call(
            ticket, actor=user, direction=data["direction"], summary=data["summary"],
            phone_number=data["phone_number"], duration_seconds=form.duration_seconds(),
        )  # fmt: skip

    form = CallForm(request.POST, auto_id="id_call_%s")
    return _handle(request, _load(request, number), key="call", form=form, perform=perform,
                   success=_("Phone call logged."))  # fmt: skip


def _version(form: django_forms.Form) -> int | None:
    value = form.cleaned_data.get("version")
    return value if isinstance(value, int) else None


@agent_required
@require_POST
def ticket_fields(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: TicketFieldsForm) -> Ticket:
        return actions.do_update_fields(
            ticket, actor=user, changes=form.changes(), expected_version=_version(form)
        )

    ticket = _load(request, number)
    form = TicketFieldsForm(request.POST, ticket=ticket)
    return _handle(request, ticket, key="fields", form=form, perform=perform,
                   success=_("Ticket fields saved."))  # fmt: skip


def _shown_version(request: HttpRequest, ticket: Ticket) -> int:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isdigit() else ticket.version


@agent_required
@require_GET
def ticket_form(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """One of the ticket page's side forms, fetched when the agent opens its section.

    ``version`` is the ticket version the page was rendered at, so a change made by someone
    else after the page loaded still gives a conflict instead of being silently overwritten.
    """
    spec = SIDE_FORMS.get(name)
    if spec is None:
        raise Http404
    ticket = _load(request, number)
    version = _shown_version(request, ticket)
    view = presenters.SideFormView(
        name=name,
        post_url=reverse(spec.post_url, args=[ticket.number]),
        load_url="",
        submit=spec.submit,
        primary=spec.primary,
        form=spec.build(ticket, version),
    )
    return render(request, "workspace/_side_form.html", {"side": view})


@agent_required
@require_GET
def ticket_transition_form(request: HttpRequest, number: str, target: str) -> HttpResponse:
    """The fields a move asks for, fetched when the agent opens that move."""
    ticket = _load(request, number)
    if target not in {s.value for s in allowed_transitions(ticket.status)}:
        raise Http404
    version = _shown_version(request, ticket)
    form = _transition_form(ticket, target, version)
    block = TransitionBlock(
        target=target,
        label=str(Status(target).label),
        color=STATUS_COLORS.get(Status(target), "gray"),
        form=form,
        fields=[form[name] for name in _transition_fields(Status(target))],
        is_open=True,
    )
    return render(request, "workspace/_transition_form.html", {"ticket": ticket, "block": block})


@agent_required
@require_POST
def ticket_assign(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: AssignForm) -> Ticket:
        data = form.cleaned_data
        return actions.do_assign(
            ticket, actor=user, team=data["team"], assignee=data["assignee"], note=data["note"],
            expected_version=_version(form),
        )  # fmt: skip

    form = AssignForm(request.POST, auto_id="id_assign_%s")
    return _handle(request, _load(request, number), key="assign", form=form, perform=perform,
                   success=_("Assignment saved."))  # fmt: skip


@agent_required
@require_POST
def ticket_transition(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: TransitionForm) -> Ticket:
        data = form.cleaned_data
        return actions.do_transition(
            ticket, actor=user, to=data["to"], solution=data["solution"], result=data["result"],
            close_reason=data["close_reason"], reason=data["reason"],
            expected_version=_version(form),
        )  # fmt: skip

    target = request.POST.get("to", "")
    form = TransitionForm(request.POST, auto_id=f"id_{target}_%s")
    return _handle(request, _load(request, number), key="transition", form=form, perform=perform,
                   success=_("Status changed."))  # fmt: skip


def _other_ticket(user: User, form: django_forms.Form, current: Ticket) -> Ticket:
    try:
        return ticket_selectors.get_ticket_for_user(user, form.cleaned_data["number"])
    except Http404:
        raise ActionError({"number": [_("There is no ticket with that number.")]}) from None


@agent_required
@require_POST
def ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: LinkForm) -> None:
        other = _other_ticket(user, form, ticket)
        try:
            actions.do_link_tickets(ticket, other, actor=user, kind=form.cleaned_data["kind"])
        except ActionError as exc:
            # The action names the other ticket "other"; on this form it is "number".
            raise ActionError(
                {("number" if k == "other" else k): v for k, v in exc.message_dict.items()}
            ) from None

    form = LinkForm(request.POST, auto_id="id_link_%s")
    return _handle(request, _load(request, number), key="link", form=form, perform=perform,
                   success=_("Tickets linked."))  # fmt: skip


@agent_required
@require_POST
def ticket_merge(request: HttpRequest, number: str) -> HttpResponse:
    def perform(user: User, ticket: Ticket, form: MergeForm) -> Ticket:
        target = _other_ticket(user, form, ticket)
        try:
            return actions.do_merge_tickets(
                ticket, target, actor=user, note=form.cleaned_data["note"]
            )
        except ActionError as exc:
            raise ActionError(
                {("number" if k in ("target", "source") else k): v
                 for k, v in exc.message_dict.items()}
            ) from None  # fmt: skip

    form = MergeForm(request.POST, auto_id="id_merge_%s")
    return _handle(request, _load(request, number), key="merge", form=form, perform=perform,
                   success=_("Ticket merged."))  # fmt: skip


# --- new tickets and calls ------------------------------------------------------------------


def _new(request: HttpRequest, *, call: bool) -> HttpResponse:
    user = _agent(request)
    form_class = NewCallForm if call else NewTicketForm
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            draft = actions.NewTicket(
                **form.draft_values(), attachments=form.cleaned_data["attachments"]
            )
            try:
                if isinstance(form, NewCallForm):
                    ticket = actions.do_create_ticket_from_call(
                        draft,
                        actor=user,
                        summary=form.cleaned_data["summary"],
                        phone_number=form.cleaned_data["phone_number"],
                        duration_seconds=form.duration_seconds(),
                    )
                else:
                    ticket = actions.do_create_ticket(draft, actor=user)
            except ActionError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Ticket %(number)s filed.") % {"number": ticket.number})
                return redirect(presenters.ticket_url(ticket.number))
        status = 422
    else:
        form = form_class(initial={"organization": request.GET.get("organization") or None})
        status = 200
    return render(
        request, "workspace/new_ticket.html", {"form": form, "is_call": call}, status=status
    )


@agent_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    """An agent files a ticket for a customer from any channel (R-IN-1)."""
    return _new(request, call=False)


@agent_required
def new_call(request: HttpRequest) -> HttpResponse:
    """A phone call taken now becomes a ticket with the call on its timeline (R-CH-3)."""
    return _new(request, call=True)


@agent_required
@require_GET
def organization_fields(request: HttpRequest) -> HttpResponse:
    """The contact and product pickers for the organization just chosen (htmx)."""
    form = NewTicketForm(initial={"organization": request.GET.get("organization") or None})
    return render(request, "workspace/_organization_fields.html", {"form": form})


# --- customers ------------------------------------------------------------------------------

SUGGESTIONS = 20


@agent_required
@require_GET
def organization_suggestions(request: HttpRequest) -> HttpResponse:
    """Customer names for the queue filter's name box (htmx, into its <datalist>): the first
    ones by name, or those whose name contains what was typed."""
    typed = (request.GET.get("organization") or request.GET.get("q") or "").strip()
    organizations = crm_selectors.organization_choices()
    if typed:
        organizations = organizations.filter(name__icontains=typed)
    return render(
        request,
        "workspace/_organization_options.html",
        {"organizations": list(organizations[:SUGGESTIONS])},
    )


@agent_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = crm_selectors.organization_page(query, request.GET.get("page"))
    return render(
        request,
        "workspace/organization_list.html",
        {
            "page": page,
            "query": query,
            "previous_url": _with_params(request.GET, page=str(page.previous_page_number()))
            if page.has_previous()
            else "",
            "next_url": _with_params(request.GET, page=str(page.next_page_number()))
            if page.has_next()
            else "",
        },
    )


@agent_required
@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer, their people and products, and every ticket they filed (R-CM-1, R-CM-2)."""
    organization = crm_selectors.get_organization(pk)
    history = crm_selectors.service_history(
        organization, cursor=request.GET.get("cursor") or None, size=settings.QUEUE_PAGE_SIZE
    )
    return render(
        request,
        "workspace/organization.html",
        {
            "organization": organization,
            "contacts": list(organization.contacts.all()),
            "products": list(organization.installed_products.all()),
            "rows": presenters.rows(history.items),
            "next_url": _with_params(request.GET, cursor=history.next_cursor)
            if history.next_cursor
            else "",
            "first_url": "?" if request.GET.get("cursor") else "",
            "queue_url": reverse("workspace:queue")
            + "?"
            + urlencode({"queue": "all", "organization": organization.pk}),
        },
    )
