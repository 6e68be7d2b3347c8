"""Customers and what they run: organizations, contacts, products and installations (R-CM-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from supportdesk.crm.choices import CustomerTier


class Organization(models.Model):
    """A customer company. Its contacts see all of its tickets and nobody else's."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    tier = models.CharField(
        _("service tier"),
        max_length=16,
        choices=CustomerTier.choices,
        default=CustomerTier.STANDARD,
    )
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; mail from these domains is matched to this organization."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer organization (对接人). May or may not have a portal login."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organization_id", "name"]
        indexes = [models.Index(Lower("email"), name="crm_contact_email_lower")]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product the company supports, grouped by product line."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductVersion(models.Model):
    """A released version of a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=50)
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        ordering = ["product_id", "-released_on", "version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="crm_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"


class InstalledProduct(models.Model):
    """A product an organization bought and runs: model, version, purchase date (R-CM-1)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="installed_products",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="installations"
    )
    version = models.ForeignKey(
        ProductVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="installations",
    )
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purchased_on = models.DateField(_("purchase date"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("installed product")
        verbose_name_plural = _("installed products")
        ordering = ["organization_id", "product_id"]

    def __str__(self) -> str:
        version = self.version.version if self.version_id and self.version else ""
        return f"{self.product.name} {version}".strip()
