"""The signed-in user's notifications (R-SL-2): list, and mark as read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.notifications import selectors
from supportdesk.notifications.actions import do_mark_read


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "notifications/inbox.html",
        {"items": selectors.inbox(user), "unread": selectors.unread_count(user)},
    )


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    do_mark_read(_user(request))
    return redirect("notifications:inbox")
