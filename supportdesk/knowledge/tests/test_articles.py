import pytest
from django.urls import reverse

from supportdesk.core.errors import ActionError
from supportdesk.knowledge.actions import (
    do_create_article,
    do_create_article_from_ticket,
    do_record_feedback,
    do_update_article,
)
from supportdesk.knowledge.models import Article, Deflection
from supportdesk.tests_support import PASSWORD, upload
from supportdesk.tickets.actions import do_assign, do_transition
from supportdesk.tickets.choices import EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def article(cast, **values):
    defaults = {
        "title": "打印机连不上网络",
        "body": "## 解决步骤\n\n1. 重启打印机",
        "is_public": True,
    }
    return do_create_article({**defaults, **values}, actor=cast.l2)


@pytest.mark.django_db
def test_every_edit_is_a_version_that_can_be_compared_and_restored(cast, client):
    a = article(cast)
    do_update_article(a, {"body": "## 解决步骤\n\n1. 检查网线"}, actor=cast.l2, note="网线")
    a.refresh_from_db()
    assert a.version == 2
    page = login(client, cast.l1).get(reverse("knowledge:article_versions", args=[a.pk]))
    text = page.content.decode()
    assert "-1. 重启打印机" in text and "+1. 检查网线" in text
    client.post(reverse("knowledge:article_restore", args=[a.pk, 1]))
    a.refresh_from_db()
    assert a.version == 3
    assert "重启打印机" in a.body
    assert list(a.versions.values_list("number", flat=True)) == [3, 2, 1]


@pytest.mark.django_db
def test_a_stale_edit_is_refused(cast):
    a = article(cast)
    do_update_article(a, {"title": "新标题"}, actor=cast.l2, expected_version=1)
    with pytest.raises(ActionError) as err:
        do_update_article(a, {"title": "另一个标题"}, actor=cast.l1, expected_version=1)
    assert "刷新" in err.value.message_dict["__all__"][0]
    a.refresh_from_db()
    assert a.title == "新标题"


@pytest.mark.django_db
def test_markdown_cannot_inject_script_or_load_remote_images(cast, client):
    a = article(
        cast,
        body="<script>alert(1)</script>\n\n![x](https://evil.example/x.png)\n\n"
        "[click](javascript:alert(1))\n\n<img src=x onerror=alert(1)>",
    )
    html = login(client, cast.customer).get(reverse("knowledge:article", args=[a.pk]))
    body = html.content.decode()
    assert "<script>alert" not in body
    assert "evil.example" not in body
    assert 'href="javascript' not in body
    assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")


@pytest.mark.django_db
def test_customers_read_public_articles_only_and_cannot_edit(cast, client):
    public = article(cast)
    internal = article(cast, title="内部排查", is_public=False)
    login(client, cast.customer)
    assert client.get(reverse("knowledge:article", args=[public.pk])).status_code == 200
    assert client.get(reverse("knowledge:article", args=[internal.pk])).status_code == 404
    assert client.get(reverse("knowledge:article_edit", args=[public.pk])).status_code == 404
    listing = client.get(reverse("knowledge:article_list")).content.decode()
    assert "打印机连不上网络" in listing and "内部排查" not in listing


@pytest.mark.django_db
def test_agents_write_articles_through_the_form(cast, client):
    login(client, cast.l1)
    response = client.post(
        reverse("knowledge:article_create"),
        {"title": "VPN 断线", "body": "重新拨号", "category": "environment",
         "owner": cast.l1.pk, "next_review_on": "2030-01-01", "note": ""},
    )  # fmt: skip
    a = Article.objects.get()
    assert response.url == reverse("knowledge:article", args=[a.pk])
    assert a.versions.count() == 1 and a.owner == cast.l1


@pytest.mark.django_db
def test_readers_rate_articles_with_a_comment(cast, client):
    a = article(cast)
    login(client, cast.customer).post(
        reverse("knowledge:article_feedback", args=[a.pk]), {"helpful": "0", "comment": "没用"}
    )
    do_record_feedback(a, user=cast.colleague, helpful=True)
    a.refresh_from_db()
    assert (a.helpful_count, a.not_helpful_count) == (1, 1)
    assert a.feedback.get(helpful=False).comment == "没用"


@pytest.mark.django_db
def test_this_solved_it_counts_a_deflection_and_files_no_ticket(cast, client):
    a = article(cast)
    before = Ticket.objects.count()
    response = login(client, cast.customer).post(
        reverse("knowledge:article_solved", args=[a.pk]), {"query": "打印机连不上"}
    )
    assert response.status_code == 302
    assert Deflection.objects.get().query == "打印机连不上"
    a.refresh_from_db()
    assert a.deflection_count == 1
    assert Ticket.objects.count() == before


