"""``GET /search``: the one search box over the API, same permissions as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from supportdesk.api.auth import current_user
from supportdesk.api.errors import LIST_ERRORS
from supportdesk.search.choices import DocKind
from supportdesk.search.service import search

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(..., max_length=5000, description="What to look for, in any language.")
    kind: DocKind | None = Field(None, description="Only this kind of result.")
    limit: int = Field(20, ge=1, le=100)


class HitOut(Schema):
    kind: DocKind
    id: int
    ref: str = Field(description="Ticket number for tickets; else empty.")
    title: str
    title_html: str = Field(description="Title with matched words in <mark>, HTML-escaped.")
    snippet_html: str = Field(description="Excerpt with matched words in <mark>, HTML-escaped.")


class SearchOut(Schema):
    items: list[HitOut]


@router.get("/search", response={200: SearchOut, **LIST_ERRORS})
def search_everything(request: HttpRequest, params: Query[SearchParams]) -> dict[str, object]:
    """Tickets (archived ones too), articles and customers for agents; public articles and
    the caller's own organization's tickets for customers. Ranked, best first."""
    user = current_user(request)
    hits = search(params.q, user=user, kinds=[params.kind] if params.kind else None,
                  limit=params.limit)  # fmt: skip
    return {
        "items": [
            {
                "kind": h.kind,
                "id": h.object_id,
                "ref": h.ref if h.kind == DocKind.TICKET else "",
                "title": h.title,
                "title_html": str(h.title_html),
                "snippet_html": str(h.snippet),
            }
            for h in hits
        ]
    }
