from __future__ import annotations

import ssl
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.admin import RoleAdmin

from . import actions
from .models import BouncedAddress, InboundMessage, Mailbox, MailTemplate, OutboundMessage

_NEVER_SHOWN = _("Stored encrypted and never shown again. Leave empty to keep the stored one.")


class MailboxForm(forms.ModelForm):
    """Passwords are write-only: typed in, encrypted, never rendered back into the page."""

    imap_password_new = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_NEVER_SHOWN,
    )
    imap_password_clear = forms.BooleanField(
        label=_("Remove the stored IMAP password"), required=False
    )
    smtp_password_new = forms.CharField(
        label=_("SMTP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_NEVER_SHOWN,
    )
    smtp_password_clear = forms.BooleanField(
        label=_("Remove the stored SMTP password"), required=False
    )

    class Meta:
        model = Mailbox
        fields = (
            "name", "address", "team", "default_priority", "language", "closed_ticket_policy",
            "is_active", "is_default", "imap_host", "imap_port", "imap_security",
            "imap_username", "imap_password_env", "imap_folder", "imap_processed_folder",
            "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password_env",
            "tls_ca_file", "tls_verify",
        )  # fmt: skip

    def clean_tls_ca_file(self) -> str:
        path = str(self.cleaned_data.get("tls_ca_file") or "").strip()
        if path:
            try:
                ssl.create_default_context(cafile=path)
            except (OSError, ssl.SSLError) as exc:
                raise forms.ValidationError(
                    _("This file cannot be read as PEM CA certificates: %(error)s") % {"error": exc}
                ) from exc
        return path

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for proto in ("imap", "smtp"):
            if data.get(f"{proto}_password_new") and data.get(f"{proto}_password_env"):
                self.add_error(
                    f"{proto}_password_new",
                    _("Either type the password or name an environment variable, not both."),
                )
        return data

    def save(self, commit: bool = True) -> Mailbox:
        mailbox: Mailbox = super().save(commit=False)
        data = self.cleaned_data
        if data.get("imap_password_clear"):
            mailbox.set_imap_password("")
        if data.get("imap_password_new"):
            mailbox.set_imap_password(data["imap_password_new"])
        if data.get("smtp_password_clear"):
            mailbox.set_smtp_password("")
        if data.get("smtp_password_new"):
            mailbox.set_smtp_password(data["smtp_password_new"])
        if commit:
            mailbox.save()
            self.save_m2m()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(RoleAdmin):
    form = MailboxForm
    list_display = (
        "address", "name", "team", "default_priority", "language", "is_active",
        "last_checked_at", "last_error",
    )  # fmt: skip
    list_filter = ("is_active", "team")
    search_fields = ("address", "name")
    readonly_fields = ("password_state", "last_checked_at", "last_error")
    fieldsets = (
        (None, {"fields": (
            "name", "address", "team", "default_priority", "language",
            "closed_ticket_policy", "is_active", "is_default",
        )}),
        (_("Fetching (IMAP)"), {"fields": (
            "imap_host", "imap_port", "imap_security", "imap_username", "imap_password_new",
            "imap_password_clear", "imap_password_env", "imap_folder", "imap_processed_folder",
        )}),
        (_("Sending (SMTP)"), {"fields": (
            "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password_new",
            "smtp_password_clear", "smtp_password_env",
        )}),
        (_("Certificates"), {"fields": ("tls_ca_file", "tls_verify")}),
        (_("State"), {"fields": ("password_state", "last_checked_at", "last_error")}),
    )  # fmt: skip

    @admin.display(description=_("stored passwords"))
    def password_state(self, obj: Mailbox) -> str:
        def state(env: str, encrypted: str) -> str:
            if env:
                return str(_("from the environment variable %(name)s") % {"name": env})
            return str(_("stored (encrypted)") if encrypted else _("none"))

        imap = state(obj.imap_password_env, obj.imap_password_encrypted)
        smtp = state(obj.smtp_password_env, obj.smtp_password_encrypted)
        return f"IMAP: {imap}; SMTP: {smtp}"


class MailTemplateForm(forms.ModelForm):
    class Meta:
        model = MailTemplate
        fields = ("kind", "language", "subject", "body", "body_html")
        widgets = {"subject": forms.TextInput(attrs={"size": 80})}
        help_texts = {
            "body": _(
                "Django template syntax. Values: {{ number }} (ticket number), {{ subject }}, "
                "{{ due }} (expected response time, acknowledgements), {{ body }} and "
                "{{ agent }} (replies), {{ ticket }}. Start with {% load i18n %} to use "
                "translation tags. Without a template here the shipped wording is used."
            )
        }


@admin.register(MailTemplate)
class MailTemplateAdmin(RoleAdmin):
    form = MailTemplateForm
    list_display = ("kind", "language", "subject", "updated_at")
    list_filter = ("kind", "language")


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
