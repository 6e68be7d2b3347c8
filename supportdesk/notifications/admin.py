from __future__ import annotations

from django.contrib import admin

from supportdesk.accounts.admin import ReadOnlyAdmin, RoleAdmin
from supportdesk.notifications.models import Notification, WebhookDelivery, WebhookEndpoint


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: shows what reached whom, and which emails failed."""

    list_display = ("title", "recipient", "created_at", "read_at", "emailed_at", "email_error")
    list_filter = ("read_at",)
    list_select_related = ("recipient",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(RoleAdmin):
    list_display = ("name", "kind", "active")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Failed and pending deliveries stay visible with their last error (R-IN-1)."""

    list_display = ("key", "endpoint", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    list_select_related = ("endpoint",)
