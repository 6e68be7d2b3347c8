import pytest

from supportdesk.api.tests.conftest import Api
from supportdesk.tests_support import Cast, big_upload, upload
from supportdesk.tickets import actions
from supportdesk.tickets.choices import EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def structured_ticket(cast: Cast) -> dict[str, object]:
    return {
        "subject": "报表导出失败",
        "description": "导出月度报表时提示“导出失败，请稍后重试”。",
        "type": "fault",
        "category": "function",
        "priority": "P1",
        "occurred_at": "2026-11-23T09:30:00+08:00",
        "frequency": "frequent",
        "reproducibility": "always",
        "env_os": "Windows 10",
        "env_software_version": "5.2.1",
        "env_browser": "Chrome 120",
        "env_network": "内网",
        "steps_tried": "清除缓存后重试，问题依旧。",
        "installed_product": cast.product.pk,
    }


def test_customer_files_a_structured_ticket_for_their_organization(cast: Cast, api: Api) -> None:
    response = api.as_user(cast.customer).post("/tickets", structured_ticket(cast))
    assert response.status_code == 201
    body = response.json()
    assert body["number"].startswith("TS")
    assert body["first_response_due_at"]
    assert body["organization"] == {"id": cast.org.pk, "name": cast.org.name}
    assert body["priority"]["code"] == "P1" and body["category"]["code"] == "function"
    assert body["installed_product"]["product"] == "云枢 ERP"
    assert body["frequency"] == "frequent" and body["env_browser"] == "Chrome 120"
    assert body["occurred_at"].startswith("2026-11-23T01:30:00")
    assert body["contact"]["name"] == "张伟"
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.organization == cast.org and ticket.created_by == cast.customer


def test_agent_files_a_ticket_for_an_organization(cast: Cast, api: Api) -> None:
    payload = {**structured_ticket(cast), "organization": cast.org.pk, "channel": "phone"}
    response = api.as_user(cast.l1).post("/tickets", payload)
    assert response.status_code == 201
    assert response.json()["organization"]["id"] == cast.org.pk
    assert response.json()["channel"] == "phone"


@pytest.mark.parametrize("who", ["customer", "l1"])
def test_the_filing_answer_is_the_ticket_as_reading_it_shows(
    cast: Cast, api: Api, who: str
) -> None:
    # The answer is built from what the filing wrote, not read back: it must not differ.
    payload = {**structured_ticket(cast), "organization": cast.org.pk}
    client = api.as_user(getattr(cast, who))
    filed = client.post("/tickets", payload)
    assert filed.status_code == 201
    read = client.get(f"/tickets/{filed.json()['number']}")
    assert filed.json() == read.json()


def test_a_customer_cannot_pose_as_another_channel(cast: Cast, api: Api) -> None:
    payload = {**structured_ticket(cast), "channel": "monitoring"}
    response = api.as_user(cast.customer).post("/tickets", payload)
    assert response.status_code == 201
    assert response.json()["channel"] == "api"


def test_customer_cannot_file_for_another_organization(cast: Cast, api: Api) -> None:
    payload = {**structured_ticket(cast), "organization": cast.other_org.pk}
    payload.pop("installed_product")
    response = api.as_user(cast.customer).post("/tickets", payload)
    assert response.status_code == 422
    assert "organization" in response.json()["errors"]
    assert Ticket.objects.count() == 0


def test_bad_payload_is_refused_field_by_field_and_nothing_saved(cast: Cast, api: Api) -> None:
    payload = {
        "subject": "x" * 201,
        "type": "disaster",
        "priority": "P9",
        "frequency": "sometimes",
        "occurred_at": "yesterday",
        "colour": "red",
    }
    response = api.as_user(cast.customer).post("/tickets", payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"subject", "description", "type", "frequency", "occurred_at", "colour"}
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_refusals_of_the_action_use_the_same_shape(cast: Cast, api: Api) -> None:
    response = api.as_user(cast.customer).post(
        "/tickets", {"subject": " ", "description": " ", "priority": "P9"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"priority"}
    response = api.post("/tickets", {"subject": " ", "description": " "})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"subject", "description"}
    assert Ticket.objects.count() == 0


