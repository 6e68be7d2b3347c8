"""Changes to people, teams and tokens."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import available_timezones

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import ApiToken, User
from supportdesk.core.errors import ActionError


def do_update_preferences(user: User, *, language: str, time_zone: str) -> User:
    errors: dict[str, list[str]] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the offered languages.")]
    if time_zone not in available_timezones():
        errors["time_zone"] = [_("Unknown time zone.")]
    if errors:
        raise ActionError(errors)
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])
    return user


def do_create_admin(*, username: str, email: str, password: str) -> User:
    if User.objects.filter(username=username).exists():
        raise ActionError({"username": [_("That username is taken.")]})
    with transaction.atomic():
        user = User(username=username, email=email, role=Role.ADMIN, is_superuser=True)
        user.set_password(password)
        user.save()
    return user


def do_issue_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    if not name.strip():
        raise ActionError({"name": [_("Name the token after what will use it.")]})
    return ApiToken.issue(user, name.strip())


def do_revoke_api_tokens(tokens: Iterable[ApiToken]) -> int:
    """Revokes tokens; they stay listed (who had access, until when) but stop authenticating."""
    pks = [token.pk for token in tokens]
    return ApiToken.objects.filter(pk__in=pks, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
