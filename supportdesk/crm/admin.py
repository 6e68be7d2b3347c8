"""Admin pages for customers and products (issue 2, point 6; R-CM-1)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.admin import RoleAdmin, RoleInline
from supportdesk.crm.models import Contact, InstalledProduct, Organization, Product, ProductVersion


class ContactInline(RoleInline, admin.TabularInline):
    model = Contact
    fields = ("name", "department", "title", "phone", "email", "user")
    autocomplete_fields = ("user",)
    extra = 0


class InstalledProductInline(RoleInline, admin.TabularInline):
    model = InstalledProduct
    fields = ("product", "version", "model", "serial_number", "purchased_on", "notes")
    extra = 0

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "version":
            # A version names its product: fetch them together, not one query per option.
            kwargs["queryset"] = ProductVersion.objects.select_related("product")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(RoleAdmin):
    list_display = ("name", "tier", "industry", "phone", "contact_count", "product_count")
    list_filter = ("tier", "industry")
    search_fields = ("name", "email_domains", "phone")
    fields = ("name", "tier", "industry", "email_domains", "phone", "address", "notes")
    inlines = (ContactInline, InstalledProductInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                contact_total=Count("contacts", distinct=True),
                product_total=Count("installed_products", distinct=True),
            )
        )

    @admin.display(description=_("contacts"), ordering="contact_total")
    def contact_count(self, obj: Organization) -> int:
        return getattr(obj, "contact_total", 0)

    @admin.display(description=_("installed products"), ordering="product_total")
    def product_count(self, obj: Organization) -> int:
        return getattr(obj, "product_total", 0)


@admin.register(Contact)
class ContactAdmin(RoleAdmin):
    list_display = ("name", "organization", "department", "title", "phone", "email", "user")
    list_select_related = ("organization", "user")
    search_fields = ("name", "email", "phone", "department", "organization__name")
    autocomplete_fields = ("organization", "user")


class ProductVersionInline(RoleInline, admin.TabularInline):
    model = ProductVersion
    fields = ("version", "released_on")
    extra = 0


@admin.register(Product)
class ProductAdmin(RoleAdmin):
    list_display = ("name", "code", "product_line", "version_count")
    list_filter = ("product_line",)
    search_fields = ("name", "code", "product_line")
    inlines = (ProductVersionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).annotate(version_total=Count("versions"))

    @admin.display(description=_("versions"), ordering="version_total")
    def version_count(self, obj: Product) -> int:
        return getattr(obj, "version_total", 0)