def test_errors_follow_accept_language_for_token_callers(cast: Cast, api: Api) -> None:
    api.with_token(cast.customer)
    english = api.post("/tickets", {"subject": "a"}, **{"Accept-Language": "en"})
    chinese = api.post("/tickets", {"subject": "a"}, **{"Accept-Language": "zh-Hans"})
    assert english.json()["errors"]["description"] == ["This field is required."]
    assert chinese.json()["errors"]["description"] == ["这个字段是必填项。"]


def test_reading_a_ticket_shows_the_record_and_the_moves_allowed(cast: Cast, api: Api) -> None:
    ticket = cast.ticket(priority=cast.priority("P2"))
    body = api.as_user(cast.l1).get(f"/tickets/{ticket.number}").json()
    assert body["subject"] == ticket.subject and body["status"] == "received"
    assert "resolved" in body["allowed_transitions"]
    customer_view = api.as_user(cast.customer).get(f"/tickets/{ticket.number}").json()
    assert customer_view["allowed_transitions"] == []


def test_customer_of_another_organization_gets_404_for_ticket_and_attachment(
    cast: Cast, api: Api
) -> None:
    ticket = cast.ticket(attachments=[upload("报错截图.png")])
    attachment = Attachment.objects.get(ticket=ticket)
    api.as_user(cast.outsider)
    assert api.get(f"/tickets/{ticket.number}").status_code == 404
    assert api.get(f"/tickets/{ticket.number}/timeline").status_code == 404
    assert api.get(f"/tickets/{ticket.number}/attachments").status_code == 404
    assert api.post(f"/tickets/{ticket.number}/replies", {"body": "hi"}).status_code == 404
    assert api.client.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert api.get("/tickets").json()["items"] == []


