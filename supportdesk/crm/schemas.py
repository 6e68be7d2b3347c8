"""API schemas for organizations, contacts and products (R-CM-1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from supportdesk.crm.choices import CustomerTier


class OrganizationOut(Schema):
    id: int
    name: str
    tier: CustomerTier
    tier_label: str
    email_domains: str
    phone: str
    address: str
    industry: str
    created_at: dt.datetime

    @staticmethod
    def resolve_tier_label(obj: Any) -> str:
        return str(obj.get_tier_display())


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class ContactOut(Schema):
    id: int
    organization: int
    name: str
    department: str
    title: str
    phone: str
    email: str
    has_login: bool

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return int(obj.organization_id)

    @staticmethod
    def resolve_has_login(obj: Any) -> bool:
        return obj.user_id is not None


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ProductVersionOut(Schema):
    id: int
    version: str
    released_on: dt.date | None


class ProductOut(Schema):
    id: int
    name: str
    code: str
    product_line: str
    description: str
    versions: list[ProductVersionOut]


class InstalledProductOut(Schema):
    id: int
    organization: int
    product: int
    product_name: str
    version: str
    model: str
    serial_number: str
    purchased_on: dt.date | None

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return int(obj.organization_id)

    @staticmethod
    def resolve_product(obj: Any) -> int:
        return int(obj.product_id)

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.product.name)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return obj.version.version if obj.version_id else ""
