from __future__ import annotations

import re

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.knowledge.choices import ArticleStatus
from supportdesk.knowledge.models import Article, TypicalCase

SYNONYMS_CACHE_KEY = "knowledge:synonyms"
# Per-process cache; editors' changes show up within this many seconds in other processes
# (the process that saved drops its copy at once).
SYNONYMS_TTL = 60
_SPLIT = re.compile(r"[,，、;；/|]+")


def visible_articles(user: User) -> QuerySet[Article]:
    if user.is_authenticated and user.is_active and user.is_agent:
        return Article.objects.all()
    return Article.objects.filter(is_public=True, status=ArticleStatus.PUBLISHED)


def get_article_for_user(user: User, pk: int) -> Article:
    article = visible_articles(user).filter(pk=pk).select_related("owner", "product").first()
    if article is None:
        raise Http404
    return article


def parse_synonyms(text: str) -> list[list[str]]:
    groups = []
    for line in (text or "").splitlines():
        group = [p.strip() for p in _SPLIT.split(line) if p.strip()]
        if len(group) > 1:
            groups.append(group)
    return groups


def synonym_groups() -> list[list[str]]:
    groups = cache.get(SYNONYMS_CACHE_KEY)
    if groups is None:
        groups = []
        for text in (
            Article.objects.exclude(synonyms="")
            .exclude(status=ArticleStatus.RETIRED)
            .values_list("synonyms", flat=True)
        ):
            groups.extend(parse_synonyms(text))
        cache.set(SYNONYMS_CACHE_KEY, groups, SYNONYMS_TTL)
    return groups


def typical_cases_this_month(user: User) -> int:
    """How many typical cases ``user`` marked in the current month (their time zone)."""
    now = timezone.localtime()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return TypicalCase.objects.filter(marked_by=user, marked_at__gte=start).count()
