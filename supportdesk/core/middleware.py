"""Cross-cutting request handling: user language and time zone, database outages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


class UserLocaleMiddleware:
    """Activates the signed-in user's language and time zone.

    Runs after AuthenticationMiddleware: the user's stored choice beats the browser's
    Accept-Language that LocaleMiddleware picked; anonymous visitors keep that pick.
    Time zone defaults to the desk's (Asia/Shanghai).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        tz_name = getattr(user, "time_zone", "") if user is not None else ""
        if tz_name:
            try:
                timezone.activate(ZoneInfo(tz_name))
            except (ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection into a 503 page instead of a crash.

    The connection is closed so the next request reconnects. Exceptions raised by other
    middleware never reach here (Django converts them to responses on the way); the 500
    handler (``core.views.server_error``) covers those with the same page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            return self.unavailable(request, exc)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, OperationalError | InterfaceError):
            return self.unavailable(request, exc)
        return None

    @staticmethod
    def unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        from django.db import connections

        logger.warning("database unavailable: %s", exc)
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except Exception:
                logger.debug("closing a broken connection failed", exc_info=True)
        if request.path.startswith("/api/"):
            response = HttpResponse(
                '{"detail": "database unavailable, retry shortly"}',
                content_type="application/json",
                status=503,
            )
        else:
            with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
                response = HttpResponse(
                    render_to_string("core/database_unavailable.html", request=None), status=503
                )
        response["Retry-After"] = "5"
        return response
