"""The search index: one row per indexed object and generation.

The full-text structures live beside this table and are created by the migrations for the
database in use: an FTS5 table kept in sync by triggers on SQLite, a generated ``tsvector``
column with a GIN index on PostgreSQL. Both index the pre-segmented token columns, so Chinese
segmentation happens once, in Python, the same way for both engines.
"""

from __future__ import annotations

from django.db import models

from supportdesk.search.analysis import analyzer_version
from supportdesk.search.choices import DocKind


class SearchDocument(models.Model):
    generation = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=16, choices=DocKind.choices)
    object_id = models.PositiveBigIntegerField()
    # What permission filtering needs without a join: owner organization and visibility.
    organization_id = models.PositiveBigIntegerField(null=True, blank=True)
    is_public = models.BooleanField(default=False)
    # Articles only: the permissions a reader needs, normalized (sorted, comma-joined), so
    # the search filters on the few distinct values instead of per-user joins. NULL: none.
    required_permissions = models.CharField(max_length=200, null=True, blank=True)
    ref = models.CharField(max_length=64, blank=True)  # ticket number, article id...
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)  # original text for snippets, cut to a bound
    extra = models.JSONField(default=dict, blank=True)
    # Filters of the search page: open/closed and archived (tickets only).
    is_open = models.BooleanField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    gram_tokens = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "kind", "object_id"], name="search_doc_unique"
            )
        ]
        # What a customer may find (public articles, their organization's tickets) is a few
        # thousand documents among a million: their searches start from this index.
        indexes = [models.Index(fields=["kind", "organization_id"], name="search_doc_kind_org")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class IndexState(models.Model):
    """Singleton: which generation searches read, and which one a rebuild is filling."""

    active = models.PositiveIntegerField(default=1)
    building = models.PositiveIntegerField(null=True, blank=True)
    # ``analysis.ANALYZER_VERSION`` of the code that built the active generation: when the
    # code's differs, queries are analysed differently from the stored documents, and the
    # index needs ``supportdesk reindex`` (the worker warns until it is done).
    analyzer = models.PositiveIntegerField(default=analyzer_version)

    def __str__(self) -> str:
        return f"active={self.active} building={self.building}"


class PendingTicket(models.Model):
    """A ticket whose search document lags behind its last change. The worker indexes the
    pending tickets in batches (``documents.index_pending``): one transaction and a few bulk
    statements for hundreds of tickets, instead of a job per change.

    No foreign key: a deleted ticket must still come through here to leave the index."""

    ticket_id = models.PositiveBigIntegerField(primary_key=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"ticket:{self.ticket_id}"
