"""SLA pieces of the agent ticket page: the clocks card (refreshed every minute by htmx) and
the emergency panel (loaded by htmx after the page, so the ticket page stays fast): declare,
contact clock, contingency-plan checklist, reports to management."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.sla import selectors
from supportdesk.sla.emergency import (
    do_add_emergency_report,
    do_check_contingency_item,
    do_declare_emergency,
)
from supportdesk.sla.forms import (
    ChecklistItemForm,
    DeclareEmergencyForm,
    EmergencyReportForm,
)
from supportdesk.tickets import permissions
from supportdesk.tickets.selectors import get_ticket_for_user

View = Callable[..., HttpResponse]


def agent_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Customers are told nothing about internal clocks, not even that these pages exist.
        if not isinstance(request.user, User) or not permissions.is_agent(request.user):
            raise Http404("not an agent")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _back(number: str) -> HttpResponse:
    return redirect("workspace:ticket", number)


@agent_only
@require_GET
def ticket_clocks(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, number)  # type: ignore[arg-type]
    return render(
        request,
        "sla/_clocks_card.html",
        {"ticket": ticket, "sla_clocks": selectors.ticket_clocks(ticket)},
    )


@agent_only
@require_POST
def declare_emergency(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_for_user(user, number)
    form = DeclareEmergencyForm(request.POST)
    if form.is_valid():
        try:
            do_declare_emergency(ticket, actor=user, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            for error in exc.messages:
                messages.error(request, error)
    return _back(number)


@agent_only
@require_POST
def emergency_report(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_for_user(user, number)
    form = EmergencyReportForm(request.POST)
    # An empty report is refused by the action, with its message.
    body = form.cleaned_data["body"] if form.is_valid() else ""
    try:
        do_add_emergency_report(ticket, actor=user, body=body)
    except ActionError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return _back(number)


@agent_only
@require_GET
def emergency_panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, number)  # type: ignore[arg-type]
    return render(
        request,
        "sla/_emergency.html",
        {
            "ticket": ticket,
            "emergency": selectors.emergency_view(ticket),
            "can_declare": ticket.is_open,
            "report_form": EmergencyReportForm(auto_id="id_emergency_%s"),
            "declare_form": DeclareEmergencyForm(auto_id="id_declare_%s"),
        },
    )


@agent_only
@require_POST
def check_contingency_item(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_for_user(user, number)
    form = ChecklistItemForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError({"item": [_("Choose a step of the contingency plan.")]})
        do_check_contingency_item(ticket, actor=user, item_id=form.cleaned_data["item"])
    except ActionError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return _back(number)
