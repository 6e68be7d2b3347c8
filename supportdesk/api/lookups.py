"""Turning the codes and ids of a request into rows, with field-level errors.

A payload names things the way a client knows them: a priority by code (``P1``), a
category by code, an organization or product by id, another ticket by number. Every
unknown name is collected, so one 422 lists them all, and nothing is changed before
all of them are found.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.core.errors import ActionError
from supportdesk.core.prepared import PreparedRead, first_together
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.selectors import get_ticket_for_user

M = TypeVar("M", bound=Model)


class Lookups:
    """Collects "no such …" errors per field; ``check()`` raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def one(self, qs: QuerySet[M], field: str, **filters: Any) -> M | None:
        # No ORDER BY: the filters name one row (``first()``'s ordering costs more CPU to
        # compile than the lookup takes).
        rows = list(qs.filter(**filters).order_by()[:1])
        return self._found(field, rows[0] if rows else None)

    def optional(self, qs: QuerySet[M], field: str, value: Any, key: str = "pk") -> M | None:
        if value is None or value == "":
            return None
        return self.one(qs, field, **{key: value})

    def prepared(self, read: PreparedRead[M], field: str, value: Any) -> M | None:
        """``optional`` through a read compiled once (``core.prepared``), for hot paths."""
        [found] = self.prepared_together((field, read, value))
        return found

    def prepared_together(self, *reads: tuple[str, PreparedRead[Any], Any]) -> list[Any]:
        """``prepared`` for each (field, read, value), all read in one round trip (PostgreSQL)."""
        asked = [(field, read, value) for field, read, value in reads if value not in (None, "")]
        rows = first_together(*[(read, value) for _field, read, value in asked]) if asked else []
        found = {
            field: self._found(field, row)
            for (field, _read, _value), row in zip(asked, rows, strict=True)
        }
        return [found.get(field) for field, _read, _value in reads]

    def _found(self, field: str, found: M | None) -> M | None:
        if found is None:
            self.errors.setdefault(field, []).append(_("Nothing with this value exists."))
        return found

    def ticket(self, user: User, field: str, number: str) -> Ticket | None:
        try:
            return get_ticket_for_user(user, number.strip().upper())
        except Http404:
            self.errors.setdefault(field, []).append(_("No such ticket."))
            return None

    def same_organization(self, field: str, row: Any, organization: Any) -> None:
        """Refuses a contact or product of another organization than the ticket's."""
        if row is not None and organization is not None and row.organization_id != organization.pk:
            self.errors.setdefault(field, []).append(
                _("This belongs to another organization than the ticket's.")
            )

    def check(self) -> None:
        if self.errors:
            raise ActionError(self.errors)
