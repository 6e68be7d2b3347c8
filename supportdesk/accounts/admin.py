"""Admin pages for people, teams and API tokens (issue 2, point 6).

Administration is a role, not a set of Django permissions: an active user with the admin
role (or a superuser) manages every model registered here. ``User.is_staff`` follows the
role, so nobody else reaches ``/admin/`` at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.actions import do_issue_api_token, do_revoke_api_tokens
from supportdesk.accounts.choices import STAFF_ROLES, Role
from supportdesk.accounts.models import ApiToken, Team, User


def is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN))


class RoleAdmin(admin.ModelAdmin):
    """A model administrators may list, add, change and delete."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


class ReadOnlyAdmin(RoleAdmin):
    """Records that only actions write (tickets, timeline): administrators may look, never touch."""

    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoleInline:
    """Same rule for inlines (whose add permission also receives the parent object)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


# --- users ----------------------------------------------------------------------------------


class RoleFieldsMixin(forms.ModelForm):
    """A customer belongs to one organization; an engineer to none (their tickets are all)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        organization = data.get("organization")
        if role == Role.CUSTOMER and organization is None:
            self.add_error("organization", gettext("A customer must belong to an organization."))
        if role and role != Role.CUSTOMER and organization is not None:
            self.add_error(
                "organization", gettext("Only customers belong to a customer organization.")
            )
        return data


class UserCreateForm(RoleFieldsMixin, AdminUserCreationForm):
    class Meta:
        model = User
        field_classes = {"username": UsernameField}
        fields = ("username",)


class UserEditForm(RoleFieldsMixin, UserChangeForm):
    class Meta:
        model = User
        field_classes = {"username": UsernameField}
        fields = (
            "username", "password", "display_name", "first_name", "last_name", "email", "phone",
            "role", "organization", "language", "time_zone", "is_active", "is_superuser",
        )  # fmt: skip


class TeamMembershipInline(RoleInline, admin.TabularInline):
    model = Team.members.through
    autocomplete_fields = ("team",)
    extra = 0
    verbose_name = _("team")
    verbose_name_plural = _("teams")


@admin.register(User)
class UserAdmin(RoleAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "first_name", "last_name", "email", "phone")}),
        (_("Role"), {"fields": ("role", "organization")}),
        (_("Preferences"), {"fields": ("language", "time_zone")}),
        (_("Access"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Role"), {"fields": ("role", "organization", "display_name", "email")}),
        (_("Preferences"), {"fields": ("language", "time_zone")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = (
        "username",
        "display_name",
        "role",
        "organization",
        "email",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "language", "teams")
    list_select_related = ("organization",)
    search_fields = ("username", "display_name", "email", "phone", "organization__name")
    autocomplete_fields = ("organization",)
    filter_horizontal = ()
    ordering = ("username",)
    inlines = (TeamMembershipInline,)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Team membership is for engineers; a new user gets teams once their role is saved.
        if obj is None or not obj.is_agent:
            return ()
        return super().get_inlines(request, obj)


# --- teams ----------------------------------------------------------------------------------


@admin.register(Team)
class TeamAdmin(RoleAdmin):
    list_display = ("name", "kind", "lead", "member_count")
    list_filter = ("kind",)
    list_select_related = ("lead",)
    search_fields = ("name", "description")
    autocomplete_fields = ("lead",)
    filter_horizontal = ("members",)
    fields = ("name", "kind", "lead", "email", "description", "members")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Team) -> int:
        return getattr(obj, "member_total", 0)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.name == "members":
            kwargs["queryset"] = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- API tokens -----------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdmin):
    """Tokens are issued here or by ``supportdesk token``; only the hash is kept."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username", "user__display_name")
    autocomplete_fields = ("user",)
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoked tokens stay listed: who had API access, and until when.
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        token, raw = do_issue_api_token(obj.user, name=obj.name)
        for field in ("pk", "prefix", "key_hash", "created_at"):
            setattr(obj, field, getattr(token, field))
        obj._state.adding = False
        messages.warning(
            request,
            gettext("Copy the key now; it is not stored and will not be shown again: %(key)s")
            % {"key": raw},
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = do_revoke_api_tokens(queryset)
        messages.success(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )


# Roles replace Django's groups and per-model permissions.
admin.site.unregister(Group)
