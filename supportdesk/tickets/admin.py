"""Admin pages for the ticket scheme (priorities, categories) and a read-only ticket view.

Tickets and their timeline change only through ``tickets.actions`` (each change is an
event with actor and time), so here they can be looked at and never added, edited or
deleted (R-TK-3).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext

from supportdesk.accounts.admin import ReadOnlyAdmin, RoleAdmin, RoleInline
from supportdesk.tickets.models import Category, Priority, Ticket, TicketEvent


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = (
            "code", "name", "name_en", "description", "rank", "color",
            "first_response_minutes", "resolution_minutes", "is_default", "active",
        )  # fmt: skip

    def clean_is_default(self) -> bool:
        is_default = bool(self.cleaned_data.get("is_default"))
        if is_default:
            other = Priority.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
            if other is not None:
                raise forms.ValidationError(
                    gettext("%(code)s is already the default; clear it there first.")
                    % {"code": other.code}
                )
        return is_default


@admin.register(Priority)
class PriorityAdmin(RoleAdmin):
    form = PriorityForm
    list_display = (
        "code",
        "name",
        "name_en",
        "description",
        "rank",
        "first_response_minutes",
        "resolution_minutes",
        "color",
        "is_default",
        "active",
    )
    list_filter = ("active",)
    search_fields = ("code", "name", "name_en", "description")
    ordering = ("rank",)


@admin.register(Category)
class CategoryAdmin(RoleAdmin):
    list_display = ("code", "name", "name_en", "ordering", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "name_en")


class TicketEventInline(RoleInline, admin.TabularInline):
    model = TicketEvent
    fields = ("created_at", "kind", "actor_label", "is_public", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "subject",
        "status",
        "priority",
        "organization",
        "team",
        "assignee",
        "updated_at",
    )
    list_filter = ("status", "phase", "priority", "type", "channel", "is_open")
    list_select_related = ("priority", "organization", "team", "assignee")
    search_fields = ("=number", "subject")
    ordering = ("-updated_at", "-id")
    # Counting a million rows on every page view is the slow part; the admin does not need it.
    show_full_result_count = False
    inlines = (TicketEventInline,)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "actor_label", "is_public", "created_at")
    list_filter = ("kind", "is_public")
    list_select_related = ("ticket",)
    search_fields = ("=ticket__number",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    fields = (
        "ticket",
        "kind",
        "actor",
        "actor_label",
        "created_at",
        "is_public",
        "body",
        "data",
        "prev_hash",
        "hash",
    )
