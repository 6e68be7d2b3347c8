"""Cursor pagination for list calls: ``{"items": [...], "next_cursor": "..." | null}``.

Cursors are opaque keyset positions (``tickets.selectors.encode_cursor``), so a page costs
one indexed range scan at any depth and rows inserted meanwhile never shift a page: walking
``next_cursor`` until it is null visits every row once. Offsets would do neither at a
million tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from supportdesk.core.errors import ActionError
from supportdesk.tickets.selectors import decode_cursor, encode_cursor

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50


class PageParams(Schema):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=settings.API_PAGE_SIZE_MAX)


def checked_cursor(cursor: str | None, ordering: Sequence[str]) -> str | None:
    """Refuses a cursor that is not one we handed out (rather than silently restarting)."""
    if cursor and decode_cursor(cursor, ordering) is None:
        raise ActionError({"cursor": [_("This cursor is not valid; start from the first page.")]})
    return cursor or None


def id_page(qs: QuerySet[M], cursor: str | None, limit: int) -> dict[str, Any]:
    """A page of ``qs`` in id order (for small, append-mostly lists: organizations, contacts)."""
    ordering = ("id",)
    qs = qs.order_by(*ordering)
    if checked_cursor(cursor, ordering):
        values = decode_cursor(cursor or "", ordering) or [0]
        qs = qs.filter(pk__gt=values[0])
    items = list(qs[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1].pk])
    return {"items": items, "next_cursor": next_cursor}
