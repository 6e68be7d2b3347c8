from __future__ import annotations

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.notifications.models import Notification


def inbox(user: User, limit: int = 100) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody sees anyone else's)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
