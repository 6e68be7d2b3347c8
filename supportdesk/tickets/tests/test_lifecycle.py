import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from supportdesk.core.errors import ActionError, ConflictError
from supportdesk.tests_support import Cast, big_upload, upload
from supportdesk.tickets import actions
from supportdesk.tickets.choices import CloseReason, EventKind, LinkKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket, TicketEvent
from supportdesk.tickets.timeline_integrity import verify_timeline

pytestmark = pytest.mark.django_db


def test_new_ticket_gets_dated_number_and_response_promise(cast: Cast) -> None:
    # 2026-11-23 01:30 UTC is 09:30 in Shanghai: the local date names the ticket.
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC), tick=False):
        first = cast.ticket(priority=cast.priority("P1"))
        second = cast.ticket()
    assert first.number == "TS202611230001"
    assert second.number == "TS202611230002"
    assert first.first_response_due_at == dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    assert first.status == Status.RECEIVED and first.phase == "receipt"


def test_number_follows_the_local_day_not_utc(cast: Cast) -> None:
    # 16:30 UTC on the 23rd is already 00:30 on the 24th in Shanghai.
    with time_machine.travel(dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC), tick=False):
        ticket = cast.ticket()
    assert ticket.number == "TS202611240001"


def test_invalid_ticket_is_refused_field_by_field_and_nothing_saved(cast: Cast) -> None:
    with pytest.raises(ActionError) as err:
        cast.ticket(subject=" ", description="", attachments=[upload("run.exe")])
    assert set(err.value.message_dict) == {"subject", "description", "attachments"}
    assert Ticket.objects.count() == 0


def test_oversized_attachment_is_refused_with_the_limit(cast: Cast, settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ActionError) as err:
        cast.ticket(attachments=[big_upload("server.log", 2048)])
    assert "1.0\xa0KB" in err.value.message_dict["attachments"][0]
    assert Ticket.objects.count() == 0


def test_customer_cannot_file_for_another_organization(cast: Cast) -> None:
    with pytest.raises(ActionError) as err:
        cast.ticket(installed_product=cast.other_product)
    assert "installed_product" in err.value.message_dict


def test_resolving_needs_solution_and_result(cast: Cast) -> None:
    ticket = cast.ticket()
    with pytest.raises(ActionError) as err:
        actions.do_transition(ticket, actor=cast.l1, to=Status.RESOLVED)
    assert set(err.value.message_dict) == {"solution", "result"}
    ticket.refresh_from_db()
    assert ticket.status == Status.RECEIVED


def test_closing_needs_confirmation_or_reason(cast: Cast) -> None:
    ticket = cast.ticket()
    with pytest.raises(ActionError):
        actions.do_transition(ticket, actor=cast.l1, to=Status.CLOSED)
    with pytest.raises(ActionError) as err:
        actions.do_transition(
            ticket, actor=cast.l1, to=Status.CLOSED, close_reason=CloseReason.OTHER
        )
    assert "reason" in err.value.message_dict
    closed = actions.do_transition(
        ticket, actor=cast.l1, to=Status.CLOSED, close_reason=CloseReason.DUPLICATE
    )
    assert closed.status == Status.CLOSED and closed.closed_at is not None


def test_the_whole_path_from_request_to_confirmed_fix(cast: Cast) -> None:
    ticket = cast.ticket(attachments=[upload("报错截图.png")])
    actions.do_assign(ticket, actor=cast.l1, team=cast.l1_team, assignee=cast.l1)
    actions.do_transition(ticket, actor=cast.l1, to=Status.DIAGNOSING)
    actions.do_record_step(ticket, actor=cast.l1, action="检查网络连通性", result="正常")
    actions.do_add_reply(ticket, actor=cast.l1, body="您好，我们正在排查。")
    actions.do_assign(
        ticket, actor=cast.l1, team=cast.l2_team, assignee=cast.l2, note="需要二线分析"
    )
    actions.do_transition(ticket, actor=cast.l2, to=Status.ANALYZING)
    actions.do_transition(
        ticket,
        actor=cast.l2,
        to=Status.RESOLVED,
        solution="1. 清除缓存\n2. 重新登录",
        result=ResolutionResult.SOLVED,
    )
    actions.do_confirm_resolution(ticket, actor=cast.customer, comment="已经可以登录了")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.close_reason == CloseReason.CUSTOMER_CONFIRMED
    assert ticket.first_responded_at is not None
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED, EventKind.ASSIGN, EventKind.STATUS, EventKind.STEP, EventKind.REPLY,
        EventKind.ASSIGN, EventKind.STATUS, EventKind.STATUS, EventKind.VERIFICATION,
        EventKind.STATUS,
    ]  # fmt: skip
    assert all(e.actor_id for e in ticket.events.all())
    assert verify_timeline(ticket) is None
    assert ticket.attachments.get().filename == "报错截图.png"


