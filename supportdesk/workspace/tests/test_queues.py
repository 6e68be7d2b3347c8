import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from supportdesk.crm.models import Organization
from supportdesk.tests_support import Cast
from supportdesk.tickets import actions
from supportdesk.tickets.choices import Channel, CloseReason, Status, TicketType
from supportdesk.tickets.models import Ticket
from supportdesk.workspace.forms import ORGANIZATION_SELECT_LIMIT
from supportdesk.workspace.tests.conftest import next_link, numbers_on, queries_for

pytestmark = pytest.mark.django_db

QUEUE = reverse("workspace:queue")


@pytest.fixture
def desk(cast: Cast) -> dict[str, Ticket]:
    """One ticket for each situation a queue tells apart."""
    mine = cast.ticket(subject="我的工单", team=cast.l1_team, assignee=cast.l1)
    team = cast.ticket(subject="一线组的工单", team=cast.l1_team)
    unassigned = cast.ticket(subject="没人接的工单")
    other = cast.ticket(subject="二线的工单", team=cast.l2_team, assignee=cast.l2)
    waiting = cast.ticket(subject="等客户的工单", assignee=cast.l1)
    actions.do_transition(waiting, actor=cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志")
    closed = cast.ticket(subject="已关闭的工单", assignee=cast.l1)
    actions.do_transition(
        closed, actor=cast.l1, to=Status.CLOSED, close_reason=CloseReason.DUPLICATE
    )
    urgent = cast.ticket(subject="业务中断", priority=cast.priority("P0"))
    return {
        "mine": mine, "team": team, "unassigned": unassigned, "other": other,
        "waiting": waiting, "closed": closed, "urgent": urgent,
    }  # fmt: skip


def shown(client: Client, query: str) -> set[str]:
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return set(numbers_on(response.content.decode()))


def test_each_queue_shows_the_right_tickets(l1_client: Client, desk: dict[str, Ticket]) -> None:
    n = {key: ticket.number for key, ticket in desk.items()}
    assert shown(l1_client, "?queue=mine") == {n["mine"], n["waiting"]}
    assert shown(l1_client, "?queue=team") == {n["mine"], n["team"]}
    assert shown(l1_client, "?queue=unassigned") == {n["team"], n["unassigned"], n["urgent"]}
    assert shown(l1_client, "?queue=waiting") == {n["waiting"]}
    assert shown(l1_client, "?queue=open") == set(n.values()) - {n["closed"]}
    assert shown(l1_client, "?queue=all") == set(n.values())
    assert shown(l1_client, "?queue=recent") == set(n.values())


def test_my_queue_is_the_default(l1_client: Client, desk: dict[str, Ticket]) -> None:
    assert shown(l1_client, "") == {desk["mine"].number, desk["waiting"].number}


def test_priority_queue_puts_the_most_urgent_first(
    l1_client: Client, desk: dict[str, Ticket]
) -> None:
    page = l1_client.get(QUEUE + "?queue=priority").content.decode()
    assert numbers_on(page)[0] == desk["urgent"].number


def test_recent_queue_puts_the_last_touched_ticket_first(
    l1_client: Client, cast: Cast, desk: dict[str, Ticket]
) -> None:
    actions.do_add_note(desk["unassigned"], actor=cast.l2, body="看一下")
    page = l1_client.get(QUEUE + "?queue=recent").content.decode()
    assert numbers_on(page)[0] == desk["unassigned"].number


def test_filters_narrow_the_queue(l1_client: Client, cast: Cast, desk: dict[str, Ticket]) -> None:
    question = cast.ticket(
        by=cast.l1, organization=cast.other_org, type=TicketType.QUESTION, channel=Channel.CHAT,
        category=cast.category("data"),
    )  # fmt: skip
    assert shown(l1_client, f"?queue=all&status={Status.WAITING_CUSTOMER}") == {
        desk["waiting"].number
    }
    assert shown(l1_client, f"?queue=all&priority={cast.priority('P0').pk}") == {
        desk["urgent"].number
    }
    assert shown(l1_client, f"?queue=all&team={cast.l2_team.pk}") == {desk["other"].number}
    assert shown(l1_client, f"?queue=all&assignee={cast.l2.pk}") == {desk["other"].number}
    assert shown(l1_client, f"?queue=all&organization={cast.other_org.pk}") == {question.number}
    assert shown(l1_client, "?queue=all&type=question") == {question.number}
    assert shown(l1_client, "?queue=all&channel=chat") == {question.number}
    assert shown(l1_client, f"?queue=all&category={cast.category('data').pk}") == {question.number}
    assert shown(l1_client, f"?queue=all&number={question.number.lower()}") == {question.number}


def test_a_stale_filter_value_is_ignored_not_an_error(
    l1_client: Client, desk: dict[str, Ticket]
) -> None:
    assert len(shown(l1_client, "?queue=all&priority=99999&sort=nonsense")) == len(desk)


def test_sorting_orders_the_rows(l1_client: Client, desk: dict[str, Ticket]) -> None:
    oldest_first = numbers_on(l1_client.get(QUEUE + "?queue=all&sort=created_at").content.decode())
    newest_first = numbers_on(l1_client.get(QUEUE + "?queue=all&sort=-created_at").content.decode())
    assert oldest_first == sorted(t.number for t in desk.values())
    assert newest_first == list(reversed(oldest_first))


def test_next_page_continues_without_duplicates(l1_client: Client, cast: Cast, settings) -> None:
    settings.QUEUE_PAGE_SIZE = 3
    # Several tickets share one timestamp: the cursor must still break the tie.
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), tick=False):
        filed = {cast.ticket(subject=f"工单 {i}").number for i in range(8)}
    seen: list[str] = []
    url: str | None = QUEUE + "?queue=all&sort=-updated_at"
    while url:
        page = l1_client.get(url).content.decode()
        seen += numbers_on(page)
        url = next_link(page)
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == filed


