"""Agent pages: the ticket page's escalation/collaboration panel, the team inbox, availability.

Each view: parse the form, load through an access-checked helper (404 for customers and
outsiders), call the action, then show the ticket again. Refused input re-renders the panel
with the typed text and the action's message (nothing lost).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.routing import actions, selectors
from supportdesk.routing.choices import ESCALATION_STATUS_COLORS, EscalationStatus
from supportdesk.routing.forms import (
    AvailabilityForm,
    CloseThreadForm,
    EscalationForm,
    ReturnForm,
    ThreadForm,
    ThreadMessageForm,
)
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.permissions import agent_or_404
from supportdesk.tickets.selectors import get_ticket_for_user


def _agent(request: HttpRequest) -> User:
    return agent_or_404(cast(User, request.user))


def _panel_context(request: HttpRequest, ticket: Ticket, **forms: Form) -> dict[str, Any]:
    user = cast(User, request.user)
    now = timezone.now()
    escalations = list(selectors.ticket_escalations(ticket))
    team_ids = set(selectors.my_team_ids(user))
    pending = next((r for r in escalations if r.status == EscalationStatus.PENDING), None)
    threads = list(selectors.ticket_threads(ticket))
    return {
        "ticket": ticket,
        "escalations": [
            {"request": r, "color": ESCALATION_STATUS_COLORS[EscalationStatus(r.status)]}
            for r in escalations
        ],
        "pending": pending,
        "can_decide": pending is not None
        and (pending.to_team_id in team_ids or pending.to_team.lead_id == user.pk),
        "threads": [{"thread": t, "overdue": t.is_overdue(now)} for t in threads],
        "escalation_form": forms.get("escalation_form") or EscalationForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "thread_form": forms.get("thread_form")
        or ThreadForm(initial={"due_at": timezone.localtime(now + dt.timedelta(hours=2))}),
        "message_form": ThreadMessageForm(),
        "close_form": CloseThreadForm(),
        "error_thread": forms.get("error_thread"),
        "thread_error_form": forms.get("thread_error_form"),
    }


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("workspace:ticket", args=[ticket.number])
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _refused(request: HttpRequest, ticket: Ticket, **forms: Any) -> HttpResponse:
    context = _panel_context(request, ticket, **forms)
    if getattr(request, "htmx", False):
        # 200 so htmx swaps the panel in with the errors and the typed text.
        return render(request, "routing/_panel.html", context)
    return render(request, "routing/panel_page.html", context, status=422)


def _apply_errors(form: Form, error: ActionError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_GET
def panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_for_user(_agent(request), number)
    return render(request, "routing/_panel.html", _panel_context(request, ticket))


@login_required
@require_POST
def escalate(request: HttpRequest, number: str) -> HttpResponse:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            actions.do_request_escalation(
                ticket,
                actor=user,
                to_team=form.cleaned_data["to_team"],
                impact=form.cleaned_data["impact"],
                tried=form.cleaned_data["tried"],
                reason=form.cleaned_data["reason"],
            )
            return _done(request, ticket, _("Escalation requested."))
        except ActionError as error:
            _apply_errors(form, error)
    return _refused(request, ticket, escalation_form=form)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    esc = selectors.get_escalation_for_agent(user, pk)
    ticket = get_ticket_for_user(user, esc.ticket.number)
    try:
        actions.do_accept_escalation(esc, actor=user)
    except PermissionDenied:
        raise Http404 from None
    except ActionError as error:
        form = ReturnForm()
        _apply_errors(form, error)
        return _refused(request, ticket, return_form=form)
    return _done(request, ticket, _("You took the escalated ticket."))


@login_required
@require_POST
def return_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    esc = selectors.get_escalation_for_agent(user, pk)
    ticket = get_ticket_for_user(user, esc.ticket.number)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            actions.do_return_escalation(esc, actor=user, reason=form.cleaned_data["reason"])
            return _done(request, ticket, _("Escalation returned."))
        except PermissionDenied:
            raise Http404 from None
        except ActionError as error:
            _apply_errors(form, error)
    return _refused(request, ticket, return_form=form)


@login_required
@require_POST
def open_thread(request: HttpRequest, number: str) -> HttpResponse:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    form = ThreadForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_open_thread(
                ticket,
                actor=user,
                team=data["team"],
                owner=data["owner"],
                subject=data["subject"],
                due_at=data["due_at"],
                message=data["message"],
                tell_customer=data["tell_customer"],
            )
            return _done(request, ticket, _("Collaboration thread opened."))
        except ActionError as error:
            _apply_errors(form, error)
    return _refused(request, ticket, thread_form=form)


@login_required
@require_POST
def thread_message(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    thread = selectors.get_thread_for_agent(user, pk)
    ticket = get_ticket_for_user(user, thread.ticket.number)
    form = ThreadMessageForm(request.POST)
    if form.is_valid():
        try:
            actions.do_post_thread_message(thread, actor=user, body=form.cleaned_data["body"])
            return _done(request, ticket, _("Message posted."))
        except ActionError as error:
            _apply_errors(form, error)
    return _refused(request, ticket, error_thread=thread.pk, thread_error_form=form)


@login_required
@require_POST
def close_thread(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    thread = selectors.get_thread_for_agent(user, pk)
    ticket = get_ticket_for_user(user, thread.ticket.number)
    form = CloseThreadForm(request.POST)
    if form.is_valid():
        try:
            actions.do_close_thread(thread, actor=user, outcome=form.cleaned_data["outcome"])
            return _done(request, ticket, _("Collaboration thread closed."))
        except ActionError as error:
            _apply_errors(form, error)
    return _refused(request, ticket, error_thread=thread.pk, thread_error_form=form)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """What waits for my teams: escalations to accept, collaboration threads to answer."""
    user = _agent(request)
    now = timezone.now()
    threads = list(selectors.open_threads(user))
    return render(
        request,
        "routing/inbox.html",
        {
            "pending": list(selectors.pending_escalations(user)),
            "threads": [{"thread": t, "overdue": t.is_overdue(now)} for t in threads],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    """An engineer sets whether routing may give them new tickets."""
    user = _agent(request)
    current = selectors.availability_of(user, timezone.now())
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        if form.is_valid():
            try:
                actions.do_set_availability(
                    user,
                    on_duty=form.cleaned_data["on_duty"],
                    away_until=form.cleaned_data["away_until"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Availability saved."))
                return redirect("routing:availability")
            except ActionError as error:
                _apply_errors(form, error)
        status = 422
    else:
        form = AvailabilityForm(
            initial={
                "on_duty": current.on_duty,
                "away_until": timezone.localtime(current.away_until)
                if current.away_until
                else None,
                "note": current.note,
            }
        )
        status = 200
    return render(
        request, "routing/availability.html", {"form": form, "current": current}, status=status
    )
