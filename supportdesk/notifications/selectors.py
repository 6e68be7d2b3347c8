from __future__ import annotations

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.notifications.models import Notification


def inbox(user: User, limit: int = 100) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody sees anyone else's)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


LIVE_BATCH = 20


def latest_id(user: User) -> int:
    """The cursor an open page starts from: what exists now is not news."""
    return (
        Notification.objects.filter(recipient=user).order_by("-id").values_list("id", flat=True)
    ).first() or 0


def newer_than(user: User, cursor: int) -> list[Notification]:
    """The user's notifications after ``cursor``, oldest first (one range scan of notif_live)."""
    return list(
        Notification.objects.filter(recipient=user, id__gt=cursor).order_by("id")[:LIVE_BATCH]
    )
