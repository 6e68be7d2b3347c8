from django.contrib import admin

from supportdesk.playbooks.models import DataRequestTemplate, Playbook


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "category", "symptom", "ordering", "active")
    list_filter = ("kind", "active")
    list_editable = ("ordering", "active")


@admin.register(DataRequestTemplate)
class DataRequestTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "product", "ordering", "active")
    list_filter = ("active",)
