from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.knowledge.choices import ArticleCategory, ArticleStatus, CannedKind

REVIEW_INTERVAL_DAYS = 30
# Past its review date by this much, an article is flagged to readers too (R-KB-2).
REVIEW_GRACE_DAYS = 14


def default_next_review() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=REVIEW_INTERVAL_DAYS)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    problem_type = models.CharField(_("problem type"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=ArticleCategory.choices, blank=True
    )
    product = models.ForeignKey(
        "crm.Product",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    applicable_versions = models.CharField(_("applicable versions"), max_length=200, blank=True)
    required_permissions = models.CharField(_("required permissions"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        help_text=_("One group per line, words separated by commas: 连不上, 无法连接, 连接失败"),
    )
    is_public = models.BooleanField(_("visible to customers"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.PUBLISHED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_articles",
    )
    next_review_on = models.DateField(_("next review"), default=default_next_review)
    review_reminded_on = models.DateField(null=True, blank=True, editable=False)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("created from ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_tickets = models.ManyToManyField(
        "tickets.Ticket", verbose_name=_("linked tickets"), blank=True, related_name="articles"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    not_helpful_count = models.PositiveIntegerField(default=0, editable=False)
    deflection_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The daily review sweep: published articles by due date.
            models.Index(fields=["status", "next_review_on"], name="kb_review_due"),
        ]
        # Permissions an article can require (``required_permissions``); admins grant them
        # to groups or people. Any other ``app_label.codename`` works too.
        permissions = [
            ("read_engineering", _("Can read engineering-only articles")),
            ("read_admin_guides", _("Can read system administrator guides")),
        ]

    def __str__(self) -> str:
        return self.title

    def review_overdue(self, today: dt.date) -> bool:
        return self.next_review_on < today

    def review_stale_for_readers(self, today: dt.date) -> bool:
        return self.next_review_on + dt.timedelta(days=REVIEW_GRACE_DAYS) < today


class ArticleVersion(models.Model):
    """A snapshot taken at every save: compared with difflib and restorable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    fields = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique")
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class Deflection(models.Model):
    """A customer who found the answer in an article instead of filing a ticket (R-IN-6)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.article_id} {self.created_at:%Y-%m-%d}"


class TypicalCase(models.Model):
    """A resolved ticket a lead marked as a typical case (典型案例) to turn into knowledge;
    the guides ask for 3–5 a month (R-CL-4)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="typical_case"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    def __str__(self) -> str:
        return str(self.ticket_id)


def article_file_path(instance: ArticleFile, filename: str) -> str:
    # Stored under a random name: the visible name lives in ``filename``.
    return f"kb/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ArticleFile(models.Model):
    """An image or attachment of an article; images are embedded with their local URL."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=article_file_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class CannedReply(models.Model):
    """Standard phrasing an agent inserts into a reply in one keystroke (R-IN-3, R-KB-6).

    ``body`` may use variables in braces, filled from the ticket on the server when the
    reply is inserted: {customer_name}, {ticket_number}, {subject}, {expected_time},
    {agent_name}, {organization}. An unknown or empty variable stays as written, so the
    agent sees what is left to fill.
    """

    title = models.CharField(_("title"), max_length=100)
    shortcut = models.SlugField(
        _("shortcut"),
        max_length=40,
        blank=True,
        allow_unicode=True,
        help_text=_("Typed after / in the reply box to find this reply quickly."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CannedKind.choices)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Variables: {customer_name}, {ticket_number}, {subject}, {expected_time}, "
            "{agent_name}, {organization}."
        ),
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.title
