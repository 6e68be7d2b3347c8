"""One search box for everything (R-KB-3), suggestions while a customer describes a problem
(R-IN-6) and the similar-cases panel on the agent's ticket page (R-DX-6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from supportdesk.accounts.models import User
from supportdesk.knowledge.actions import TYPICAL_CASES_PER_MONTH
from supportdesk.knowledge.models import TypicalCase
from supportdesk.knowledge.selectors import typical_cases_this_month
from supportdesk.search.backends import Filters, Hit
from supportdesk.search.choices import DocKind
from supportdesk.search.service import search
from supportdesk.tickets.choices import Status
from supportdesk.tickets.selectors import get_ticket_for_user

PAGE_SIZE = 30
SUGGESTIONS = 5
MAX_QUERY = 5000


@dataclass
class Row:
    kind_label: str
    kind: str
    url: str
    ref: str
    title_html: SafeString
    snippet: SafeString
    object_id: int
    status: str
    solution: str
    archived: bool


def _url(hit: Hit, user: User) -> str:
    if hit.kind == DocKind.TICKET:
        name = "workspace:ticket" if user.is_agent else "portal:ticket"
        return reverse(name, args=[hit.ref])
    if hit.kind == DocKind.ARTICLE:
        return reverse("knowledge:article", args=[hit.object_id])
    return reverse("workspace:organization", args=[int(hit.ref)]) if hit.ref else ""


def present(hits: list[Hit], user: User) -> list[Row]:
    labels = dict(DocKind.choices)
    statuses = dict(Status.choices)
    return [
        Row(
            kind_label=str(labels.get(h.kind, h.kind)),
            kind=h.kind,
            url=_url(h, user),
            ref=h.ref if h.kind == DocKind.TICKET else "",
            title_html=h.title_html,
            snippet=h.snippet,
            object_id=h.object_id,
            status=str(statuses.get(h.extra.get("status", ""), "")),
            solution=h.extra.get("solution", ""),
            archived=bool(h.extra.get("archived")),
        )
        for h in hits
    ]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "")[:MAX_QUERY]
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind in DocKind.values else None
    state = request.GET.get("state", "")
    filters = Filters(
        state=state if state in ("open", "closed") else "",
        include_archived=request.GET.get("archived", "1") != "0",
    )
    hits = search(query, user=user, kinds=kinds, limit=PAGE_SIZE, filters=filters) if query else []
    rows = present(hits, user)
    kind_choices = DocKind.choices if user.is_agent else [
        c for c in DocKind.choices if c[0] in (DocKind.TICKET, DocKind.ARTICLE)
    ]  # fmt: skip
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "kind": kind,
            "rows": rows,
            "kind_choices": kind_choices,
            "state": filters.state,
            "include_archived": filters.include_archived,
        },
    )


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Public articles matching what the customer is typing as the subject (htmx partial)."""
    query = request.GET.get("subject", "")[:200]
    user = _user(request)
    # Only public articles, whoever is looking at the portal form, and of those only the ones
    # this reader has the permissions for.
    hits = (
        search(query, user=user, kinds=[DocKind.ARTICLE], limit=SUGGESTIONS, public_only=True)
        if query
        else []
    )
    return render(
        request, "search/_suggestions.html", {"rows": present(hits, user), "query": query}
    )


@login_required
@require_GET
def similar(request: HttpRequest, number: str) -> HttpResponse:
    """Past tickets like this one (with their solutions) and relevant articles (partial)."""
    user = _user(request)
    if not user.is_agent:
        raise Http404
    ticket = get_ticket_for_user(user, number)
    query = f"{ticket.subject} {ticket.description[:200]}"
    tickets = search(
        query, user=user, kinds=[DocKind.TICKET], limit=5, exclude=[(DocKind.TICKET, ticket.pk)]
    )
    articles = search(query, user=user, kinds=[DocKind.ARTICLE], limit=5)
    resolved = ticket.status in (Status.RESOLVED, Status.CLOSED)
    lead = user.is_lead_or_above
    return render(
        request,
        "search/_similar.html",
        {
            "tickets": present(tickets, user),
            "articles": present(articles, user),
            "article_from_ticket_url": reverse("knowledge:article_from_ticket", args=[number])
            if resolved
            else "",
            "mark_typical_url": reverse("knowledge:mark_typical_case", args=[number])
            if resolved and lead and not TypicalCase.objects.filter(ticket=ticket).exists()
            else "",
            "typical_count": typical_cases_this_month(user) if lead else None,
            "typical_target": "{}–{}".format(*TYPICAL_CASES_PER_MONTH),
        },
    )
