"""The CRM part of the REST API: organizations, contacts, products (R-CM-1).

Agents see every organization; a customer sees only their own (any other id is a 404, as
for tickets). The product catalogue is readable by everyone signed in.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router

from supportdesk.accounts.models import User
from supportdesk.api.auth import current_user
from supportdesk.api.errors import COMMON_ERRORS, LIST_ERRORS
from supportdesk.api.pagination import PageParams, id_page
from supportdesk.crm import selectors
from supportdesk.crm.models import Contact, InstalledProduct, Organization, Product
from supportdesk.crm.schemas import (
    ContactOut,
    ContactPage,
    InstalledProductOut,
    OrganizationOut,
    OrganizationPage,
    ProductOut,
)
from supportdesk.tickets import permissions

router = Router(tags=["customers"])


def visible_organizations(user: User) -> QuerySet[Organization]:
    if permissions.is_agent(user):
        return Organization.objects.all()
    if user.is_active and user.is_customer and user.organization_id is not None:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def get_organization_for_user(user: User, organization_id: int) -> Organization:
    organization = visible_organizations(user).filter(pk=organization_id).first()
    if organization is None:
        raise Http404("no such organization")
    return organization


class OrganizationParams(PageParams):
    q: str | None = Field(None, description="Part of the name.")


class ContactParams(PageParams):
    organization: int | None = None
    q: str | None = Field(None, description="Part of the name or email.")


@router.get("/organizations", response={200: OrganizationPage, **LIST_ERRORS})
def list_organizations(request: HttpRequest, params: Query[OrganizationParams]) -> dict[str, Any]:
    qs = visible_organizations(current_user(request))
    if params.q:
        qs = qs.filter(name__icontains=params.q.strip())
    return id_page(qs, params.cursor, params.limit)


@router.get("/organizations/{organization_id}", response={200: OrganizationOut, **COMMON_ERRORS})
def read_organization(request: HttpRequest, organization_id: int) -> Organization:
    return get_organization_for_user(current_user(request), organization_id)


@router.get("/organizations/{organization_id}/contacts", response={200: ContactPage, **LIST_ERRORS})
def list_organization_contacts(
    request: HttpRequest, organization_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    organization = get_organization_for_user(current_user(request), organization_id)
    return id_page(organization.contacts.all(), params.cursor, params.limit)


@router.get(
    "/organizations/{organization_id}/installed-products",
    response={200: list[InstalledProductOut], **COMMON_ERRORS},
)
def list_installed_products(
    request: HttpRequest, organization_id: int
) -> QuerySet[InstalledProduct]:
    """What the organization runs: product, version, model, purchase date."""
    organization = get_organization_for_user(current_user(request), organization_id)
    return selectors.installed_products_of(organization.pk)


@router.get("/contacts", response={200: ContactPage, **LIST_ERRORS})
def list_contacts(request: HttpRequest, params: Query[ContactParams]) -> dict[str, Any]:
    user = current_user(request)
    qs = Contact.objects.filter(organization__in=visible_organizations(user))
    if params.organization:
        qs = qs.filter(organization_id=params.organization)
    if params.q:
        term = params.q.strip()
        qs = qs.filter(name__icontains=term) | qs.filter(email__icontains=term)
    return id_page(qs, params.cursor, params.limit)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **COMMON_ERRORS})
def read_contact(request: HttpRequest, contact_id: int) -> Contact:
    user = current_user(request)
    contact = Contact.objects.filter(
        organization__in=visible_organizations(user), pk=contact_id
    ).first()
    if contact is None:
        raise Http404("no such contact")
    return contact


@router.get("/products", response={200: list[ProductOut], **COMMON_ERRORS})
def list_products(request: HttpRequest) -> QuerySet[Product]:
    """The product catalogue with its released versions."""
    return Product.objects.prefetch_related("versions").order_by("name")


@router.get("/products/{product_id}", response={200: ProductOut, **COMMON_ERRORS})
def read_product(request: HttpRequest, product_id: int) -> Product:
    product = Product.objects.prefetch_related("versions").filter(pk=product_id).first()
    if product is None:
        raise Http404("no such product")
    return product
