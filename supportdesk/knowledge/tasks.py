"""Review cycle reminders (R-KB-2): each owner gets one mail per review cycle listing their
articles that are due. Candidates come from an indexed date condition; the reminder date is
set under the row lock, so several workers never remind twice."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from supportdesk.accounts.models import User
from supportdesk.knowledge.choices import ArticleStatus
from supportdesk.knowledge.models import Article

logger = logging.getLogger(__name__)


def send_review_reminders(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    due = Article.objects.filter(
        Q(review_reminded_on__isnull=True) | Q(review_reminded_on__lt=F("next_review_on")),
        status=ArticleStatus.PUBLISHED,
        next_review_on__lte=today,
    ).values_list("pk", flat=True)
    by_owner: dict[int, list[Article]] = defaultdict(list)
    for pk in list(due[:1000]):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=pk).first()
            if article is None or (
                article.review_reminded_on and article.review_reminded_on >= article.next_review_on
            ):
                continue
            article.review_reminded_on = today
            article.save(update_fields=["review_reminded_on"])
        by_owner[article.owner_id].append(article)
    for owner in User.objects.filter(pk__in=by_owner, is_active=True).exclude(email=""):
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            lines = [
                f"- {a.title} ({a.next_review_on:%Y-%m-%d}) "
                f"{settings.SITE_URL.rstrip('/')}{reverse('knowledge:article', args=[a.pk])}"
                for a in by_owner[owner.pk]
            ]
            send_mail(
                gettext("Knowledge articles due for review"),
                gettext("These articles you own are due for review:") + "\n" + "\n".join(lines),
                None,
                [owner.email],
            )
    return sum(len(v) for v in by_owner.values())


@db_periodic_task(crontab(hour="8", minute="0"))
def review_reminders() -> None:
    count = send_review_reminders()
    logger.info("review reminders: %s articles", count)
