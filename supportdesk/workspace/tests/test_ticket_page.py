import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from supportdesk.crm.models import Organization
from supportdesk.tests_support import Cast, upload
from supportdesk.tickets import actions
from supportdesk.tickets.choices import (
    CallDirection,
    CloseReason,
    EventKind,
    LinkKind,
    ResolutionResult,
    Status,
)
from supportdesk.tickets.models import Ticket, TicketLink
from supportdesk.workspace.forms import ORGANIZATION_SELECT_LIMIT
from supportdesk.workspace.tests.conftest import queries_for

pytestmark = pytest.mark.django_db


def page_url(ticket: Ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.number])


def post(client: Client, ticket: Ticket, action: str, data: dict, **kwargs):
    return client.post(reverse(f"workspace:ticket_{action}", args=[ticket.number]), data, **kwargs)


def fields_data(ticket: Ticket, **overrides: object) -> dict[str, object]:
    """What the edit-fields form posts when the agent changes only ``overrides``."""
    ticket.refresh_from_db()
    data: dict[str, object] = {
        "subject": ticket.subject, "description": ticket.description, "type": ticket.type,
        "category": ticket.category_id or "", "priority": ticket.priority_id,
        "classification": ticket.classification, "source": ticket.source,
        "organization": ticket.organization_id or "", "contact": ticket.contact_id or "",
        "installed_product": ticket.installed_product_id or "", "occurred_at": "",
        "frequency": ticket.frequency, "reproducibility": ticket.reproducibility,
        "env_os": ticket.env_os, "env_software_version": ticket.env_software_version,
        "env_browser": ticket.env_browser, "env_network": ticket.env_network,
        "env_hardware": ticket.env_hardware, "steps_tried": ticket.steps_tried,
        "root_cause": ticket.root_cause, "version": ticket.version,
    }  # fmt: skip
    data.update(overrides)
    return data


def last_event(ticket: Ticket):
    return ticket.events.order_by("-id").first()


def test_ticket_page_shows_the_record_and_the_timeline(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket(
        installed_product=cast.product, env_os="Windows 10", steps_tried="清除了浏览器缓存",
        attachments=[upload("报错截图.png")],
    )  # fmt: skip
    page = l1_client.get(page_url(ticket)).content.decode()
    assert ticket.number in page and "登录时提示 token 失效" in page
    assert "Windows 10" in page and "清除了浏览器缓存" in page and "云枢 ERP 5.2.1" in page
    assert cast.org.name in page
    attachment = ticket.attachments.get()
    assert reverse("tickets:attachment_download", args=[attachment.pk]) in page
    assert "报错截图.png" in page
    assert "张伟" in page  # the customer who filed it, as the actor of the first event


def test_ticket_page_shows_internal_notes_marked_as_internal(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    note = actions.do_add_note(ticket, actor=cast.l2, body="怀疑是 SSO 配置问题")
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "怀疑是 SSO 配置问题" in page
    item = re.search(rf'<li class="event event-note internal" id="event-{note.pk}">', page)
    assert item is not None


def test_reply_reaches_the_timeline_with_actor_time_and_files(
    l1_client: Client, cast: Cast
) -> None:
    ticket = cast.ticket()
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 15, tzinfo=dt.UTC)):
        response = post(
            l1_client, ticket, "reply",
            {"body": "请清除缓存后重试", "attachments": [upload("步骤.png"), upload("说明.txt",
             b"steps", "text/plain")]},
        )  # fmt: skip
    event = last_event(ticket)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#event-{event.pk}")
    assert event.kind == EventKind.REPLY and event.is_public and event.actor == cast.l1
    assert sorted(a.filename for a in event.attachments.all()) == ["步骤.png", "说明.txt"]
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "请清除缓存后重试" in page and "陈一线" in page and "2026-11-23 10:15" in page
    assert "说明.txt" in page