def test_customer_answer_ends_waiting_and_returns_to_previous_status(cast: Cast) -> None:
    ticket = cast.ticket()
    actions.do_transition(ticket, actor=cast.l1, to=Status.ANALYZING)
    actions.do_transition(ticket, actor=cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志")
    ticket.refresh_from_db()
    assert ticket.phase == "analysis"
    actions.do_add_reply(
        ticket, actor=cast.colleague, body="日志见附件", attachments=[upload("app.log")]
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.ANALYZING


def test_customer_may_only_confirm_or_reopen(cast: Cast) -> None:
    ticket = cast.ticket()
    with pytest.raises(PermissionDenied):
        actions.do_transition(ticket, actor=cast.customer, to=Status.DIAGNOSING)
    with pytest.raises(PermissionDenied):
        actions.do_add_note(ticket, actor=cast.customer, body="internal?")


def test_customer_rejecting_the_fix_reopens_it(cast: Cast) -> None:
    ticket = cast.ticket()
    actions.do_transition(
        ticket,
        actor=cast.l1,
        to=Status.RESOLVED,
        solution="重启服务",
        result=ResolutionResult.SOLVED,
    )
    reopened = actions.do_reopen(ticket, actor=cast.customer, reason="问题依旧")
    assert reopened.status == Status.REOPENED
    assert reopened.phase == "diagnosis"


def test_disallowed_move_is_explained(cast: Cast) -> None:
    ticket = cast.ticket()
    with pytest.raises(ActionError) as err:
        actions.do_transition(ticket, actor=cast.l1, to=Status.ARCHIVED)
    assert "status" in err.value.message_dict


def test_events_cannot_be_edited_or_deleted(cast: Cast) -> None:
    ticket = cast.ticket()
    event = ticket.events.get()
    event.body = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        TicketEvent.objects.filter(pk=event.pk).update(body="x")
    with pytest.raises(PermissionError):
        TicketEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_rewriting_an_event(cast: Cast) -> None:
    from django.db import connection

    ticket = cast.ticket()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticketevent SET body = 'forged' WHERE ticket_id = %s", [ticket.pk]
        )
    assert ticket.events.get().body != "forged"


def test_concurrent_edit_of_the_same_field_is_a_conflict_other_fields_merge(cast: Cast) -> None:
    ticket = cast.ticket()
    seen = ticket.version
    actions.do_update_fields(
        ticket, actor=cast.l1, changes={"env_os": "Windows 10"}, expected_version=seen
    )
    # A second agent who opened the page before that change edits another field: it lands.
    actions.do_update_fields(
        ticket, actor=cast.l2, changes={"env_browser": "IE11"}, expected_version=seen
    )
    # ...but changing the same field they had not seen change is refused.
    with pytest.raises(ConflictError):
        actions.do_update_fields(
            ticket, actor=cast.l2, changes={"env_os": "Windows 7"}, expected_version=seen
        )
    ticket.refresh_from_db()
    assert (ticket.env_os, ticket.env_browser) == ("Windows 10", "IE11")


def test_link_shows_on_both_timelines(cast: Cast) -> None:
    a, b = cast.ticket(), cast.ticket(subject="报表导出失败")
    actions.do_link_tickets(a, b, actor=cast.l1, kind=LinkKind.CAUSED_BY)
    assert a.events.filter(kind=EventKind.LINK).exists()
    assert b.events.filter(kind=EventKind.LINK, data__number=a.number).exists()
    with pytest.raises(ActionError):
        actions.do_link_tickets(a, b, actor=cast.l1, kind=LinkKind.CAUSED_BY)


def test_merge_closes_source_and_keeps_both_histories(cast: Cast) -> None:
    a, b = cast.ticket(), cast.ticket(by=cast.colleague, subject="同样无法登录")
    target = actions.do_merge_tickets(b, a, actor=cast.l1)
    b.refresh_from_db()
    assert b.status == Status.CLOSED and b.close_reason == CloseReason.MERGED
    assert b.merged_into_id == target.pk
    from supportdesk.tickets.selectors import timeline

    bodies = [e.body for e in timeline(target, cast.l1)]
    assert any("同样" in body or "token" in body for body in bodies)
    with pytest.raises(ActionError):
        actions.do_merge_tickets(b, a, actor=cast.l1)


def test_merge_across_organizations_is_refused(cast: Cast) -> None:
    a, b = cast.ticket(), cast.ticket(by=cast.outsider)
    with pytest.raises(ActionError):
        actions.do_merge_tickets(b, a, actor=cast.l1)


def test_other_domains_append_their_events_and_may_set_fields(cast: Cast) -> None:
    ticket = cast.ticket(priority=cast.priority("P2"))
    actions.do_record_event(
        ticket,
        kind=EventKind.ESCALATION,
        actor=None,
        actor_label="规则：P1 30 分钟未定位原因",
        body="自动升级",
        changes={"priority": cast.priority("P1")},
    )
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1" and ticket.priority_rank == 1
    event = ticket.events.last()
    assert event is not None and event.data["changes"]["priority"][1].startswith("P1")
    assert verify_timeline(ticket) is None
    with pytest.raises(ValueError):
        actions.do_record_event(ticket, kind=EventKind.STATUS, actor=None)


def test_routing_assigns_as_the_system_and_says_so(cast: Cast) -> None:
    ticket = cast.ticket()
    actions.do_assign(
        ticket, actor=None, actor_label="轮询分派", team=cast.l1_team, assignee=cast.l1
    )
    ticket.refresh_from_db()
    assert ticket.assignee == cast.l1
    event = ticket.events.last()
    assert event is not None and event.actor is None and event.actor_label == "轮询分派"
    with pytest.raises(PermissionDenied):
        actions.do_assign(ticket, actor=cast.customer, team=None, assignee=None)