def test_agent_changes_fields_and_the_timeline_lists_them(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    response = api.as_user(cast.l1).patch(
        f"/tickets/{ticket.number}",
        {"priority": "P0", "category": "environment", "env_os": "麒麟 V10", "expected_version": 1},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["priority"]["code"] == "P0" and body["category"]["code"] == "environment"
    assert body["env_os"] == "麒麟 V10" and body["version"] == 2
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELDS).get()
    assert set(event.data["fields"]) == {"priority", "category", "env_os"}


def test_stale_expected_version_is_a_409_with_the_current_version(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    actions.do_update_fields(ticket, actor=cast.l2, changes={"subject": "另一位工程师改的标题"})
    response = api.as_user(cast.l1).patch(
        f"/tickets/{ticket.number}", {"subject": "我改的标题", "expected_version": 1}
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    ticket.refresh_from_db()
    assert ticket.subject == "另一位工程师改的标题"


def test_a_change_to_another_field_lands_despite_an_old_version(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    actions.do_update_fields(ticket, actor=cast.l2, changes={"subject": "另一位工程师改的标题"})
    response = api.as_user(cast.l1).patch(
        f"/tickets/{ticket.number}", {"env_os": "Windows 11", "expected_version": 1}
    )
    assert response.status_code == 200
    assert response.json()["subject"] == "另一位工程师改的标题"
    assert response.json()["env_os"] == "Windows 11"


def test_customer_cannot_change_fields(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    response = api.as_user(cast.customer).patch(f"/tickets/{ticket.number}", {"subject": "改"})
    assert response.status_code == 403
    assert response.json()["detail"]


def test_engineers_take_a_ticket_from_receipt_to_a_confirmed_fix(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    path = f"/tickets/{ticket.number}"
    api.as_user(cast.l1)
    assert api.post(f"{path}/transitions", {"to": "diagnosing"}).status_code == 200
    response = api.post(f"{path}/assign", {"team": cast.l2_team.pk, "assignee": cast.l2.pk})
    assert response.json()["assignee"]["id"] == cast.l2.pk
    missing = api.post(f"{path}/transitions", {"to": "resolved"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"solution", "result"}
    resolved = api.as_user(cast.l2).post(
        f"{path}/transitions",
        {"to": "resolved", "solution": "升级插件到 5.2.2", "result": ResolutionResult.SOLVED},
    )
    assert resolved.json()["status"] == "resolved"
    confirmed = api.as_user(cast.customer).post(f"{path}/transitions", {"to": "closed"})
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "closed"
    assert confirmed.json()["close_reason"] == "customer_confirmed"


def test_customer_may_reopen_but_not_move_work_along(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    path = f"/tickets/{ticket.number}/transitions"
    api.as_user(cast.customer)
    assert api.post(path, {"to": "diagnosing"}).status_code == 403
    actions.do_transition(
        ticket,
        actor=cast.l1,
        to=Status.RESOLVED,
        solution="重置令牌",
        result=ResolutionResult.SOLVED,
    )
    assert [o["to"] for o in api.get(path).json()] == ["closed", "reopened"]
    response = api.post(path, {"to": "reopened", "reason": "问题又出现了"})
    assert response.status_code == 200 and response.json()["status"] == "reopened"


def test_reply_note_step_and_call_land_on_the_timeline(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    path = f"/tickets/{ticket.number}"
    api.as_user(cast.l1)
    reply = api.post(f"{path}/replies", {"body": "请提供浏览器版本。"})
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    assert api.post(f"{path}/notes", {"body": "疑似插件问题"}).status_code == 201
    step = api.post(f"{path}/steps", {"action": "检查登录日志", "result": "令牌过期"})
    assert step.status_code == 201 and step.json()["data"]["result"] == "令牌过期"
    call = api.post(
        f"{path}/calls",
        {"direction": "outbound", "summary": "电话确认环境", "duration_seconds": 120},
    )
    assert call.status_code == 201
    kinds = [e["kind"] for e in api.get(f"{path}/timeline").json()]
    assert kinds == ["created", "reply", "note", "step", "call"]


def test_customer_cannot_add_a_note_and_sees_no_internal_events(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    actions.do_add_note(ticket, actor=cast.l1, body="内部：客户环境为 IE11")
    actions.do_add_reply(ticket, actor=cast.l1, body="请升级浏览器。")
    path = f"/tickets/{ticket.number}"
    api.as_user(cast.customer)
    response = api.post(f"{path}/notes", {"body": "我能写备注吗"})
    assert response.status_code == 403
    assert api.post(f"{path}/steps", {"action": "自己试了"}).status_code == 403
    timeline = api.get(f"{path}/timeline").json()
    assert [e["kind"] for e in timeline] == ["created", "reply"]
    assert "IE11" not in str(timeline)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE).count() == 1


def test_customer_uploads_attachments_and_gets_download_links(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    path = f"/tickets/{ticket.number}/attachments"
    api.as_user(cast.customer)
    response = api.upload(path, {"attachments": [upload("报错截图.png"), upload("server.log")]})
    assert response.status_code == 201
    files = response.json()
    assert [f["filename"] for f in files] == ["报错截图.png", "server.log"]
    download = api.client.get(files[0]["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert [f["filename"] for f in api.get(path).json()] == ["报错截图.png", "server.log"]
    timeline = api.get(f"/tickets/{ticket.number}/timeline").json()
    assert [f["filename"] for f in timeline[-1]["files"]] == ["报错截图.png", "server.log"]


def test_internal_attachments_are_hidden_from_the_customer(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    path = f"/tickets/{ticket.number}/attachments"
    response = api.as_user(cast.l1).upload(
        path, {"attachments": [upload("内部诊断.txt")], "is_public": "false"}
    )
    assert response.status_code == 201 and response.json()[0]["is_public"] is False
    assert api.as_user(cast.customer).get(path).json() == []
    assert api.client.get(response.json()[0]["url"]).status_code == 404


def test_oversized_or_disallowed_attachment_is_refused_with_a_message(
    cast: Cast, api: Api, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    ticket = cast.ticket()
    path = f"/tickets/{ticket.number}/attachments"
    api.as_user(cast.customer)
    too_big = api.upload(path, {"attachments": [big_upload("server.log", 2048)]})
    assert too_big.status_code == 422
    assert "1.0\xa0KB" in too_big.json()["errors"]["attachments"][0]
    wrong_type = api.upload(path, {"attachments": [upload("setup.exe")]})
    assert wrong_type.status_code == 422
    assert "setup.exe" in wrong_type.json()["errors"]["attachments"][0]
    nothing = api.upload(path, {})
    assert nothing.status_code == 422 and "attachments" in nothing.json()["errors"]
    assert Attachment.objects.count() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_agents_link_and_merge_tickets(cast: Cast, api: Api) -> None:
    first, second, third = cast.ticket(), cast.ticket(), cast.ticket()
    api.as_user(cast.l1)
    response = api.post(
        f"/tickets/{first.number}/links", {"other": second.number, "kind": "related"}
    )
    assert response.status_code == 201
    links = api.get(f"/tickets/{second.number}/links").json()
    assert links == [
        {"kind": "related", "direction": "in", "number": first.number, "subject": first.subject}
    ]
    unknown = api.post(f"/tickets/{first.number}/links", {"other": "TS000", "kind": "related"})
    assert unknown.status_code == 422 and "other" in unknown.json()["errors"]
    merged = api.post(f"/tickets/{third.number}/merge", {"into": first.number})
    assert merged.status_code == 200 and merged.json()["number"] == first.number
    assert api.get(f"/tickets/{third.number}").json()["merged_into"] == first.number
    assert (
        api.as_user(cast.customer)
        .post(f"/tickets/{second.number}/merge", {"into": first.number})
        .status_code
        == 403
    )


def test_agent_files_a_phone_call_as_a_ticket(cast: Cast, api: Api) -> None:
    payload = {
        **structured_ticket(cast),
        "organization": cast.org.pk,
        "call": {"summary": "客户来电：报表导出失败", "phone_number": "010-12345678"},
    }
    response = api.as_user(cast.l1).post("/tickets", payload)
    assert response.status_code == 201
    assert response.json()["channel"] == "phone"
    timeline = api.get(f"/tickets/{response.json()['number']}/timeline").json()
    assert [e["kind"] for e in timeline] == ["created", "call"]
    assert timeline[1]["data"]["phone_number"] == "010-12345678"


def test_customer_cannot_log_a_call_and_nothing_is_filed(cast: Cast, api: Api) -> None:
    payload = {"subject": "来电", "description": "来电", "call": {"summary": "我打了电话"}}
    response = api.as_user(cast.customer).post("/tickets", payload)
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_an_oversized_request_body_is_a_413_in_json(cast: Cast, api: Api, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.as_user(cast.customer).post(
        "/tickets", {"subject": "大", "description": "长" * 2000}
    )
    assert response.status_code == 413
    assert response.json()["detail"]
    assert Ticket.objects.count() == 0


def test_a_body_that_is_not_json_is_refused_plainly(cast: Cast, api: Api) -> None:
    api.as_user(cast.customer)
    response = api.client.post("/api/v1/tickets", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体不是有效的 JSON。"}


def test_null_cannot_clear_a_required_field(cast: Cast, api: Api) -> None:
    ticket = cast.ticket()
    response = api.as_user(cast.l1).patch(
        f"/tickets/{ticket.number}", {"description": None, "priority": None, "env_os": None}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"description", "priority"}
    ticket.refresh_from_db()
    assert ticket.description and ticket.version == 1