def test_filter_change_from_htmx_returns_only_the_table(
    l1_client: Client, desk: dict[str, Ticket]
) -> None:
    response = l1_client.get(QUEUE + "?queue=all&type=fault", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="queue-table"')
    assert "<html" not in page and 'class="filters"' not in page
    assert "HX-Request" in response["Vary"]


def test_queue_shows_times_in_the_users_time_zone(l1_client: Client, cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC), tick=False):
        cast.ticket(subject="时区", assignee=cast.l1)
    assert "2026-11-23 09:30" in l1_client.get(QUEUE).content.decode()
    cast.l1.time_zone = "Europe/London"
    cast.l1.save(update_fields=["time_zone"])
    assert "2026-11-23 01:30" in l1_client.get(QUEUE).content.decode()


def test_sidebar_counts_the_actionable_queues(l1_client: Client, desk: dict[str, Ticket]) -> None:
    page = l1_client.get(QUEUE).content.decode()
    assert 'aria-current="page">' in page
    assert '<span class="count">2</span>' in page  # mine: two open tickets


def test_queue_page_queries_do_not_grow_with_the_number_of_tickets(
    l1_client: Client, cast: Cast, django_assert_max_num_queries
) -> None:
    def file(count: int) -> None:
        for i in range(count):
            cast.ticket(
                subject=f"工单 {i}", team=cast.l1_team, assignee=cast.l1 if i % 2 else None,
                category=cast.category("function"),
            )  # fmt: skip

    url = QUEUE + "?queue=all"
    file(5)
    with_five = queries_for(l1_client, url)
    file(35)
    with_forty = queries_for(l1_client, url)
    assert with_forty == with_five
    # Session, user, the page, SLA due times, four capped counts, the filter's choices
    # (priorities, teams, engineers, categories); no customer list.
    with django_assert_max_num_queries(12):
        l1_client.get(url)
    page = l1_client.get(url).content.decode()
    assert len(numbers_on(page)) == 40


def test_with_many_customers_the_filter_takes_a_typed_name(
    l1_client: Client, cast: Cast, desk: dict[str, Ticket]
) -> None:
    Organization.objects.bulk_create(
        Organization(name=f"客户{i:04d}有限公司") for i in range(ORGANIZATION_SELECT_LIMIT)
    )
    theirs = cast.ticket(by=cast.outsider)
    page = l1_client.get(QUEUE + "?queue=all").content.decode()
    assert 'name="organization"' in page and "客户0150有限公司" not in page  # no huge <select>
    assert shown(l1_client, "?queue=all&organization=北辰") == {theirs.number}
    assert shown(l1_client, f"?queue=all&organization={cast.other_org.pk}") == {theirs.number}
    response = l1_client.get(QUEUE + "?queue=all&organization=有限公司")
    assert "Several customers match; type more of the name." in response.content.decode()


def test_the_customer_filter_suggests_names_as_the_engineer_types(
    l1_client: Client, cast: Cast, django_assert_max_num_queries
) -> None:
    Organization.objects.bulk_create(
        Organization(name=f"客户{i:04d}有限公司") for i in range(3 * ORGANIZATION_SELECT_LIMIT)
    )
    page = l1_client.get(QUEUE + "?queue=all").content.decode()
    box = re.search(r'<input[^>]*name="organization"[^>]*>', page)
    assert box is not None and 'list="organization-options"' in box.group(0)
    assert "<option" not in page.split('id="organization-options"')[1].split("</datalist>")[0]
    url = reverse("workspace:organization_suggestions")
    # Opened without typing: the first names, enough to pick from.
    first = re.findall(r'<option value="([^"]+)">', l1_client.get(url).content.decode())
    assert len(first) == 20 and first == sorted(first)
    # Part of a name finds it wherever it is in the list.
    with django_assert_max_num_queries(3):  # session, user, names
        typed = l1_client.get(url, {"organization": "0451"}).content.decode()
    typed_names = re.findall(r'<option value="([^"]+)">', typed)
    assert typed_names == ["客户0451有限公司"]
    # A picked suggestion is what the filter then takes.
    theirs = cast.ticket(by=cast.l1, organization=Organization.objects.get(name=typed_names[0]))
    assert shown(l1_client, f"?queue=all&organization={typed_names[0]}") == {theirs.number}


def test_customers_do_not_get_customer_suggestions(client: Client, cast: Cast) -> None:
    client.force_login(cast.customer)
    assert client.get(reverse("workspace:organization_suggestions")).status_code == 404
