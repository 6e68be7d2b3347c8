"""Articles with required permissions (R-KB-1) reach only readers who hold every one of
them, on every surface: list, detail, files, search page and API, the portal's suggestions
and "this solved it", and the similar-cases panel on the ticket page."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from supportdesk.core.errors import ActionError
from supportdesk.knowledge.actions import do_add_article_files, do_create_article
from supportdesk.knowledge.models import Article, Deflection
from supportdesk.search.choices import DocKind
from supportdesk.search.service import search
from supportdesk.tests_support import PASSWORD, upload

# Transactional: articles are indexed after their commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

ENGINEERING = "knowledge.read_engineering"
ADMIN_GUIDES = "knowledge.read_admin_guides"


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def grant(user, *names):
    group, _ = Group.objects.get_or_create(name="+".join(names))
    for name in names:
        app, codename = name.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    user.groups.add(group)


@pytest.fixture
def kb(cast):
    grant(cast.l2, ENGINEERING)
    grant(cast.customer, ADMIN_GUIDES)
    values = {"body": "## 解决步骤\n\n1. 清理令牌缓存", "keywords": "令牌 token"}
    return {
        "open": do_create_article(
            {**values, "title": "令牌失效的处理：重新登录", "is_public": True}, actor=cast.l2
        ),
        "engineering": do_create_article(
            {
                **values,
                "title": "令牌失效的根因：签名密钥轮换",
                "is_public": False,
                "required_permissions": ENGINEERING,
            },
            actor=cast.l2,
        ),
        "admin_guide": do_create_article(
            {
                **values,
                "title": "管理员手册：令牌有效期设置",
                "is_public": True,
                "required_permissions": f" {ADMIN_GUIDES} ",
            },
            actor=cast.l2,
        ),
    }


# Pages highlight the query's words (<mark>令牌</mark>), so they are checked by other words.


def titles(hits):
    return {h.title for h in hits if h.kind == DocKind.ARTICLE}


def test_the_requirement_is_stored_normalized_and_unknown_names_are_refused(cast, kb):
    assert kb["admin_guide"].required_permissions == ADMIN_GUIDES
    with pytest.raises(ActionError) as err:
        do_create_article(
            {"title": "x", "body": "y", "required_permissions": "knowledge.no_such_thing"},
            actor=cast.l2,
        )
    assert "knowledge.no_such_thing" in err.value.message_dict["required_permissions"][0]
    assert not Article.objects.filter(title="x").exists()


def test_search_shows_restricted_articles_only_to_holders(cast, kb):
    assert titles(search("令牌", user=cast.l1)) == {"令牌失效的处理：重新登录"}
    assert "令牌失效的根因：签名密钥轮换" in titles(search("令牌", user=cast.l2))
    assert "管理员手册：令牌有效期设置" not in titles(search("令牌", user=cast.l1))
    assert "管理员手册：令牌有效期设置" in titles(search("令牌", user=cast.customer))
    assert "管理员手册：令牌有效期设置" not in titles(search("令牌", user=cast.colleague))
    # An internal article stays internal whatever the customer holds.
    assert "令牌失效的根因：签名密钥轮换" not in titles(search("令牌", user=cast.customer))
    assert titles(search("令牌", user=cast.admin)) >= {"令牌失效的处理：重新登录"}


def test_search_page_and_api(cast, kb, client, api):
    url = reverse("search:search") + "?q=令牌"
    assert "签名密钥轮换" not in login(client, cast.l1).get(url).content.decode()
    assert "签名密钥轮换" in login(client, cast.l2).get(url).content.decode()
    page = login(client, cast.colleague).get(url).content.decode()
    assert "重新登录" in page and "有效期设置" not in page
    assert "有效期设置" in login(client, cast.customer).get(url).content.decode()

    def api_titles(user):
        api.as_user(user)
        return {i["title"] for i in api.get("/search", {"q": "令牌"}).json()["items"]}

    assert "令牌失效的根因：签名密钥轮换" not in api_titles(cast.l1)
    assert "令牌失效的根因：签名密钥轮换" in api_titles(cast.l2)
    assert "管理员手册：令牌有效期设置" in api_titles(cast.customer)
    assert "管理员手册：令牌有效期设置" not in api_titles(cast.colleague)


def test_list_detail_and_files(cast, kb, client):
    restricted = kb["engineering"]
    do_add_article_files(restricted, [upload("密钥轮换.png")], actor=cast.l2)
    file_url = reverse("knowledge:article_file", args=[restricted.files.get().pk])
    detail = reverse("knowledge:article", args=[restricted.pk])

    login(client, cast.l1)
    assert "签名密钥轮换" not in client.get(reverse("knowledge:article_list")).content.decode()
    assert client.get(detail).status_code == 404
    assert client.get(file_url).status_code == 404

    login(client, cast.l2)
    assert "签名密钥轮换" in client.get(reverse("knowledge:article_list")).content.decode()
    assert client.get(detail).status_code == 200
    assert client.get(file_url).status_code == 200

    guide = reverse("knowledge:article", args=[kb["admin_guide"].pk])
    assert login(client, cast.colleague).get(guide).status_code == 404
    assert login(client, cast.customer).get(guide).status_code == 200


def test_portal_suggestions_and_deflection(cast, kb, client):
    suggest = reverse("search:suggest") + "?subject=令牌失效"
    text = login(client, cast.colleague).get(suggest).content.decode()
    assert "重新登录" in text and "有效期设置" not in text
    solved = reverse("knowledge:article_solved", args=[kb["admin_guide"].pk])
    assert client.post(solved, {"query": "令牌失效"}).status_code == 404
    assert not Deflection.objects.exists()

    text = login(client, cast.customer).get(suggest).content.decode()
    assert "有效期设置" in text
    # Internal articles are never suggested in the portal, even to an engineer looking.
    assert "签名密钥轮换" not in login(client, cast.l2).get(suggest).content.decode()
    login(client, cast.customer).post(solved, {"query": "令牌失效"})
    assert Deflection.objects.filter(article=kb["admin_guide"]).count() == 1


def test_similar_cases_panel_on_the_ticket_page(cast, kb, client):
    ticket = cast.ticket(subject="登录提示令牌失效", description="每天早上令牌失效")
    url = reverse("search:similar", args=[ticket.number])
    assert "签名密钥轮换" not in login(client, cast.l1).get(url).content.decode()
    assert "签名密钥轮换" in login(client, cast.l2).get(url).content.decode()
