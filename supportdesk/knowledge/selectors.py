from __future__ import annotations

import re

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.knowledge.choices import ArticleStatus
from supportdesk.knowledge.models import Article, TypicalCase

SYNONYMS_CACHE_KEY = "knowledge:synonyms"
REQUIREMENTS_CACHE_KEY = "knowledge:requirements"
# Per-process cache; editors' changes show up within this many seconds in other processes
# (the process that saved drops its copy at once).
SYNONYMS_TTL = 60
_SPLIT = re.compile(r"[,，、;；/|]+")
_PERMISSION_SPLIT = re.compile(r"[\s,，、;；]+")


def normalize_permissions(text: str) -> str:
    """``"b.y, a.x a.x"`` -> ``"a.x,b.y"``: one spelling per set, so a set is compared as a
    string (in SQL too, see ``search.backends.visibility``)."""
    return ",".join(sorted({p for p in _PERMISSION_SPLIT.split(text or "") if p}))


def user_permissions(user: User | None) -> set[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    # Django caches these on the user object: one query for the request, not one per article.
    return set(user.get_all_permissions())


def requirement_sets() -> list[str]:
    """The distinct permission requirements articles have (few: editors reuse them)."""
    values = cache.get(REQUIREMENTS_CACHE_KEY)
    if values is None:
        values = sorted(
            set(
                Article.objects.exclude(required_permissions="").values_list(
                    "required_permissions", flat=True
                )
            )
        )
        cache.set(REQUIREMENTS_CACHE_KEY, values, SYNONYMS_TTL)
    return list(values)


def satisfied_requirements(user: User | None) -> list[str]:
    """Which of the articles' requirements ``user`` meets: they hold every permission named.
    Superusers hold them all (Django's rule)."""
    requirements = requirement_sets()
    if not requirements or user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return requirements
    held = user_permissions(user)
    return [r for r in requirements if set(r.split(",")) <= held]


def can_read(user: User | None, article: Article) -> bool:
    needed = set(filter(None, article.required_permissions.split(",")))
    if not needed:
        return True
    if user is not None and user.is_active and user.is_superuser:
        return True
    return needed <= user_permissions(user)


def visible_articles(user: User) -> QuerySet[Article]:
    """Agents: every article; others: published public ones. Either way an article that
    requires permissions only for a reader who has them all (R-KB-1)."""
    if user.is_authenticated and user.is_active and user.is_agent:
        articles = Article.objects.all()
    else:
        articles = Article.objects.filter(is_public=True, status=ArticleStatus.PUBLISHED)
    return articles.filter(
        Q(required_permissions="") | Q(required_permissions__in=satisfied_requirements(user))
    )


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
