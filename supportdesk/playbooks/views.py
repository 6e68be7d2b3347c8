"""Guided troubleshooting on the agent's ticket page (R-DX-1…4)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.playbooks.actions import (
    do_record_playbook_step,
    do_record_reproduction,
    do_send_data_request,
)
from supportdesk.playbooks.choices import StepResult
from supportdesk.playbooks.forms import DataRequestForm, ReproductionForm, StepForm
from supportdesk.playbooks.models import DataRequestTemplate, Playbook
from supportdesk.playbooks.selectors import data_requests, playbook_runs, reproductions
from supportdesk.tickets.permissions import agent_or_404
from supportdesk.tickets.selectors import get_ticket_for_user


def _agent(request: HttpRequest) -> User:
    return agent_or_404(cast(User, request.user))


@login_required
@require_GET
def panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_for_user(_agent(request), number)
    return render(
        request,
        "playbooks/_panel.html",
        {
            "ticket": ticket,
            "runs": playbook_runs(ticket),
            "results": StepResult.choices,
            "templates": DataRequestTemplate.objects.filter(active=True),
            "requests": data_requests(ticket),
            "reproductions": reproductions(ticket),
            "reproduction_form": ReproductionForm(),
        },
    )


@login_required
@require_POST
def record_step(request: HttpRequest, number: str) -> HttpResponse:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect("workspace:ticket", number=number)
    playbook = get_object_or_404(Playbook, pk=form.cleaned_data["playbook"], active=True)
    try:
        do_record_playbook_step(
            ticket,
            playbook,
            step=form.cleaned_data["step"],
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
            actor=user,
        )
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("workspace:ticket", number=number)


@login_required
@require_POST
def send_data_request(request: HttpRequest, number: str) -> HttpResponse:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    form = DataRequestForm(request.POST)
    if form.is_valid():
        template = get_object_or_404(
            DataRequestTemplate, pk=form.cleaned_data["template"], active=True
        )
        do_send_data_request(ticket, template, actor=user, note=form.cleaned_data["note"])
    return redirect("workspace:ticket", number=number)


@login_required
@require_POST
def record_reproduction(request: HttpRequest, number: str) -> HttpResponse:
    user = _agent(request)
    ticket = get_ticket_for_user(user, number)
    form = ReproductionForm(request.POST, request.FILES)
    if not form.is_valid():
        # Nothing is stored; the message names every field at fault.
        problems = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            problems.append(f"{label}: {' '.join(str(e) for e in errors)}")
        messages.error(request, " ".join(problems))
        return redirect("workspace:ticket", number=number)
    try:
        do_record_reproduction(
            ticket,
            actor=user,
            environment=form.cleaned_data["environment"],
            steps=form.cleaned_data["steps"],
            expected=form.cleaned_data["expected"],
            actual=form.cleaned_data["actual"],
            reproduced=form.cleaned_data["reproduced"],
            files=form.cleaned_data["attachments"] or [],
        )
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reproduction recorded."))
    return redirect("workspace:ticket", number=number)
