"""Agent pages of mail intake: a received mail as its sender formatted it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk.workspace.views import agent_required

from .selectors import get_inbound_for_user


@agent_required
def inbound_mail(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    message = get_inbound_for_user(request.user, number, pk)  # type: ignore[arg-type]
    return render(request, "intake/inbound_mail.html", {"message": message})