def test_empty_reply_is_refused_with_a_field_error(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(l1_client, ticket, "reply", {"body": "  "})
    assert response.status_code == 422
    assert "Write a message or attach a file." in response.content.decode()
    assert ticket.events.count() == 1


def test_disallowed_attachment_on_a_reply_is_refused(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "reply", {"body": "看附件", "attachments": [upload("x.exe")]}
    )
    assert response.status_code == 422
    assert ticket.events.count() == 1


def test_internal_note_is_recorded_hidden_from_the_customer(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    post(l1_client, ticket, "note", {"body": "客户环境是内网，需要 VPN"})
    event = last_event(ticket)
    assert event.kind == EventKind.NOTE and not event.is_public and event.actor == cast.l1


def test_handling_step_with_result_is_recorded(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    post(l1_client, ticket, "step", {"action": "检查网络连通性", "result": "ping 正常"})
    event = last_event(ticket)
    assert event.kind == EventKind.STEP and event.body == "检查网络连通性"
    assert event.data["result"] == "ping 正常" and not event.is_public
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "检查网络连通性" in page and "ping 正常" in page


def test_phone_call_is_logged_with_number_and_duration(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "call",
        {"direction": CallDirection.OUTBOUND, "phone_number": "010-12345678",
         "duration": "5:30", "summary": "回访客户，确认问题复现步骤"},
    )  # fmt: skip
    assert response.status_code == 302
    event = last_event(ticket)
    assert event.kind == EventKind.CALL and event.actor == cast.l1
    assert event.data["duration_seconds"] == 330 and event.data["direction"] == "outbound"
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "010-12345678" in page and "5:30" in page


def test_assigning_to_the_l2_team_escalates_and_shows_on_the_timeline(
    l1_client: Client, cast: Cast
) -> None:
    ticket = cast.ticket(team=cast.l1_team, assignee=cast.l1)
    response = post(
        l1_client, ticket, "assign",
        {"team": cast.l2_team.pk, "assignee": cast.l2.pk, "note": "需要二线分析日志",
         "version": ticket.version},
    )  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.team == cast.l2_team and ticket.assignee == cast.l2
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "一线支持" in page and "二线支持" in page and "需要二线分析日志" in page


def test_assigning_someone_outside_the_team_is_refused(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "assign",
        {"team": cast.l2_team.pk, "assignee": cast.l1.pk, "version": ticket.version},
    )  # fmt: skip
    assert response.status_code == 422
    assert "is not a member of" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_only_allowed_moves_are_offered(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    page = l1_client.get(page_url(ticket)).content.decode()
    offered = set(re.findall(r'class="transition" data-target="([a-z_]+)"', page))
    assert offered == {"diagnosing", "analyzing", "waiting_customer", "resolved", "closed"}


def test_a_move_asks_for_its_fields_when_opened(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    page = l1_client.get(page_url(ticket)).content.decode()
    # The page itself renders no move's form: each is fetched when the agent opens it.
    assert 'name="solution"' not in page
    url = reverse("workspace:ticket_transition_form", args=[ticket.number, Status.RESOLVED])
    assert url in page
    fragment = l1_client.get(url, {"version": ticket.version}).content.decode()
    assert 'name="solution"' in fragment and 'name="result"' in fragment
    assert f'name="version" value="{ticket.version}"' in fragment
    # A move the workflow does not allow from here is not served.
    archived = reverse("workspace:ticket_transition_form", args=[ticket.number, Status.ARCHIVED])
    assert l1_client.get(archived).status_code == 404


@pytest.mark.parametrize(
    ("name", "control"),
    [("fields", "env_browser"), ("assign", "assignee"), ("step", "action"), ("call", "direction"),
     ("link", "kind"), ("merge", "number")],
)  # fmt: skip
def test_side_forms_load_when_opened(
    l1_client: Client, cast: Cast, name: str, control: str
) -> None:
    ticket = cast.ticket()
    page = l1_client.get(page_url(ticket)).content.decode()
    url = reverse("workspace:ticket_form", args=[ticket.number, name])
    assert f'hx-get="{url}?version={ticket.version}"' in page
    assert 'name="assignee"' not in page  # no side form is rendered with the page
    fragment = l1_client.get(url, {"version": ticket.version}).content.decode()
    assert f'name="{control}"' in fragment
    unknown = reverse("workspace:ticket_form", args=[ticket.number, "nope"])
    assert l1_client.get(unknown).status_code == 404


def test_a_form_opened_late_keeps_the_version_the_page_showed(
    l1_client: Client, cast: Cast
) -> None:
    # Someone else changes the ticket after the page loaded: the assignment form, opened
    # later, still carries the version the agent saw, so saving it reports the conflict.
    ticket = cast.ticket()
    seen = ticket.version
    actions.do_add_note(ticket, actor=cast.l2, body="看过了")
    url = reverse("workspace:ticket_form", args=[ticket.number, "assign"])
    fragment = l1_client.get(url, {"version": seen}).content.decode()
    assert f'name="version" value="{seen}"' in fragment


def test_customers_cannot_fetch_side_forms(client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    client.force_login(cast.customer)
    for url in (
        reverse("workspace:ticket_form", args=[ticket.number, "assign"]),
        reverse("workspace:ticket_transition_form", args=[ticket.number, Status.RESOLVED]),
    ):
        assert client.get(url).status_code == 404


def test_transition_moves_the_ticket_and_shows_the_move(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "transition", {"to": Status.DIAGNOSING, "version": ticket.version}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.DIAGNOSING
    event = last_event(ticket)
    assert event.kind == EventKind.STATUS and event.actor == cast.l1
    page = l1_client.get(page_url(ticket)).content.decode()
    assert f'id="event-{event.pk}"' in page


def test_waiting_on_the_customer_needs_to_say_what_is_needed(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "transition",
        {"to": Status.WAITING_CUSTOMER, "reason": "", "version": ticket.version},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Say what is needed from the customer." in response.content.decode()
    post(
        l1_client, ticket, "transition",
        {"to": Status.WAITING_CUSTOMER, "reason": "请提供服务器日志", "version": ticket.version},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_CUSTOMER


def test_resolving_without_a_solution_shows_the_field_errors_and_changes_nothing(
    l1_client: Client, cast: Cast
) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "transition", {"to": Status.RESOLVED, "version": ticket.version}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "Describe the solution before resolving." in page
    assert "Choose the result before resolving." in page
    # The failed move's form is the one left open, with the errors under its fields.
    assert re.search(r'<details class="transition" data-target="resolved" open>\s*<summary>', page)
    ticket.refresh_from_db()
    assert ticket.status == Status.RECEIVED and ticket.events.count() == 1


def test_resolving_with_solution_and_result_records_both(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    post(
        l1_client, ticket, "transition",
        {"to": Status.RESOLVED, "solution": "1. 清除缓存\n2. 重新登录",
         "result": ResolutionResult.SOLVED, "version": ticket.version},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.result == ResolutionResult.SOLVED
    assert "清除缓存" in ticket.solution


def test_closing_with_other_needs_the_reason(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "transition",
        {"to": Status.CLOSED, "close_reason": CloseReason.OTHER, "version": ticket.version},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Record the reason for closing." in response.content.decode()
    post(
        l1_client, ticket, "transition",
        {"to": Status.CLOSED, "close_reason": CloseReason.CONFIRMED_BY_PHONE,
         "version": ticket.version},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.close_reason == CloseReason.CONFIRMED_BY_PHONE


def test_setting_fields_lists_old_and_new_values(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(
        l1_client, ticket, "fields",
        fields_data(ticket, priority=cast.priority("P1").pk, env_browser="IE11",
                    occurred_at="2026-11-23T09:05"),
    )  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1" and ticket.env_browser == "IE11"
    assert ticket.occurred_at == dt.datetime(2026, 11, 23, 1, 5, tzinfo=dt.UTC)
    event = last_event(ticket)
    assert event.data["fields"] == ["env_browser", "occurred_at", "priority"]
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "IE11" in page and "2026-11-23 09:05" in page


def test_saving_unchanged_fields_records_nothing(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket(description="第一行\n第二行")
    # Browsers send CRLF line ends; that is not a change.
    post(l1_client, ticket, "fields", fields_data(ticket, description="第一行\r\n第二行"))
    assert ticket.events.count() == 1


def test_a_stale_version_edit_shows_the_conflict_and_keeps_the_input(
    l1_client: Client, cast: Cast
) -> None:
    ticket = cast.ticket()
    seen = fields_data(ticket)
    actions.do_update_fields(ticket, actor=cast.l2, changes={"subject": "二线改过的标题"})
    response = post(l1_client, ticket, "fields", {**seen, "subject": "一线想改的标题"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this ticket (subject)" in page
    assert 'value="一线想改的标题"' in page
    ticket.refresh_from_db()
    assert ticket.subject == "二线改过的标题"


def test_a_stale_version_on_other_fields_merges(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    seen = fields_data(ticket)
    actions.do_update_fields(ticket, actor=cast.l2, changes={"env_os": "CentOS 7"})
    # The l1 form still shows the old env_os; only the browser field is theirs to change.
    response = post(l1_client, ticket, "fields", {**seen, "env_os": "CentOS 7",
                                                  "env_browser": "Chrome 120"})  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.env_os, ticket.env_browser) == ("CentOS 7", "Chrome 120")


def test_stale_status_move_is_a_conflict(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    version = ticket.version
    actions.do_transition(ticket, actor=cast.l2, to=Status.ANALYZING)
    response = post(l1_client, ticket, "transition", {"to": Status.DIAGNOSING, "version": version})
    assert response.status_code == 409
    assert "Someone else changed this ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.ANALYZING


def test_linking_by_number_shows_on_both_tickets(l1_client: Client, cast: Cast) -> None:
    ticket, earlier = cast.ticket(), cast.ticket(subject="上周同样的问题")
    post(l1_client, ticket, "link", {"number": earlier.number.lower(), "kind": LinkKind.RELATED})
    assert TicketLink.objects.filter(from_ticket=ticket, to_ticket=earlier).exists()
    assert earlier.number in l1_client.get(page_url(ticket)).content.decode()
    assert ticket.number in l1_client.get(page_url(earlier)).content.decode()


def test_linking_to_an_unknown_number_is_a_field_error(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(l1_client, ticket, "link", {"number": "TS209901010001", "kind": "related"})
    assert response.status_code == 422
    assert "There is no ticket with that number." in response.content.decode()


def test_merging_closes_this_ticket_into_the_other(l1_client: Client, cast: Cast) -> None:
    duplicate, target = cast.ticket(), cast.ticket()
    response = post(l1_client, duplicate, "merge", {"number": target.number, "note": "重复"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.status == Status.CLOSED
    page = l1_client.get(page_url(target)).content.decode()
    assert duplicate.number in page


def test_merging_across_organizations_is_refused_on_the_form(l1_client: Client, cast: Cast) -> None:
    ticket, foreign = cast.ticket(), cast.ticket(by=cast.outsider)
    response = post(l1_client, ticket, "merge", {"number": foreign.number})
    assert response.status_code == 422
    assert "Tickets of different organizations cannot be merged." in response.content.decode()


def test_ticket_page_queries_do_not_grow_with_the_timeline(
    l1_client: Client, cast: Cast, django_assert_max_num_queries
) -> None:
    ticket = cast.ticket(attachments=[upload()])
    url = page_url(ticket)
    few = queries_for(l1_client, url)
    for i in range(10):
        actions.do_add_reply(ticket, actor=cast.l1, body=f"回复 {i}", attachments=[upload()])
        actions.do_add_note(ticket, actor=cast.l2, body=f"备注 {i}")
        actions.do_record_step(ticket, actor=cast.l1, action=f"步骤 {i}", result="正常")
        actions.do_log_call(ticket, actor=cast.l1, direction="inbound", summary=f"电话 {i}")
        actions.do_update_fields(ticket, actor=cast.l1, changes={"env_os": f"Windows {i}"})
        actions.do_assign(ticket, actor=cast.l1, team=cast.l1_team if i % 2 else cast.l2_team,
                          assignee=None)  # fmt: skip
        actions.do_link_tickets(ticket, cast.ticket(), actor=cast.l1, kind="related")
    many = queries_for(l1_client, url)
    assert many == few
    # Session, user, ticket, tickets merged into it, attachments, events, links, SLA clocks,
    # mail sent (and its bounced addresses, once there is mail), mail received.
    with django_assert_max_num_queries(11):
        l1_client.get(url)


def test_reopening_a_closed_ticket_asks_why(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    actions.do_transition(ticket, actor=cast.l1, to=Status.CLOSED, close_reason="no_response")
    ticket.refresh_from_db()
    page = l1_client.get(page_url(ticket)).content.decode()
    assert set(re.findall(r'class="transition" data-target="([a-z_]+)"', page)) == {
        "archived",
        "reopened",
    }
    response = post(l1_client, ticket, "transition", {"to": "reopened", "version": ticket.version})
    assert response.status_code == 422
    assert "Say why the ticket is reopened." in response.content.decode()
    post(
        l1_client, ticket, "transition",
        {"to": "reopened", "reason": "客户反馈问题复现", "version": ticket.version},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED


def test_call_without_a_summary_is_refused(l1_client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    response = post(l1_client, ticket, "call", {"direction": "inbound", "summary": ""})
    assert response.status_code == 422
    assert ticket.events.count() == 1
    # The refused form is the one shown open, so the engineer sees the error at once.
    assert re.search(
        r'<section class="card" id="call">\s*<details open>', response.content.decode()
    )


def test_stale_move_to_a_status_no_longer_offered_still_explains_itself(
    l1_client: Client, cast: Cast
) -> None:
    ticket = cast.ticket()
    version = ticket.version
    actions.do_transition(ticket, actor=cast.l2, to=Status.CLOSED, close_reason="duplicate")
    response = post(l1_client, ticket, "transition", {"to": Status.DIAGNOSING, "version": version})
    assert response.status_code == 422
    assert "cannot move to" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_with_many_customers_fields_keep_the_customer_by_name(
    l1_client: Client, cast: Cast
) -> None:
    Organization.objects.bulk_create(
        Organization(name=f"客户{i:04d}有限公司") for i in range(ORGANIZATION_SELECT_LIMIT)
    )
    ticket = cast.ticket()
    page = l1_client.get(page_url(ticket) + "forms/fields/").content.decode()
    assert f'name="organization" value="{cast.org.name}"' in page
    response = post(
        l1_client, ticket, "fields", fields_data(ticket, organization=cast.org.name, env_os="macOS")
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.organization == cast.org and ticket.env_os == "macOS"
    assert last_event(ticket).data["fields"] == ["env_os"]


def test_the_edit_form_loads_when_opened_with_the_current_values(
    l1_client: Client, cast: Cast
) -> None:
    ticket = cast.ticket(env_browser="IE11")
    page = l1_client.get(page_url(ticket)).content.decode()
    assert "forms/fields/" in page and 'name="env_browser"' not in page
    form = l1_client.get(page_url(ticket) + "forms/fields/")
    assert form.status_code == 200
    assert 'name="env_browser"' in form.content.decode()
    assert 'value="IE11"' in form.content.decode()


def test_customers_cannot_fetch_the_edit_form(client: Client, cast: Cast) -> None:
    ticket = cast.ticket()
    client.force_login(cast.customer)
    assert client.get(page_url(ticket) + "forms/fields/").status_code == 404
