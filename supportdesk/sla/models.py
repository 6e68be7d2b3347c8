"""Business calendars, SLA policies and the clocks they put on tickets (R-SL-1…4).

A clock stores what is needed to answer "when is it due" without replaying history:
``consumed_seconds`` of working time used before ``segment_started_at`` (the last start or
resume), so ``due_at = segment_started_at + (target − consumed)`` in working time. Deadlines
are computed when something happens and stored; the worker only compares ``next_fire_at``
with the clock on the wall.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from supportdesk.crm.choices import CustomerTier
from supportdesk.sla.choices import ClockKind, ClockState, DayKind, Weekday
from supportdesk.sla.working_time import Calendar
from supportdesk.tickets.choices import Channel


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from exc


class BusinessCalendar(models.Model):
    """Working hours, holidays and make-up days (调休) in one time zone."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    is_24x7 = models.BooleanField(
        _("24×7"), default=False, help_text=_("Every minute counts; working spans are ignored.")
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_calendar(self) -> Calendar:
        """The pure calendar the arithmetic works on (one query for spans, one for days)."""
        if self.is_24x7:
            return Calendar(time_zone=self.time_zone, always=True)
        spans: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for span in self.spans.all():
            spans.setdefault(span.weekday, []).append((span.start, span.end))
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for day in self.days.all():
            (holidays if day.kind == DayKind.HOLIDAY else workdays).add(day.date)
        # A make-up day is worked like the first weekday that has working hours.
        makeup = next((tuple(spans[d]) for d in range(7) if spans.get(d)), ())
        return Calendar(
            time_zone=self.time_zone,
            spans={d: tuple(s) for d, s in spans.items()},
            holidays=frozenset(holidays),
            makeup_days=frozenset(workdays),
            makeup_spans=makeup,
        )


class WorkingSpan(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="spans")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("working span")
        verbose_name_plural = _("working spans")
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.end != dt.time(0) and self.end <= self.start:
            raise ValidationError({"end": _("A working span must end after it starts.")})


