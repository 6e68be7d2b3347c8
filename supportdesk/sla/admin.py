"""Admin pages for business calendars and SLA policies; ticket clocks are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from supportdesk.accounts.admin import ReadOnlyAdmin, RoleAdmin, RoleInline
from supportdesk.sla.actions import check_policy_can_be_met, check_spans
from supportdesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    ContingencyStep,
    EscalationRule,
    SlaPolicy,
    TicketClock,
    WorkingSpan,
)


class SpanFormSet(forms.BaseInlineFormSet):
    """Checks the week as a whole: no overlapping spans, some working time (or 24×7)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        spans = [
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        is_24x7 = bool(getattr(self.instance, "is_24x7", False))
        check_spans(is_24x7, spans)


class SpanInline(RoleInline, admin.TabularInline):
    model = WorkingSpan
    formset = SpanFormSet
    extra = 0


class DayInline(RoleInline, admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RoleAdmin):
    list_display = ("name", "time_zone", "is_24x7")
    inlines = (SpanInline, DayInline)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change:
            from supportdesk.sla.tasks import retarget_calendar

            pk = form.instance.pk
            # After commit, so the worker reads the saved spans and days.
            transaction.on_commit(lambda: retarget_calendar(pk))


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = (
            "name", "priority", "customer_tier", "channel", "product", "calendar",
            "first_response_minutes", "next_update_minutes", "resolution_minutes", "active",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        calendar = data.get("calendar")
        if calendar is not None:
            try:
                check_policy_can_be_met(SlaPolicy(calendar=calendar))
            except ValidationError as exc:
                self.add_error("calendar", exc.messages)
        return data


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RoleAdmin):
    form = PolicyForm
    list_display = (
        "name", "priority", "customer_tier", "channel", "product", "calendar",
        "first_response_minutes", "next_update_minutes", "resolution_minutes", "active",
    )  # fmt: skip
    list_filter = ("active", "calendar")


@admin.register(TicketClock)
class TicketClockAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "state", "due_at", "breached_at", "completed_at")
    list_filter = ("kind", "state")
    list_select_related = ("ticket",)


@admin.register(EscalationRule)
class EscalationRuleAdmin(RoleAdmin):
    list_display = (
        "name", "active", "priority", "customer_tier", "from_team", "after_minutes",
        "on_breach", "to_team", "raise_priority_to", "notify_lead",
    )  # fmt: skip
    list_filter = ("active",)


@admin.register(ContingencyStep)
class ContingencyStepAdmin(RoleAdmin):
    """The contingency-plan template (应急预案) each new emergency copies as its checklist."""

    list_display = ("position", "text", "active")
    list_editable = ("text", "active")
    list_display_links = ("position",)
