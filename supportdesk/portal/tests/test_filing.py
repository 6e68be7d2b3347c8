"""A customer files a ticket from the portal (R-IN-1, R-IN-2, R-IN-4, R-TK-2)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from supportdesk.tests_support import Cast, big_upload, upload
from supportdesk.tickets.choices import Channel, Frequency, Reproducibility, TicketType
from supportdesk.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

NEW = reverse("portal:new_ticket")
# 2026-11-23 01:30 UTC is 09:30 in Shanghai.
MORNING = dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC)


def as_user(user, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def form_data(cast: Cast, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "type": TicketType.FAULT,
        "category": cast.category("function").pk,
        "priority": cast.priority("P2").pk,
        "subject": "报表导出失败",
        "description": "导出月度报表时提示 500 错误。",
        "occurred_at": "2026-11-23T09:12",
        "frequency": Frequency.FREQUENT,
        "reproducibility": Reproducibility.ALWAYS,
        "env_os": "Windows 10",
        "env_software_version": "5.2.1",
        "env_browser": "Chrome 120",
        "env_network": "公司内网",
        "env_hardware": "联想 ThinkPad",
        "steps_tried": "重启浏览器，清除缓存",
        "installed_product": cast.product.pk,
    }
    data.update(overrides)
    return data


def test_customer_files_a_ticket_with_attachments_and_sees_number_and_expected_response(
    cast: Cast,
) -> None:
    client = as_user(cast.customer)
    files = [upload("报错截图.png"), upload("server.log", b"ERROR 500", "text/plain")]
    with time_machine.travel(MORNING, tick=False):
        response = client.post(NEW, form_data(cast, attachments=files), follow=True)

    ticket = Ticket.objects.get()
    assert ticket.number == "TS202611230001"
    assert response.redirect_chain[-1][0] == reverse("portal:ticket", args=[ticket.number])
    page = response.content.decode()
    # P2 promises a first response within 4 working hours: 09:30-12:00 counts 2.5 h, the
    # lunch break (12:00-13:30) doesn't, the last 1.5 h end at 15:00 in Shanghai.
    assert "Your ticket TS202611230001 has been received." in page
    assert "We will respond within 4 hours." in page
    assert "Expected first response by 2026-11-23 15:00." in page
    assert sorted(a.filename for a in ticket.attachments.all()) == ["server.log", "报错截图.png"]
    assert "报错截图.png" in page

    assert ticket.organization == cast.org
    assert ticket.created_by == cast.customer
    assert ticket.contact is not None and ticket.contact.user == cast.customer
    assert ticket.channel == Channel.PORTAL
    assert ticket.installed_product == cast.product
    assert ticket.category == cast.category("function")
    # Typed in the customer's time zone, stored in UTC.
    assert ticket.occurred_at == dt.datetime(2026, 11, 23, 1, 12, tzinfo=dt.UTC)
    assert (ticket.frequency, ticket.reproducibility) == ("frequent", "always")
    assert (ticket.env_os, ticket.env_browser, ticket.env_network) == (
        "Windows 10",
        "Chrome 120",
        "公司内网",
    )
    assert ticket.env_hardware == "联想 ThinkPad"
    assert ticket.steps_tried == "重启浏览器，清除缓存"


def test_the_confirmation_is_in_chinese_and_in_the_customers_own_time_zone(cast: Cast) -> None:
    cast.customer.time_zone = "Europe/Berlin"
    cast.customer.save(update_fields=["time_zone"])
    client = as_user(cast.customer, language="zh-hans")
    with time_machine.travel(MORNING, tick=False):
        response = client.post(
            NEW,
            form_data(cast, priority=cast.priority("P0").pk, occurred_at="2026-11-23T02:20"),
            follow=True,
        )
    page = response.content.decode()
    ticket = Ticket.objects.get()
    # P0: 15 minutes; 01:45 UTC is 02:45 in Berlin.
    assert "TS202611230001" in page
    assert "15 分钟" in page
    assert "2026-11-23 02:45" in page
    assert ticket.occurred_at == dt.datetime(2026, 11, 23, 1, 20, tzinfo=dt.UTC)


def test_the_form_shows_each_priority_with_its_business_impact_and_promise(cast: Cast) -> None:
    page = as_user(cast.customer).get(NEW).content.decode()
    for code, impact in [("P0", "业务中断"), ("P1", "核心功能受影响"), ("P3", "改进建议")]:
        assert code in page and impact in page
    assert "We will respond within 15 minutes." in page
    assert "We will respond within 1 day." in page


def test_only_the_customers_own_products_are_offered(cast: Cast) -> None:
    form = as_user(cast.customer).get(NEW).context["form"]
    assert list(form.fields["installed_product"].queryset) == [cast.product]


def test_form_errors_keep_the_input_and_save_nothing(cast: Cast) -> None:
    client = as_user(cast.customer)
    response = client.post(
        NEW,
        form_data(cast, subject="", occurred_at="yesterday-ish", env_os="统信 UOS 20"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"subject", "occurred_at"}
    page = response.content.decode()
    assert "This field is required." in page
    # What was typed is still there.
    assert "导出月度报表时提示 500 错误。" in page
    assert 'value="统信 UOS 20"' in page
    assert 'value="yesterday-ish"' in page
    assert Ticket.objects.count() == 0


def test_an_empty_submission_names_every_required_field(cast: Cast) -> None:
    response = as_user(cast.customer).post(NEW, {})
    assert response.status_code == 400
    assert {"subject", "description", "priority"} <= set(response.context["form"].errors)
    assert Ticket.objects.count() == 0


def test_a_product_of_another_organization_is_refused(cast: Cast) -> None:
    response = as_user(cast.customer).post(
        NEW, form_data(cast, installed_product=cast.other_product.pk)
    )
    assert response.status_code == 400
    assert "installed_product" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_an_occurrence_in_the_future_is_refused(cast: Cast) -> None:
    with time_machine.travel(MORNING, tick=False):
        response = as_user(cast.customer).post(NEW, form_data(cast, occurred_at="2026-11-24T09:00"))
    assert response.context["form"].errors["occurred_at"] == ["This time is in the future."]
    assert Ticket.objects.count() == 0


def test_oversized_and_disallowed_attachments_are_refused_with_a_message(
    cast: Cast, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    client = as_user(cast.customer)
    response = client.post(
        NEW,
        form_data(
            cast,
            attachments=[big_upload("server.log", 4096), upload("setup.exe"), upload("ok.png")],
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["attachments"]
    assert any("server.log" in e and "1.0\xa0KB" in e for e in errors)
    assert any("setup.exe" in e and "not accepted" in e for e in errors)
    page = response.content.decode()
    assert "server.log" in page and "setup.exe" in page
    assert "please choose your attachments again" in page
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_the_portal_speaks_chinese_by_default(cast: Cast) -> None:
    client = as_user(cast.customer, language="zh-hans")
    page = client.get(NEW).content.decode()
    for text in ("提交问题", "业务影响", "环境信息", "已尝试", "我们将在 4 小时内响应。"):
        assert text in page
    ticket = cast.ticket()
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    for text in ("处理记录", "提交了工单", "已接收", "问题接收"):
        assert text in page
