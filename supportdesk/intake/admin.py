from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.admin import RoleAdmin

from . import actions
from .models import BouncedAddress, InboundMessage, Mailbox, OutboundMessage


@admin.register(Mailbox)
class MailboxAdmin(RoleAdmin):
    list_display = ("address", "name", "team", "default_priority", "language", "is_active")
    list_filter = ("is_active", "team")
    search_fields = ("address", "name")


@admin.register(InboundMessage)
class InboundMessageAdmin(RoleAdmin):
    list_display = ("received_at", "mailbox", "sender", "subject", "state", "ticket")
    list_filter = ("state", "mailbox", "is_auto_reply")
    search_fields = ("sender", "subject", "message_key")
    list_select_related = ("mailbox", "ticket")
    readonly_fields = (
        "mailbox", "message_key", "sender", "subject", "state", "problems", "is_auto_reply",
        "ticket", "event_id", "received_at", "processed_at", "size", "raw_download",
    )  # fmt: skip
    exclude = ("raw", "html")
    actions = ("retry", "release")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="intake_inboundmessage_raw",
            ),
            *super().get_urls(),
        ]

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        message = get_object_or_404(InboundMessage, pk=pk)
        response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMessage) -> str:
        url = reverse("admin:intake_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (.eml)"))

    @admin.action(description=_("Process the selected quarantined mail again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        done = [actions.do_retry_inbound(m, actor=request.user) for m in queryset]  # type: ignore[arg-type]
        self._report(request, done)

    @admin.action(description=_("Release the selected quarantined mail as it is"))
    def release(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        done = [actions.do_release_inbound(m, actor=request.user) for m in queryset]  # type: ignore[arg-type]
        self._report(request, done)

    def _report(self, request: HttpRequest, done: list[InboundMessage]) -> None:
        ingested = sum(1 for m in done if m.ticket_id)
        self.message_user(
            request,
            _("%(ingested)d of %(total)d messages are now on a ticket.")
            % {"ingested": ingested, "total": len(done)},
            messages.INFO,
        )


@admin.register(OutboundMessage)
class OutboundMessageAdmin(RoleAdmin):
    list_display = ("created_at", "ticket", "kind", "subject", "state", "attempts", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("subject", "message_id", "ticket__number")
    list_select_related = ("ticket",)
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    actions = ("resend",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Try the selected failed mail again"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        for message in queryset:
            actions.do_resend_outbound(message, actor=request.user)  # type: ignore[arg-type]


@admin.register(BouncedAddress)
class BouncedAddressAdmin(RoleAdmin):
    list_display = ("address", "bounces", "last_bounced_at", "last_reason")
    search_fields = ("address",)
