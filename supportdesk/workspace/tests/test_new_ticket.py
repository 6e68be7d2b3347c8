import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.crm.models import Contact, Organization
from supportdesk.tests_support import Cast, upload
from supportdesk.tickets.choices import Channel, EventKind, Status
from supportdesk.tickets.models import Ticket
from supportdesk.workspace.forms import ORGANIZATION_SELECT_LIMIT

pytestmark = pytest.mark.django_db

NEW = reverse("workspace:new_ticket")
NEW_CALL = reverse("workspace:new_call")


def draft(cast: Cast, **overrides: object) -> dict[str, object]:
    contact = Contact.objects.get(name="张伟")
    data: dict[str, object] = {
        "organization": cast.org.pk, "contact": contact.pk, "installed_product": cast.product.pk,
        "channel": Channel.CHAT, "source": "在线客服", "subject": "报表导出失败",
        "description": "导出月度报表时提示“内部错误”。", "type": "fault",
        "category": cast.category("function").pk, "priority": cast.priority("P1").pk,
        "occurred_at": "2026-11-23T09:05", "frequency": "frequent", "reproducibility": "always",
        "env_os": "Windows 10", "env_software_version": "5.2.1", "env_browser": "Chrome 120",
        "steps_tried": "重启浏览器", "team": cast.l1_team.pk, "assignee": cast.l1.pk,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_agent_files_a_ticket_for_a_customer_with_every_field(
    l1_client: Client, cast: Cast
) -> None:
    response = l1_client.post(NEW, {**draft(cast), "attachments": [upload("导出报错.png")]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:ticket", args=[ticket.number])
    assert ticket.organization == cast.org and ticket.contact is not None
    assert ticket.contact.name == "张伟"
    assert ticket.channel == Channel.CHAT and ticket.source == "在线客服"
    assert ticket.priority.code == "P1" and ticket.category == cast.category("function")
    assert ticket.env_browser == "Chrome 120" and ticket.reproducibility == "always"
    assert ticket.team == cast.l1_team and ticket.assignee == cast.l1
    assert ticket.created_by == cast.l1
    assert ticket.attachments.get().filename == "导出报错.png"


def test_missing_subject_and_description_are_field_errors(l1_client: Client, cast: Cast) -> None:
    response = l1_client.post(NEW, draft(cast, subject="", description=""))
    assert response.status_code == 422
    assert response.content.decode().count('class="error"') >= 2
    assert not Ticket.objects.exists()


def test_contact_of_another_organization_is_refused(l1_client: Client, cast: Cast) -> None:
    outsider_contact = Contact.objects.get(name="王强")
    response = l1_client.post(NEW, draft(cast, contact=outsider_contact.pk))
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_an_internal_monitoring_alert_needs_no_customer(l1_client: Client, cast: Cast) -> None:
    data = draft(cast, organization="", contact="", installed_product="",
                 channel=Channel.MONITORING, source="Zabbix", priority="")  # fmt: skip
    assert l1_client.post(NEW, data).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.organization is None and ticket.channel == Channel.MONITORING
    assert ticket.priority.is_default


def test_choosing_an_organization_reloads_its_contacts_and_products(
    l1_client: Client, cast: Cast
) -> None:
    url = reverse("workspace:organization_fields") + f"?organization={cast.org.pk}"
    fragment = l1_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "张伟" in fragment and "李娜" in fragment and "王强" not in fragment
    assert "云枢 ERP" in fragment and "<html" not in fragment


def test_new_ticket_page_can_start_from_a_customer(l1_client: Client, cast: Cast) -> None:
    page = l1_client.get(NEW + f"?organization={cast.org.pk}").content.decode()
    assert f'<option value="{cast.org.pk}" selected>' in page
    assert "李娜" in page


def test_phone_call_as_a_new_ticket_is_on_the_phone_channel_with_the_call(
    l1_client: Client, cast: Cast
) -> None:
    data = draft(cast, channel="", phone_number="13800138000", duration="3:20",
                 summary="客户来电：报表导出失败，已记录")  # fmt: skip
    response = l1_client.post(NEW_CALL, data)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.PHONE and ticket.status == Status.RECEIVED
    call = ticket.events.get(kind=EventKind.CALL)
    assert call.actor == cast.l1 and call.body == "客户来电：报表导出失败，已记录"
    assert call.data["phone_number"] == "13800138000" and call.data["duration_seconds"] == 200
    assert ticket.first_responded_at is not None
    page = l1_client.get(response["Location"]).content.decode()
    assert "13800138000" in page and "3:20" in page


def test_phone_call_without_a_summary_uses_the_description(l1_client: Client, cast: Cast) -> None:
    l1_client.post(NEW_CALL, draft(cast, summary=""))
    call = Ticket.objects.get().events.get(kind=EventKind.CALL)
    assert call.body == "导出月度报表时提示“内部错误”。"


def test_with_many_customers_the_agent_types_the_customer_name(
    l1_client: Client, cast: Cast
) -> None:
    Organization.objects.bulk_create(
        Organization(name=f"客户{i:04d}有限公司") for i in range(ORGANIZATION_SELECT_LIMIT)
    )
    page = l1_client.get(NEW + f"?organization={cast.org.pk}").content.decode()
    assert f'value="{cast.org.name}"' in page and "客户0150有限公司" not in page
    fragment = l1_client.get(
        reverse("workspace:organization_fields") + "?organization=云帆科技"
    ).content.decode()
    assert "张伟" in fragment
    response = l1_client.post(NEW, draft(cast, organization="云帆科技"))
    assert response.status_code == 302
    assert Ticket.objects.get().organization == cast.org
    response = l1_client.post(NEW, draft(cast, organization="不存在的公司", contact=""))
    assert response.status_code == 422
    assert "No customer has that name." in response.content.decode()
