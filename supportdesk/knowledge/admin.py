"""Read-only admin lists for articles (written through the knowledge pages, whose actions
keep versions and the search index in step); canned replies are edited here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.accounts.admin import RoleAdmin
from supportdesk.knowledge.models import (
    Article,
    ArticleFeedback,
    CannedReply,
    Deflection,
    TypicalCase,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "category", "is_public", "status", "owner", "next_review_on")
    list_filter = ("category", "is_public", "status")
    search_fields = ("title", "keywords")
    list_select_related = ("owner",)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("article", "helpful", "comment", "created_at")
    list_select_related = ("article",)


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ("article", "query", "created_at")
    list_select_related = ("article",)


@admin.register(TypicalCase)
class TypicalCaseAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "marked_by", "marked_at")
    list_select_related = ("ticket", "marked_by")


@admin.register(CannedReply)
class CannedReplyAdmin(RoleAdmin):
    """Plain rows with no side effects: the picker reads them as they are."""

    list_display = ("title", "shortcut", "kind", "language", "ordering", "active")
    list_editable = ("ordering", "active")
    list_filter = ("kind", "language", "active")
    search_fields = ("title", "shortcut", "body")
