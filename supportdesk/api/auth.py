"""Who is calling: a bearer token (scripts, integrations) or the browser session (htmx).

``Authorization: Bearer <token>`` is checked first; a header that names no valid token is a
401 at once rather than a fall back to the session, so a revoked token never works by
accident. A session caller must send the CSRF token on unsafe methods, as the web UI does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from supportdesk.accounts.models import ApiToken, User

# Recording every use would turn each read into a write; a minute's precision is plenty.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _activate_locale(request: HttpRequest, user: User) -> None:
    """Token callers get Accept-Language if they send one, else their stored language.

    Session callers already have their stored preference from ``UserLocaleMiddleware``
    (the web UI's choice beats the browser's header, here as on the pages).
    """
    if request.headers.get("Accept-Language"):
        language = translation.get_language_from_request(request)
    else:
        language = user.language or settings.LANGUAGE_CODE
    if translation.check_for_language(language):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    try:
        timezone.activate(ZoneInfo(user.time_zone or settings.TIME_ZONE))
    except (ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A conditional UPDATE so concurrent requests write the row once, not once each.
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
            last_used_at=now
        )


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sd_…`` with a token from ``ApiToken.issue``."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if header and not header.lower().startswith("bearer "):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = ApiToken.objects.authenticate(token.strip()) if token.strip() else None
        if found is None:
            raise AuthenticationError()
        _touch(found)
        user = found.user
        request.user = user
        _activate_locale(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Not signed in is a 401, whatever the CSRF token says.
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and user.is_active:
            return user
        return None


def current_user(request: HttpRequest) -> User:
    """The authenticated caller (ninja has checked authentication before the view runs)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
