"""Who gets a new ticket, how it climbs the tiers, and who else is brought in.

Routing (R-TK-4, R-ES-1): ``VipRoute`` and ``RouteRule`` choose the team (and for key
accounts a dedicated engineer), ``TeamRouting`` says how the team picks an engineer,
``EngineerSkill`` and ``Availability`` say who can take it now. ``RoutedTicket`` marks a
ticket as routed so a re-delivered job never routes it twice.

Escalation requests (R-ES-2) and collaboration threads (R-ES-4) are hand-overs with their
own lifecycle; every step is also written to the ticket's timeline.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.crm.choices import CustomerTier
from supportdesk.routing.choices import EscalationStatus, RoutingMethod, ThreadStatus
from supportdesk.tickets.choices import Channel, Classification


class TeamRouting(models.Model):
    """How one team hands out its new tickets. A team without one is never auto-assigned.

    ``last_assigned`` is the round-robin pointer: the next pick is the first available
    member after it (by id). It is read and moved under this row's lock, so two tickets
    routed at once get different engineers.
    """

    team = models.OneToOneField(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="routing"
    )
    method = models.CharField(
        _("method"), max_length=16, choices=RoutingMethod.choices, default=RoutingMethod.ROUND_ROBIN
    )
    active = models.BooleanField(_("active"), default=True)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_method_display()}"


class RouteRule(models.Model):
    """Which team a new ticket goes to, by what it is (R-TK-4: 需求类 → R&D, ...).

    Rules are tried in ``order``; the first whose every filled-in condition matches wins.
    Empty conditions match anything.
    """

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, blank=True
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("to team"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("route rule")
        verbose_name_plural = _("route rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class VipRoute(models.Model):
    """A dedicated queue or engineer for one key customer, or for a whole customer tier.

    A route naming an organization wins over one naming its tier (R-SL-4 expedited service).
    """

    organization = models.ForeignKey(
        "crm.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    customer_tier = models.CharField(
        _("customer tier"), max_length=16, choices=CustomerTier.choices, blank=True
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("dedicated team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dedicated engineer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("VIP route")
        verbose_name_plural = _("VIP routes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(organization__isnull=True, customer_tier=""),
                name="routing_vip_needs_customer",
            ),
            models.CheckConstraint(
                condition=~models.Q(team__isnull=True, engineer__isnull=True),
                name="routing_vip_needs_target",
            ),
        ]

    def __str__(self) -> str:
        who = str(self.organization) if self.organization_id else self.get_customer_tier_display()
        target = str(self.engineer) if self.engineer_id else str(self.team)
        return f"{who} → {target}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.organization_id is None and not self.customer_tier:
            errors["organization"] = str(_("Name an organization or a customer tier."))
        if self.team_id is None and self.engineer_id is None:
            errors["team"] = str(_("Name a dedicated team or engineer."))
        if self.engineer_id is not None:
            teams = self.engineer.teams.all()  # type: ignore[union-attr]
            if self.team_id is not None and not teams.filter(pk=self.team_id).exists():
                errors["engineer"] = str(_("The engineer is not a member of the dedicated team."))
            elif self.team_id is None and not teams.exists():
                errors["engineer"] = str(_("The engineer is in no team; name the team too."))
        if errors:
            raise ValidationError(errors)


class EngineerSkill(models.Model):
    """What an engineer knows: a product line and/or a problem category (expert directory)."""

    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.CASCADE,
        related_name="routing_skills",
    )
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("engineer skill")
        verbose_name_plural = _("engineer skills")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(product_line="", category__isnull=True),
                name="routing_skill_not_empty",
            )
        ]

    def __str__(self) -> str:
        parts = [p for p in (self.product_line, str(self.category or "")) if p]
        return f"{self.engineer}: {' / '.join(parts)}"


class Availability(models.Model):
    """Whether an engineer takes new tickets now. No row means on duty (the default)."""

    engineer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.CASCADE,
        related_name="availability",
    )
    on_duty = models.BooleanField(_("on duty"), default=True)
    away_until = models.DateTimeField(_("away until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")

    def __str__(self) -> str:
        return str(self.engineer)

    def is_available(self, now: dt.datetime) -> bool:
        return self.on_duty and (self.away_until is None or self.away_until <= now)


class RoutedTicket(models.Model):
    """Claim that a ticket was routed: inserted with the decision, so it happens once."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    routed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("routed ticket")
        verbose_name_plural = _("routed tickets")

    def __str__(self) -> str:
        return str(self.ticket_id)


class EscalationRequest(models.Model):
    """问题升级申请表 (R-ES-2): hands a ticket to the next tier with the whole context.

    The ticket moves to ``to_team``'s queue at once; a member of that team accepts it
    (takes it) or returns it to ``from_team`` with a reason.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="escalation_requests",
    )
    from_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("from team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from engineer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("to team"),
        on_delete=models.PROTECT,
        related_name="incoming_escalations",
    )
    impact = models.TextField(_("description and impact"))
    tried = models.TextField(_("solutions tried and their results"))
    reason = models.TextField(_("reason for escalating"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EscalationStatus.choices,
        default=EscalationStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)

    class Meta:
        verbose_name = _("escalation request")
        verbose_name_plural = _("escalation requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["to_team", "status", "requested_at"], name="routing_esc_inbox")
        ]
        constraints = [
            # One hand-over at a time: a second pending request for a ticket is refused.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="pending"),
                name="routing_one_pending_escalation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.to_team_id} ({self.status})"


class CollaborationThread(models.Model):
    """A side thread with R&D or operations on a ticket (R-ES-4): owner, deadline, messages.

    Internal: customers never see it; they see only the expected time, as a public entry.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="collaboration_threads",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("question"), max_length=200)
    due_at = models.DateTimeField(_("expected by"))
    customer_notice = models.TextField(_("what the customer was told"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the worker told the owner and the ticket's assignee that the deadline passed:
    # claimed with a conditional UPDATE, so the notice goes out once whatever the workers.
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("collaboration thread")
        verbose_name_plural = _("collaboration threads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "due_at"], name="routing_thread_team"),
            # The worker's minute job: open threads not yet reported overdue, by deadline.
            models.Index(
                fields=["due_at"],
                name="routing_thread_overdue",
                condition=models.Q(status=ThreadStatus.OPEN, overdue_notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.status == ThreadStatus.OPEN and self.due_at < now


class ThreadMessage(models.Model):
    """One internal message in a collaboration thread."""

    thread = models.ForeignKey(
        CollaborationThread, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("thread message")
        verbose_name_plural = _("thread messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.thread_id}: {self.body[:40]}"
