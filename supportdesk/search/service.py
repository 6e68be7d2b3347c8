"""The one search entry point pages and the API use."""

from __future__ import annotations

from supportdesk.accounts.models import User
from supportdesk.knowledge.selectors import satisfied_requirements, synonym_groups
from supportdesk.search.backends import Filters, Hit, get_backend


def search(
    query: str,
    *,
    user: User | None,
    kinds: list[str] | None = None,
    limit: int = 20,
    exclude: list[tuple[str, int]] | None = None,
    filters: Filters | None = None,
    public_only: bool = False,
) -> list[Hit]:
    """Ranked hits ``user`` may open: articles that require permissions only when the user
    has every one of them (R-KB-1)."""
    return get_backend().search(
        query,
        kinds=kinds,
        user=user,
        limit=limit,
        synonyms=synonym_groups(),
        exclude=exclude,
        filters=filters,
        permitted=satisfied_requirements(user),
        public_only=public_only,
    )
