"""Admin pages: routing rules, VIP routes, skills and availability; hand-overs read-only."""

from __future__ import annotations

from django.contrib import admin

from supportdesk.accounts.admin import ReadOnlyAdmin, RoleAdmin
from supportdesk.routing.models import (
    Availability,
    CollaborationThread,
    EngineerSkill,
    EscalationRequest,
    RouteRule,
    TeamRouting,
    VipRoute,
)


@admin.register(TeamRouting)
class TeamRoutingAdmin(RoleAdmin):
    list_display = ("team", "method", "active", "last_assigned")
    readonly_fields = ("last_assigned",)


@admin.register(RouteRule)
class RouteRuleAdmin(RoleAdmin):
    list_display = ("name", "order", "classification", "category", "product_line", "channel",
                    "team", "active")  # fmt: skip
    list_editable = ("order", "active")
    list_filter = ("active", "classification", "team")


@admin.register(VipRoute)
class VipRouteAdmin(RoleAdmin):
    list_display = ("__str__", "organization", "customer_tier", "team", "engineer", "active")
    autocomplete_fields = ("organization",)


@admin.register(EngineerSkill)
class EngineerSkillAdmin(RoleAdmin):
    list_display = ("engineer", "product_line", "category")
    list_filter = ("product_line", "category")


@admin.register(Availability)
class AvailabilityAdmin(RoleAdmin):
    list_display = ("engineer", "on_duty", "away_until", "note", "updated_at")


@admin.register(EscalationRequest)
class EscalationRequestAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "from_team", "to_team", "status", "requested_by", "requested_at")
    list_filter = ("status", "to_team")


@admin.register(CollaborationThread)
class CollaborationThreadAdmin(ReadOnlyAdmin):
    list_display = ("subject", "ticket", "team", "owner", "due_at", "status")
    list_filter = ("status", "team")
