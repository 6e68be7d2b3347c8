"""The demo desk's knowledge base (issue 5): 30+ articles from the guides' situations, public
and internal, some for engineers only, linked to the demo tickets, typical cases marked, and
found by the search as soon as the demo is loaded."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts.models import User
from supportdesk.core.demo_data import load_demo_data
from supportdesk.knowledge.models import Article, TypicalCase
from supportdesk.search.choices import DocKind
from supportdesk.search.service import search

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def test_the_demo_knowledge_base_is_loaded_linked_and_searchable():
    load_demo_data(tickets=120, now=NOW)
    articles = Article.objects.all()
    assert articles.count() >= 30
    assert articles.filter(is_public=True).count() >= 15
    assert articles.filter(is_public=False).count() >= 5
    assert articles.exclude(required_permissions="").count() >= 3
    assert all("## 问题描述" in a.body and "## 解决步骤" in a.body for a in articles)
    assert Article.linked_tickets.through.objects.count() >= 10
    assert TypicalCase.objects.exists()
    assert {a.created_at for a in articles} == {NOW}

    l1 = User.objects.get(username="chen.jing")
    l2 = User.objects.get(username="zhao.lei")
    titles = {h.title for h in search("token失效", user=l1, kinds=[DocKind.ARTICLE])}
    assert "登录系统时提示“token失效”怎么办" in titles
    # The engineering note is for L2 and R&D only.
    assert "token失效根因：应用节点时钟不同步（NTP）" not in titles
    titles = {h.title for h in search("token失效", user=l2, kinds=[DocKind.ARTICLE])}
    assert "token失效根因：应用节点时钟不同步（NTP）" in titles
    # Traditional characters find the simplified article.
    assert any("乱码" in h.title for h in search("匯入亂碼", user=l1, kinds=[DocKind.ARTICLE]))
