import pytest
from django.urls import reverse

from supportdesk.knowledge.actions import do_create_article
from supportdesk.tests_support import PASSWORD
from supportdesk.tickets.actions import do_assign, do_transition
from supportdesk.tickets.choices import ResolutionResult, Status
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_agents_search_tickets_articles_and_customers_from_one_box(cast, client):
    ticket = cast.ticket(subject="云帆打印机脱机", description="打印任务排队")
    do_create_article({"title": "打印机脱机处理", "body": "重启后台打印服务"}, actor=cast.l2)
    page = login(client, cast.l1).get(reverse("search:search"), {"q": "打印机"})
    text = page.content.decode()
    assert ticket.number in text
    assert "<mark>打印机</mark>脱机处理" in text
    customers = client.get(reverse("search:search"), {"q": "云帆科技", "kind": "organization"})
    assert reverse("workspace:organization", args=[cast.org.pk]) in customers.content.decode()


def test_customers_search_their_own_tickets_and_public_articles(cast, client):
    own = cast.ticket(subject="报表导出乱码", description="CSV 乱码")
    other = cast.ticket(by=cast.outsider, subject="报表导出乱码了", description="Excel 乱码")
    do_create_article({"title": "导出乱码", "body": "选择 UTF-8", "is_public": True}, actor=cast.l2)
    do_create_article({"title": "乱码内部说明", "body": "内部"}, actor=cast.l2)
    text = (
        login(client, cast.customer).get(reverse("search:search"), {"q": "乱码"}).content.decode()
    )
    assert own.number in text and reverse("portal:ticket", args=[own.number]) in text
    assert other.number not in text
    assert "导出<mark>乱码</mark>" in text
    assert "内部说明" not in text


def test_the_search_page_takes_a_fixed_number_of_queries(
    cast, client, django_assert_max_num_queries
):
    for i in range(8):
        cast.ticket(subject=f"数据库连接超时 {i}", description="ERR_1024")
    login(client, cast.l1)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("search:search"), {"q": "数据库连接超时"})
    assert response.content.decode().count("<li>") >= 8


def test_hostile_queries_on_the_page_answer_normally(cast, client):
    login(client, cast.customer)
    for q in ['"', "AND *", "x" * 6000, "' OR 1=1 --", "NEAR(a b)"]:
        assert client.get(reverse("search:search"), {"q": q}).status_code == 200
    # A lone surrogate cannot be sent as UTF-8: the browser's bytes for it are invalid.
    assert client.get(reverse("search:search") + "?q=%ED%A0%80%22").status_code == 200


def test_customers_see_matching_public_articles_while_typing_a_subject(cast, client):
    do_create_article(
        {"title": "VPN 频繁断线", "body": "升级客户端", "is_public": True}, actor=cast.l2
    )
    do_create_article({"title": "VPN 内部配置", "body": "内部"}, actor=cast.l2)
    login(client, cast.customer)
    form = client.get(reverse("portal:new_ticket")).content.decode()
    assert reverse("search:suggest") in form
    text = client.get(reverse("search:suggest"), {"subject": "VPN 老是断"}).content.decode()
    assert "频繁" in text and "内部配置" not in text
    assert "This solved it" in text or "问题已解决" in text
    assert client.get(reverse("search:suggest"), {"subject": ""}).content.decode().strip() == ""


def test_the_ticket_page_panel_shows_similar_solved_tickets_and_articles(cast, client):
    old = cast.ticket(subject="ERP 登录数据库连接超时", description="ERR_1024")
    do_assign(old, actor=cast.l1, team=cast.l1_team, assignee=cast.l1)
    do_transition(old, actor=cast.l1, to=Status.DIAGNOSING)
    do_transition(old, actor=cast.l1, to=Status.RESOLVED, solution="放行 1433 端口",
                  result=ResolutionResult.SOLVED)  # fmt: skip
    do_create_article({"title": "数据库连接超时排查", "body": "检查防火墙"}, actor=cast.l2)
    new = cast.ticket(subject="数据库连接超时", description="登录时报 ERR_1024")
    login(client, cast.l1)
    page = client.get(reverse("workspace:ticket", args=[new.number])).content.decode()
    assert reverse("search:similar", args=[new.number]) in page
    panel = client.get(reverse("search:similar", args=[new.number])).content.decode()
    assert old.number in panel and "放行 1433 端口" in panel
    assert "排查" in panel
    assert new.number not in panel
    old_panel = client.get(reverse("search:similar", args=[old.number])).content.decode()
    assert reverse("knowledge:article_from_ticket", args=[old.number]) in old_panel


def test_customers_cannot_open_the_similar_panel(cast, client):
    ticket = cast.ticket(subject="数据库连接超时", description="x")
    login(client, cast.customer)
    assert client.get(reverse("search:similar", args=[ticket.number])).status_code == 404


def test_solving_from_a_suggestion_files_no_ticket(cast, client):
    article = do_create_article(
        {"title": "VPN 频繁断线", "body": "升级客户端", "is_public": True}, actor=cast.l2
    )
    before = Ticket.objects.count()
    login(client, cast.customer).post(
        reverse("knowledge:article_solved", args=[article.pk]), {"query": "VPN 老是断"}
    )
    article.refresh_from_db()
    assert article.deflection_count == 1 and Ticket.objects.count() == before


def test_agents_filter_by_state_and_find_archived_tickets_unless_they_leave_them_out(cast, client):
    from supportdesk.tickets.choices import CloseReason

    open_one = cast.ticket(subject="证书过期 新", description="SSL")
    old = cast.ticket(subject="证书过期 旧", description="SSL")
    do_transition(old, actor=cast.l1, to=Status.CLOSED, close_reason=CloseReason.DUPLICATE)
    do_transition(old, actor=cast.l1, to=Status.ARCHIVED)
    login(client, cast.l1)

    def found(**params):
        text = client.get(reverse("search:search"), {"q": "证书", **params}).content.decode()
        return {t.number for t in (open_one, old) if t.number in text}

    assert found() == {open_one.number, old.number}
    assert found(state="open") == {open_one.number}
    assert found(state="closed") == {old.number}
    assert found(archived="0") == {open_one.number}
