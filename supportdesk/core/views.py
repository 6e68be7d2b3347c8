"""Pages that belong to no domain: health, home, language and preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for load balancers and `supportdesk demo`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        connection.close()
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_agent:  # type: ignore[union-attr]
        return redirect("workspace:queue")
    return redirect("portal:ticket_list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Language and time zone of the signed-in user."""
    from django.contrib import messages
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from supportdesk.accounts.actions import do_update_preferences
    from supportdesk.core.errors import ActionError

    user = request.user
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            do_update_preferences(
                user,  # type: ignore[arg-type]
                language=request.POST.get("language", ""),
                time_zone=request.POST.get("time_zone", ""),
            )
        except ActionError as exc:
            errors = exc.message_dict
        else:
            response = redirect("preferences")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")  # type: ignore[union-attr]
            messages.success(request, _("Preferences saved."))
            return response
    from zoneinfo import available_timezones

    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return render(
        request,
        "core/preferences.html",
        {"errors": errors, "zones": zones, "languages": settings.LANGUAGES},
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database outage gets the 503 page, anything else a plain 500."""
    import sys

    from django.db import InterfaceError, OperationalError

    from supportdesk.core.middleware import DatabaseUnavailableMiddleware

    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnavailableMiddleware.unavailable(request, exc)
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request, template_name="core/500.html")
