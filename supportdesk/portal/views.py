"""The customer portal: file a ticket, follow the organization's tickets, reply, verify.

Each view parses input with a form, loads the ticket through the access-checked selector
(another organization's ticket is a 404), calls an action and renders. Agents have the
workspace and are sent there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.core.links import ticket_link
from supportdesk.crm.models import Contact
from supportdesk.portal.formatting import response_promise
from supportdesk.portal.forms import (
    AddFilesForm,
    ConfirmForm,
    NewTicketForm,
    ReopenForm,
    ReplyForm,
)
from supportdesk.portal.presenters import present, status_label
from supportdesk.portal.selectors import PortalFilters, portal_ticket_page
from supportdesk.tickets import actions, permissions
from supportdesk.tickets.choices import STATUS_COLORS, Channel, Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.selectors import get_ticket_for_user, timeline

View = Callable[..., HttpResponse]
SHOWN_TIME = "Y-m-d H:i"


def customer_required(view: View) -> View:
    """Signed-in customers only; engineers work from the workspace instead.

    An engineer following a customer's link to a ticket lands on that ticket's workspace page.
    """

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _user(request).is_agent:
            if "number" in kwargs:
                return redirect("workspace:ticket", number=kwargs["number"])
            return redirect("workspace:queue")
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _local(value: Any) -> str:
    return format_date(timezone.localtime(value), SHOWN_TIME) if value else ""


def _apply_action_errors(form: forms.Form, error: ActionError) -> None:
    """Puts an action's refusal next to the field it concerns (or above the form)."""
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


# --- list -------------------------------------------------------------------------------


@customer_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    filters = PortalFilters.from_query(request.GET.dict())
    page = portal_ticket_page(_user(request), filters, cursor=request.GET.get("cursor") or None)
    base_query = {"scope": filters.scope, "state": filters.state, "sort": filters.sort}
    next_url = (
        f"{reverse('portal:ticket_list')}?{urlencode({**base_query, 'cursor': page.next_cursor})}"
        if page.next_cursor
        else ""
    )
    context = {
        "rows": [
            (
                t,
                STATUS_COLORS.get(Status(t.status), "gray"),
                ticket_link("portal:ticket", t.number),
                status_label(t.status),
            )
            for t in page.items
        ],
        "filters": filters,
        "next_url": next_url,
        "first_page": not request.GET.get("cursor"),
    }
    # "Show more" asks htmx for the next rows only, appended under the ones shown.
    if getattr(request, "htmx", False):
        response = render(request, "portal/_ticket_rows.html", context)
    else:
        response = render(request, "portal/ticket_list.html", context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- filing -------------------------------------------------------------------------------


@customer_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = NewTicketForm(request.POST, request.FILES, user=user)
    else:
        form = NewTicketForm(user=user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        draft = actions.NewTicket(
            subject=data["subject"],
            description=data["description"],
            type=data["type"],
            category=data["category"],
            priority=data["priority"],
            channel=Channel.PORTAL,
            organization=user.organization,
            contact=Contact.objects.filter(user=user).first(),
            installed_product=data["installed_product"],
            occurred_at=data["occurred_at"],
            frequency=data["frequency"],
            reproducibility=data["reproducibility"],
            env_os=data["env_os"],
            env_software_version=data["env_software_version"],
            env_browser=data["env_browser"],
            env_network=data["env_network"],
            env_hardware=data["env_hardware"],
            steps_tried=data["steps_tried"],
            attachments=data["attachments"],
        )
        try:
            ticket = actions.do_create_ticket(draft, actor=user)
        except ActionError as exc:
            _apply_action_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your ticket %(number)s has been received. %(promise)s "
                    "Expected first response by %(due)s."
                )
                % {
                    "number": ticket.number,
                    "promise": response_promise(ticket.priority.first_response_minutes),
                    "due": _local(ticket.first_response_due_at),
                },
            )
            return redirect("portal:ticket", number=ticket.number)
    return render(
        request,
        "portal/new_ticket.html",
        {
            "form": form,
            # Browsers never refill file inputs: say so when the form comes back.
            "files_dropped": request.method == "POST" and bool(request.FILES),
        },
        status=400 if form.errors else 200,
    )


# --- one ticket ---------------------------------------------------------------------------


def _ticket_page(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    user = _user(request)
    can_reply = permissions.can_reply(user, ticket)
    is_resolved = ticket.status == Status.RESOLVED
    can_reopen = permissions.can_transition(user, ticket, Status.REOPENED)
    events = present(timeline(ticket, user))
    # Refusals not tied to a field (e.g. "only a resolved ticket can be confirmed") show at the
    # top: the form that caused them may no longer be on the page.
    page_errors = [error for form in forms_.values() for error in form.non_field_errors()]
    context: dict[str, Any] = {
        "page_errors": page_errors,
        "ticket": ticket,
        "status_color": STATUS_COLORS.get(Status(ticket.status), "gray"),
        "events": events,
        "attachments": [file for item in events for file in item.files],
        "awaiting_first_response": ticket.is_open and ticket.first_responded_at is None,
        "promise": response_promise(ticket.priority.first_response_minutes),
        "can_reply": can_reply,
        "can_confirm": is_resolved and permissions.can_transition(user, ticket, Status.CLOSED),
        "can_reopen": can_reopen,
        "is_resolved": is_resolved,
        "reply_form": forms_.get("reply_form") or ReplyForm(),
        "files_form": forms_.get("files_form") or AddFilesForm(),
        "confirm_form": forms_.get("confirm_form") or ConfirmForm(),
        "reopen_form": forms_.get("reopen_form") or ReopenForm(),
    }
    return render(request, "portal/ticket_detail.html", context, status=status)


@customer_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _ticket_page(request, get_ticket_for_user(_user(request), number))


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{reverse('portal:ticket', args=[ticket.number])}#latest")


@require_POST
@customer_required
def reply(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    ticket = get_ticket_for_user(user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_add_reply(
                ticket,
                actor=user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ActionError as exc:
            _apply_action_errors(form, exc)
        else:
            return _done(request, ticket, _("Your reply was added."))
    return _ticket_page(request, ticket, status=400, reply_form=form)


@require_POST
@customer_required
def add_files(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    ticket = get_ticket_for_user(user, number)
    form = AddFilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_add_attachments(ticket, actor=user, files=form.cleaned_data["attachments"])
        except ActionError as exc:
            _apply_action_errors(form, exc)
        else:
            return _done(request, ticket, _("Your files were added."))
    return _ticket_page(request, ticket, status=400, files_form=form)


@require_POST
@customer_required
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    ticket = get_ticket_for_user(user, number)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            actions.do_confirm_resolution(ticket, actor=user, comment=form.cleaned_data["comment"])
        except ActionError as exc:
            _apply_action_errors(form, exc)
        else:
            return _done(request, ticket, _("Thank you for confirming. The ticket is closed."))
    return _ticket_page(request, ticket, status=400, confirm_form=form)


@require_POST
@customer_required
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    ticket = get_ticket_for_user(user, number)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reopen(ticket, actor=user, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            _apply_action_errors(form, exc)
        else:
            return _done(
                request, ticket, _("The ticket is reopened; an engineer will pick it up again.")
            )
    return _ticket_page(request, ticket, status=400, reopen_form=form)
