"""Reads of the customer portal, built on the ticket selectors' access rules and keyset paging."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.accounts.models import User
from supportdesk.tickets.selectors import CLOSED, OPEN, Page, paginate, queue_queryset

SCOPES = ("org", "mine")
STATES = ("", "open", "closed")
PORTAL_SORTS = ("-created_at", "-updated_at")
PAGE_SIZE = 25


@dataclass
class PortalFilters:
    """What the customer asked to see; anything unknown falls back to the default."""

    scope: str = "org"
    state: str = ""
    sort: str = "-created_at"

    @classmethod
    def from_query(cls, query: dict[str, str]) -> PortalFilters:
        scope = query.get("scope", "")
        state = query.get("state", "")
        sort = query.get("sort", "")
        return cls(
            scope=scope if scope in SCOPES else "org",
            state=state if state in STATES else "",
            sort=sort if sort in PORTAL_SORTS else "-created_at",
        )


def portal_ticket_page(
    user: User, filters: PortalFilters, *, cursor: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """The organization's tickets (``visible_tickets`` limits a customer to their own)."""
    qs = queue_queryset(user, "all").select_related("priority", "created_by")
    if filters.scope == "mine":
        qs = qs.filter(created_by=user)
    if filters.state == "open":
        qs = qs.filter(OPEN)
    elif filters.state == "closed":
        qs = qs.filter(CLOSED)
    return paginate(qs, filters.sort, cursor, size)
