import pytest

from supportdesk.api.tests.conftest import Api
from supportdesk.tests_support import Cast
from supportdesk.tickets import actions
from supportdesk.tickets.choices import Status

pytestmark = pytest.mark.django_db

# One query for the session, one for the user, one for the page (the queue's joins included);
# a priority or category filter adds one lookup each.
LIST_QUERIES = 4


def file_assigned_tickets(cast: Cast, count: int) -> None:
    for i in range(count):
        ticket = cast.ticket(subject=f"导入后乱码 {i}", category=cast.category("data"))
        actions.do_assign(ticket, actor=cast.lead, team=cast.l1_team, assignee=cast.l1)


def walk(api: Api, params: dict[str, object]) -> list[str]:
    numbers: list[str] = []
    cursor = None
    while True:
        body = api.get("/tickets", {**params, **({"cursor": cursor} if cursor else {})}).json()
        numbers += [item["number"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return numbers


def test_cursor_pagination_walks_every_ticket_once(cast: Cast, api: Api) -> None:
    file_assigned_tickets(cast, 23)
    api.as_user(cast.l1)
    for sort in ("-updated_at", "created_at", "priority"):
        numbers = walk(api, {"limit": 5, "sort": sort})
        assert len(numbers) == 23
        assert len(set(numbers)) == 23


def test_a_ticket_changed_while_paging_does_not_shift_the_pages(cast: Cast, api: Api) -> None:
    file_assigned_tickets(cast, 6)
    api.as_user(cast.l1)
    first = api.get("/tickets", {"limit": 3, "sort": "created_at"}).json()
    cast.ticket(subject="翻页时新来的工单")
    rest = walk(api, {"limit": 3, "sort": "created_at", "cursor": first["next_cursor"]})
    numbers = [item["number"] for item in first["items"]] + rest
    assert len(numbers) == 7 and len(set(numbers)) == 7


def test_filters_narrow_the_list(cast: Cast, api: Api) -> None:
    file_assigned_tickets(cast, 2)
    urgent = cast.ticket(subject="生产系统无法登录", priority=cast.priority("P0"))
    other = cast.ticket(by=cast.outsider, subject="北辰的工单")
    actions.do_transition(other, actor=cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志")
    api.as_user(cast.l1)

    def numbers(**params: object) -> set[str]:
        return {item["number"] for item in api.get("/tickets", params).json()["items"]}

    assert numbers(priority="P0") == {urgent.number}
    assert numbers(queue="waiting") == {other.number}
    assert numbers(organization=cast.other_org.pk) == {other.number}
    assert len(numbers(queue="mine")) == 2
    assert len(numbers(queue="unassigned")) == 2
    assert len(numbers(category="data", assignee=cast.l1.pk, team=cast.l1_team.pk)) == 2
    assert numbers(status="waiting_customer", channel="portal") == {other.number}


def test_customer_lists_only_their_organizations_tickets(cast: Cast, api: Api) -> None:
    mine = cast.ticket()
    colleagues = cast.ticket(by=cast.colleague)
    cast.ticket(by=cast.outsider)
    items = api.as_user(cast.customer).get("/tickets").json()["items"]
    assert {item["number"] for item in items} == {mine.number, colleagues.number}


def test_a_forged_cursor_or_unknown_code_is_a_422(cast: Cast, api: Api) -> None:
    api.as_user(cast.l1)
    response = api.get("/tickets", {"cursor": "not-a-cursor"})
    assert response.status_code == 422 and "cursor" in response.json()["errors"]
    response = api.get("/tickets", {"priority": "P9", "limit": 1000})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"limit"}
    response = api.get("/tickets", {"priority": "P9"})
    assert set(response.json()["errors"]) == {"priority"}


@pytest.mark.parametrize("count", [5, 30])
def test_ticket_list_costs_the_same_queries_for_5_or_30_tickets(
    cast: Cast, api: Api, count: int, django_assert_max_num_queries
) -> None:
    file_assigned_tickets(cast, count)
    api.as_user(cast.l1)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = api.get("/tickets", {"limit": 50})
    assert len(response.json()["items"]) == count
    with django_assert_max_num_queries(LIST_QUERIES + 2):
        response = api.get("/tickets", {"priority": "P3", "category": "data"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 30])
def test_timeline_costs_the_same_queries_however_long(
    cast: Cast, api: Api, count: int, django_assert_max_num_queries
) -> None:
    ticket = cast.ticket()
    for i in range(count):
        actions.do_add_reply(ticket, actor=cast.l1, body=f"第 {i} 次回复")
        actions.do_add_note(ticket, actor=cast.l2, body=f"第 {i} 条备注")
    from supportdesk.tests_support import upload

    actions.do_add_attachments(ticket, actor=cast.customer, files=[upload()])
    for user in (cast.l1, cast.customer):
        api.as_user(user)
        # session, user, ticket, merged tickets, events, attachments
        with django_assert_max_num_queries(6):
            response = api.get(f"/tickets/{ticket.number}/timeline")
        assert response.status_code == 200


def test_reading_a_ticket_is_a_fixed_number_of_queries(
    cast: Cast, api: Api, django_assert_max_num_queries
) -> None:
    ticket = cast.ticket(installed_product=cast.product, category=cast.category("data"))
    actions.do_assign(ticket, actor=cast.lead, team=cast.l1_team, assignee=cast.l1)
    api.with_token(cast.l1)
    api.get("/me")
    # token with its user, then the ticket with everything it shows joined
    with django_assert_max_num_queries(2):
        assert api.get(f"/tickets/{ticket.number}").status_code == 200
