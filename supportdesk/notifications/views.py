"""The signed-in user's notifications (R-SL-2): list, mark as read, and the live feed.

Live delivery: the open page polls ``live`` with htmx every few seconds, passing the id of
the last notification it has seen. Chosen over Server-Sent Events because the rows are
written by the worker in another process, so an SSE view would have to poll the table
anyway; polling from the page gives the same query (one range scan of the ``notif_live``
index) without holding a server thread and its database connection per open tab for hours
(a worker has 4), and survives proxies that buffer streamed responses. An empty poll
answers 204, which htmx leaves alone, so the idle cost is one small request per tab every
few seconds.
"""

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


LIVE_POLL_SECONDS = 3


@login_required
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """New notifications since ``after`` (as toasts, out of band) and the next poller.

    Without ``after`` (the page just opened) it only hands out the current cursor.
    """
    user = _user(request)
    raw = request.GET.get("after", "")
    if not raw.isdigit():
        items, cursor = [], selectors.latest_id(user)
    else:
        items = selectors.newer_than(user, int(raw))
        if not items:
            return HttpResponse(status=204)
        cursor = items[-1].pk
    return render(
        request,
        "notifications/_live_poll.html",
        {"items": items, "cursor": cursor, "interval": LIVE_POLL_SECONDS},
    )
