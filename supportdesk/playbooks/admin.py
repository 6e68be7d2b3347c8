"""Admins edit playbooks and data-collection templates (the role decides, as elsewhere)."""

from django.contrib import admin

from supportdesk.accounts.admin import RoleAdmin
from supportdesk.playbooks.models import DataRequestTemplate, Playbook


@admin.register(Playbook)
class PlaybookAdmin(RoleAdmin):
    list_display = ("name", "kind", "category", "symptom", "ordering", "active")
    list_filter = ("kind", "active")
    list_editable = ("ordering", "active")


@admin.register(DataRequestTemplate)
class DataRequestTemplateAdmin(RoleAdmin):
    list_display = ("name", "product", "ordering", "active")
    list_filter = ("active",)