class CalendarDay(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class SlaPolicy(models.Model):
    """Targets for one kind of ticket (R-SL-1); the most specific active match applies.

    Empty criteria match anything. Targets are in working minutes of ``calendar``.
    """

    name = models.CharField(_("name"), max_length=100)
    priority = models.ForeignKey(
        "tickets.Priority", verbose_name=_("priority"), on_delete=models.CASCADE,
        null=True, blank=True,
    )  # fmt: skip
    customer_tier = models.CharField(
        _("customer tier"), max_length=16, choices=CustomerTier.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    product = models.ForeignKey(
        "crm.Product", verbose_name=_("product"), on_delete=models.CASCADE,
        null=True, blank=True,
    )  # fmt: skip
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    next_update_minutes = models.PositiveIntegerField(
        _("next update every (minutes)"), null=True, blank=True,
        help_text=_("While the ticket is open, a public update is due this often."),
    )  # fmt: skip
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority__rank", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(
            bool(x) for x in (self.priority_id, self.customer_tier, self.channel, self.product_id)
        )

    def target_minutes(self, kind: str) -> int | None:
        return {
            ClockKind.FIRST_RESPONSE: self.first_response_minutes,
            ClockKind.NEXT_UPDATE: self.next_update_minutes,
            ClockKind.RESOLUTION: self.resolution_minutes,
        }.get(ClockKind(kind))

    def clean(self) -> None:
        for name in ("first_response_minutes", "resolution_minutes", "next_update_minutes"):
            if getattr(self, name) == 0:
                raise ValidationError({name: _("A target of zero minutes can never be met.")})


class SettingsVersion(models.Model):
    """Which state of the SLA settings (policies, calendars, their spans and days) is current.

    One row. Database triggers (migration ``0009``) give ``token`` a new random value on every
    insert, update or delete of those tables (and truncate, on PostgreSQL), whoever makes the
    change: the admin pages, a command's bulk insert, another process, SQL typed by hand.
    Processes that keep policies and calendars in memory (``sla.actions.current_settings``)
    read it before each use and read the settings again when it differs. A random value
    rather than a counter: a counter rolled back with its transaction (or a test) would be
    handed out again for other settings.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.token)


class TicketClock(models.Model):
    """One target running on one ticket (first response, next update, resolution)."""

    # Few indexes on purpose: a calendar edit rewrites the deadline of every live clock, and
    # each index is one more B-tree entry per moved row (bench/sla_bench.py). A ticket's
    # clocks are found through the unique (ticket, kind) index; policies and priorities are
    # rarely deleted, and that delete may scan.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks", db_index=False
    )
    kind = models.CharField(_("target"), max_length=16, choices=ClockKind.choices)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT)
    priority = models.ForeignKey("tickets.Priority", on_delete=models.PROTECT, db_index=False)
    target_seconds = models.PositiveIntegerField(_("target (working seconds)"))
    started_at = models.DateTimeField(_("started at"))
    segment_started_at = models.DateTimeField()
    consumed_seconds = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused working seconds"), default=0)
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    warned_levels = models.JSONField(default=list, blank=True)
    next_fire_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ticket clock")
        verbose_name_plural = _("ticket clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_clock_unique"),
        ]
        indexes = [
            # The worker's sweep: what fires next (only live clocks have a value).
            models.Index(fields=["next_fire_at"], name="sla_next_fire"),
            # "Breaches soonest": open clocks by deadline. Partial, so that PostgreSQL reads it
            # in order (it does not take an ``IS NULL`` prefix column as fixing the order of
            # the next ones; SQLite uses it too). It replaced ``sla_open_due`` (completed_at,
            # due_at, ticket), one index fewer to update for every moved deadline.
            models.Index(
                fields=["due_at", "ticket"],
                name="sla_live_due",
                condition=models.Q(completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.state}"

    @property
    def is_live(self) -> bool:
        """Running or paused, or breached and still owed (not completed)."""
        return self.completed_at is None


class EscalationRule(models.Model):
    """Escalates by itself (R-ES-3), e.g. "a P1 whose cause is not located within 30 working
    minutes goes to L2 with the findings so far". Fires at most once per ticket, so two rules
    that hand a ticket back and forth stop after one round."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    # Conditions (empty ones match anything).
    priority = models.ForeignKey(
        "tickets.Priority", verbose_name=_("priority"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    customer_tier = models.CharField(
        _("customer tier"), max_length=16, choices=CustomerTier.choices, blank=True
    )
    from_team = models.ForeignKey(
        "accounts.Team", verbose_name=_("while with team"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    only_without_root_cause = models.BooleanField(
        _("only while the cause is not located"), default=False,
        help_text=_("The ticket's root cause is still empty."),
    )  # fmt: skip
    after_minutes = models.PositiveIntegerField(
        _("after working minutes"), null=True, blank=True,
        help_text=_("Working time since the ticket was filed, on its SLA calendar."),
    )  # fmt: skip
    on_breach = models.CharField(
        _("when this target is breached"), max_length=16, choices=ClockKind.choices, blank=True
    )
    # Actions.
    to_team = models.ForeignKey(
        "accounts.Team", verbose_name=_("escalate to team"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    raise_priority_to = models.ForeignKey(
        "tickets.Priority", verbose_name=_("raise priority to"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    notify_lead = models.BooleanField(_("notify the team lead"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.after_minutes and not self.on_breach:
            raise ValidationError(
                _("Say when the rule applies: after some working time, or on a breach.")
            )
        if not (self.to_team_id or self.raise_priority_id or self.notify_lead):
            raise ValidationError(_("Say what the rule does: a team, a priority or a notice."))
        if self.to_team_id and self.to_team_id == self.from_team_id:
            raise ValidationError({"to_team": _("The rule would hand the ticket to its own team.")})

    @property
    def raise_priority_id(self) -> int | None:
        return self.raise_priority_to_id


class EscalationFiring(models.Model):
    """That a rule fired on a ticket: the unique pair makes it once, whatever the workers."""

    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket"], name="sla_escalation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} → {self.ticket_id}"


class Emergency(models.Model):
    """Emergency handling of one ticket (R-SL-3): opened for a P0 or by an engineer."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="emergency"
    )
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)
    contingency_plan = models.TextField(_("contingency plan (应急预案)"), blank=True)

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")

    def __str__(self) -> str:
        return str(self.ticket_id)


class EmergencyReport(models.Model):
    """A progress report to management, due every 30 minutes until the ticket is resolved."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("report"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.emergency_id} {self.created_at}"


class ContingencyStep(models.Model):
    """One step of the contingency-plan template (应急预案, R-SL-3).

    Shipped with the guide's steps; admins edit, reorder or deactivate them. Each emergency
    copies the active steps when it opens, so later edits never rewrite a running checklist.
    """

    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("step"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contingency-plan step")
        verbose_name_plural = _("contingency-plan steps")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class EmergencyChecklistItem(models.Model):
    """One step of a running emergency's contingency plan, checked off once by an agent."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("step"), max_length=200)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("contingency-plan item")
        verbose_name_plural = _("contingency-plan items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text
