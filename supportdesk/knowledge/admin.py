"""Read-only admin lists: articles are written through the knowledge pages, whose actions
keep versions and the search index in step."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.knowledge.models import Article, ArticleFeedback, Deflection, TypicalCase


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
