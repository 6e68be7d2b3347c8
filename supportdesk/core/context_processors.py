from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# Shown in the navigation and page titles.
PRODUCT_NAME = _("Support desk")


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "PRODUCT_NAME": PRODUCT_NAME,
        "is_agent": bool(user is not None and user.is_authenticated and user.is_agent),
        "is_admin": bool(user is not None and user.is_authenticated and user.is_staff),
    }