def resolved_ticket(cast):
    ticket = cast.ticket(
        subject="报表导出乱码", description="导出的 CSV 用 Excel 打开是乱码",
        attachments=[upload("乱码截图.png")],
    )  # fmt: skip
    do_assign(ticket, actor=cast.l1, team=cast.l1_team, assignee=cast.l1)
    do_transition(ticket, actor=cast.l1, to=Status.DIAGNOSING)
    return do_transition(
        ticket, actor=cast.l1, to=Status.RESOLVED, solution="导出时选择 UTF-8 BOM 编码",
        result=ResolutionResult.SOLVED,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_resolved_case_becomes_an_article_in_the_guides_structure_linked_both_ways(cast, client):
    ticket = resolved_ticket(cast)
    login(client, cast.l1)
    form = client.get(reverse("knowledge:article_from_ticket", args=[ticket.number]))
    text = form.content.decode()
    for heading in ["问题描述", "原因分析", "解决步骤", "截图示例"]:
        assert heading in text
    assert "UTF-8 BOM" in text
    assert "乱码截图.png" in text
    a = do_create_article_from_ticket(ticket, actor=cast.l1)
    assert a.source_ticket == ticket and list(a.linked_tickets.all()) == [ticket]
    event = ticket.events.get(kind=EventKind.KNOWLEDGE)
    assert event.data["article_id"] == a.pk


@pytest.mark.django_db
def test_an_open_case_cannot_become_an_article(cast):
    ticket = cast.ticket(subject="还在处理", description="...")
    with pytest.raises(ActionError) as err:
        do_create_article_from_ticket(ticket, actor=cast.l1)
    assert "已解决" in err.value.message_dict["__all__"][0]
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_review_moves_the_next_review_date_or_retires_the_article(cast, client):
    a = article(cast, next_review_on="2020-01-01")
    login(client, cast.l2).post(
        reverse("knowledge:article_review", args=[a.pk]), {"outcome": "valid"}
    )
    a.refresh_from_db()
    assert a.next_review_on.year > 2020
    client.post(reverse("knowledge:article_review", args=[a.pk]), {"outcome": "retired"})
    a.refresh_from_db()
    assert a.status == "retired"


@pytest.mark.django_db
def test_the_article_list_takes_a_fixed_number_of_queries(
    cast, client, django_assert_max_num_queries
):
    for i in range(5):
        article(cast, title=f"文章{i}")
    login(client, cast.l1)
    with django_assert_max_num_queries(6):
        client.get(reverse("knowledge:article_list"))


@pytest.mark.django_db
def test_owners_get_one_reminder_per_review_cycle_and_overdue_articles_are_flagged(
    cast, client, mailoutbox
):
    import datetime as dt

    from supportdesk.knowledge.tasks import send_review_reminders

    cast.l2.email = "zhao.l2@desk.example"
    cast.l2.save()
    due = article(cast, title="到期文章", next_review_on=dt.date(2026, 1, 1))
    article(cast, title="未到期文章", next_review_on=dt.date(2099, 1, 1))
    assert send_review_reminders(dt.date(2026, 1, 2)) == 1
    assert send_review_reminders(dt.date(2026, 1, 3)) == 0
    assert len(mailoutbox) == 1 and "到期文章" in mailoutbox[0].body
    assert mailoutbox[0].to == ["zhao.l2@desk.example"]
    listing = login(client, cast.l1).get(reverse("knowledge:article_list")).content.decode()
    assert listing.count("badge-red") == 1
    client.logout()
    page = login(client, cast.customer).get(reverse("knowledge:article", args=[due.pk]))
    assert 'class="notice"' in page.content.decode()


@pytest.mark.django_db
def test_leads_mark_typical_cases_and_see_their_monthly_count(cast, client):
    from supportdesk.knowledge.models import TypicalCase

    ticket = resolved_ticket(cast)
    login(client, cast.lead)
    panel = client.get(reverse("search:similar", args=[ticket.number])).content.decode()
    assert reverse("knowledge:mark_typical_case", args=[ticket.number]) in panel
    client.post(reverse("knowledge:mark_typical_case", args=[ticket.number]))
    client.post(reverse("knowledge:mark_typical_case", args=[ticket.number]))
    assert TypicalCase.objects.get().marked_by == cast.lead
    assert ticket.events.filter(kind=EventKind.KNOWLEDGE).count() == 1
    panel = client.get(reverse("search:similar", args=[ticket.number])).content.decode()
    assert "本月您已标记典型案例 1 个（规范要求每月 3–5 个）" in panel
    client.logout()
    login(client, cast.l1).post(reverse("knowledge:mark_typical_case", args=[ticket.number]))
    assert TypicalCase.objects.count() == 1


@pytest.mark.django_db
def test_articles_carry_images_that_readers_of_the_article_may_load(
    cast, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    public = article(cast)
    internal = article(cast, title="内部", is_public=False)
    login(client, cast.l2)
    client.post(
        reverse("knowledge:article_files", args=[public.pk]), {"attachments": [upload("步骤1.png")]}
    )
    client.post(
        reverse("knowledge:article_files", args=[internal.pk]),
        {"attachments": [upload("内部.png")]},
    )
    refused = client.post(
        reverse("knowledge:article_files", args=[public.pk]),
        {"attachments": [upload("evil.exe", b"MZ")]},
    )
    assert refused.status_code == 302
    editor_page = client.get(reverse("knowledge:article", args=[public.pk])).content.decode()
    assert 'type="file" name="attachments"' in editor_page
    shown, hidden = public.files.get(), internal.files.get()
    assert public.files.count() == 1 and shown.filename == "步骤1.png"
    url = reverse("knowledge:article_file", args=[shown.pk])
    do_update_article(public, {"body": f"![步骤1]({url})"}, actor=cast.l2)
    client.logout()
    login(client, cast.customer)
    page = client.get(reverse("knowledge:article", args=[public.pk])).content.decode()
    assert f'src="{url}"' in page
    assert 'type="file" name="attachments"' not in page
    image = client.get(url)
    assert image.status_code == 200 and image["X-Content-Type-Options"] == "nosniff"
    hidden_url = reverse("knowledge:article_file", args=[hidden.pk])
    assert client.get(hidden_url).status_code == 404
