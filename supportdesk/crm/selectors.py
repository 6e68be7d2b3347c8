"""Reads of customer records and their service history (R-CM-1, R-CM-2).

Only agents reach these (the workspace checks); customers see their organization through the
portal's ticket list, never through these loaders.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from supportdesk.crm.models import Contact, InstalledProduct, Organization
from supportdesk.tickets import selectors as ticket_selectors
from supportdesk.tickets.models import Ticket

ORGANIZATIONS_PER_PAGE = 50
HISTORY_PAGE_SIZE = 50
# Service history is read newest first; the keyset cursor follows this ordering.
HISTORY_SORT = "-created_at"


def search_organizations(query: str = "") -> QuerySet[Organization]:
    qs = Organization.objects.order_by("name", "id")
    query = query.strip()
    if query:
        qs = qs.filter(name__icontains=query)
    return qs


def organization_page(query: str, page_number: str | int | None) -> Page:
    """One page of the customer list. Organizations number in thousands, not millions, so
    numbered pages (with their count) stay cheap here, unlike ticket queues."""
    paginator = Paginator(search_organizations(query), ORGANIZATIONS_PER_PAGE)
    return paginator.get_page(page_number)


def get_organization(pk: int) -> Organization:
    """An organization with its contacts and installed products, in three queries."""
    organization = (
        Organization.objects.prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name", "id")),
            Prefetch(
                "installed_products",
                queryset=InstalledProduct.objects.select_related("product", "version").order_by(
                    "product__name", "id"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if organization is None:
        raise Http404("no such organization")
    return organization


def service_history(
    organization: Organization, *, cursor: str | None = None, size: int = HISTORY_PAGE_SIZE
) -> ticket_selectors.Page:
    """The organization's tickets, newest first, one keyset page at a time (R-CM-2)."""
    qs = Ticket.objects.filter(organization=organization).select_related(
        *ticket_selectors.QUEUE_SELECT_RELATED, "contact"
    )
    return ticket_selectors.paginate(qs, HISTORY_SORT, cursor, size)


def organization_choices() -> QuerySet[Organization]:
    """Organizations for pickers: only what a ``<select>`` needs."""
    return Organization.objects.only("id", "name").order_by("name", "id")


def contacts_of(organization_id: int | None) -> QuerySet[Contact]:
    if organization_id is None:
        return Contact.objects.none()
    return Contact.objects.filter(organization_id=organization_id).order_by("name", "id")


def installed_products_of(organization_id: int | None) -> QuerySet[InstalledProduct]:
    if organization_id is None:
        return InstalledProduct.objects.none()
    return (
        InstalledProduct.objects.filter(organization_id=organization_id)
        .select_related("product", "version")
        .order_by("product__name", "id")
    )
