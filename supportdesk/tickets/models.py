"""Tickets, their append-only timeline, attachments, links and numbering."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from supportdesk.tickets.choices import (
    OPEN_STATUSES,
    STATUS_PHASE,
    Channel,
    Classification,
    CloseReason,
    EventKind,
    Frequency,
    LinkKind,
    Phase,
    Reproducibility,
    ResolutionResult,
    Status,
    TicketType,
)


class LabelledMixin(models.Model):
    """Configurable lookup data named in both shipped languages."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Priority(LabelledMixin):
    """One level of the desk's priority scheme (R-IN-5). P0–P3 ship; admins may change it.

    ``rank`` orders the scheme (0 is the most urgent); ``first_response_minutes`` is the
    promise shown to the customer when a ticket is filed (R-IN-2).
    """

    code = models.CharField(_("code"), max_length=10, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    description = models.CharField(_("business impact"), max_length=300, blank=True)
    color = models.CharField(_("colour"), max_length=20, default="gray")
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Category(LabelledMixin):
    """Problem category (配置类/功能类/环境类/数据类, R-TK-2); admins may add more."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["ordering", "id"]


class TicketSequence(models.Model):
    """Last number handed out on one local day. Incremented by an atomic upsert."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number sequence")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Ticket(models.Model):
    """A support request and its current state.

    The fields are a projection of the timeline (``TicketEvent``) kept in step by
    ``tickets.actions`` inside the same transaction; nothing else writes them.
    ``version`` increases with every change so concurrent edits can be detected.
    """

    number = models.CharField(_("ticket number"), max_length=24, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    type = models.CharField(
        _("type"), max_length=16, choices=TicketType.choices, default=TicketType.FAULT
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    priority = models.ForeignKey(Priority, verbose_name=_("priority"), on_delete=models.PROTECT)
    # Denormalized from priority so queues sort by it from an index at a million rows.
    priority_rank = models.PositiveSmallIntegerField(editable=False, default=0)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PORTAL
    )
    source = models.CharField(
        _("source"),
        max_length=100,
        blank=True,
        help_text=_("Who or what reported it, e.g. the customer or the internal test environment."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, editable=False)
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    # Where a ticket returns when the customer answers (需客户配合 pauses, it does not reset).
    status_before_wait = models.CharField(max_length=20, choices=Status.choices, blank=True)
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, blank=True
    )

    organization = models.ForeignKey(
        "crm.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    installed_product = models.ForeignKey(
        "crm.InstalledProduct",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )

    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, blank=True
    )
    reproducibility = models.CharField(
        _("reproducibility"), max_length=16, choices=Reproducibility.choices, blank=True
    )
    env_os = models.CharField(_("operating system"), max_length=100, blank=True)
    env_software_version = models.CharField(_("software version"), max_length=100, blank=True)
    env_browser = models.CharField(_("browser"), max_length=100, blank=True)
    env_network = models.CharField(_("network"), max_length=200, blank=True)
    env_hardware = models.CharField(_("hardware"), max_length=200, blank=True)
    steps_tried = models.TextField(_("steps already tried"), blank=True)

    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tickets",
    )

    root_cause = models.TextField(_("root cause"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    result = models.CharField(
        _("result"), max_length=24, choices=ResolutionResult.choices, blank=True
    )
    close_reason = models.CharField(
        _("close reason"), max_length=24, choices=CloseReason.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    version = models.PositiveIntegerField(default=1, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Queue pages: each is a key range on one of these, newest first (keyset paging).
            models.Index(fields=["is_open", "updated_at", "id"], name="tk_open_updated"),
            models.Index(fields=["assignee", "is_open", "updated_at", "id"], name="tk_assignee"),
            models.Index(fields=["team", "is_open", "updated_at", "id"], name="tk_team"),
            models.Index(fields=["status", "updated_at", "id"], name="tk_status"),
            # Matches the priority sort (rank ascending, then most recently updated first).
            models.Index(
                "is_open",
                "priority_rank",
                models.F("updated_at").desc(),
                models.F("id").desc(),
                name="tk_prio_desc",
            ),
            # "All" and "recently updated" span open and closed tickets.
            models.Index(fields=["updated_at", "id"], name="tk_updated"),
            # Portal list and service history: one organization's tickets, newest first.
            models.Index(fields=["organization", "created_at", "id"], name="tk_org_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def sync_derived_fields(self) -> None:
        """Recomputes the columns that only exist to make queues fast."""
        self.is_open = self.status in OPEN_STATUSES
        if self.status == Status.WAITING_CUSTOMER:
            before = self.status_before_wait or Status.DIAGNOSING
            self.phase = STATUS_PHASE.get(Status(before), Phase.DIAGNOSIS)
        else:
            self.phase = STATUS_PHASE[Status(self.status)]
        self.priority_rank = self.priority.rank


class TicketEventQuerySet(models.QuerySet["TicketEvent"]):
    """Events are append-only: bulk updates and deletes are refused here and in the database."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("ticket events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("ticket events are append-only")

    def public(self) -> TicketEventQuerySet:
        return self.filter(is_public=True)


class TicketEvent(models.Model):
    """One entry of a ticket's timeline: who did what, when (R-TK-3).

    Rows are never changed or removed (database triggers refuse it). Each row carries the
    SHA-256 of its content chained to the previous row of the same ticket, so a change made
    outside the product is detectable (``supportdesk verify_timelines``).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # For actors without a login (an emailing contact, the worker): shown as written.
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    is_public = models.BooleanField(_("visible to customer"), default=False)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="tk_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("ticket events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("ticket events are append-only")

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
                self.prev_hash,
                self.ticket_id,
                self.kind,
                self.actor_id,
                self.actor_label,
                self.created_at.isoformat(),
                self.is_public,
                self.body,
                self.data,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the original name lives in the row, never in a path.
    import uuid

    now = timezone.now()
    return f"{now:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a ticket: screenshot, log, configuration. Served only as a download."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(_("visible to customer"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class TicketLink(models.Model):
    """A typed link between two tickets (R-TK-6): related, duplicate of, caused by."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(
                fields=["from_ticket", "to_ticket", "kind"], name="tk_link_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_ticket=models.F("to_ticket")), name="tk_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} {self.kind} {self.to_ticket_id}"
