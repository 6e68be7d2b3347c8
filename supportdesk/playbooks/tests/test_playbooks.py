import pytest
from django.urls import reverse

from supportdesk.playbooks.defaults import fill_shipped_playbooks
from supportdesk.playbooks.models import Playbook
from supportdesk.tests_support import PASSWORD
from supportdesk.tickets.choices import EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbooks(db):
    # Transactional tests elsewhere empty the tables the data migration filled.
    fill_shipped_playbooks(Playbook)
    return {p.name: p for p in Playbook.objects.all()}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_guides_checklist_and_paths_ship_with_the_product(playbooks):
    assert playbooks["连接问题"].step_list() == [
        "检查网络配置",
        "重启路由器",
        "更换网络",
        "检查防火墙",
    ]
    assert playbooks["功能异常"].step_list() == ["确认权限", "恢复默认配置", "重新登录"]
    assert playbooks["速度缓慢"].step_list() == ["清除缓存", "关闭后台程序", "优化网络"]
    assert len(playbooks["基础检查清单"].step_list()) == 4


def test_each_step_goes_on_the_timeline_with_result_time_and_operator(cast, client, playbooks):
    ticket = cast.ticket(subject="VPN 连不上", description="无法连接")
    path = playbooks["连接问题"]
    login(client, cast.l1)
    response = client.post(
        reverse("playbooks:record_step", args=[ticket.number]),
        {"playbook": path.pk, "step": 0, "result": "problem", "note": "DNS 配置错误"},
    )
    assert response.url == reverse("workspace:ticket", args=[ticket.number])
    event = ticket.events.get(kind=EventKind.CHECKLIST)
    assert event.actor == cast.l1 and event.created_at is not None
    assert event.data["result"] == "problem" and event.data["text"] == "检查网络配置"
    assert "DNS 配置错误" in event.body
    panel = client.get(reverse("playbooks:panel", args=[ticket.number])).content.decode()
    assert "发现问题" in panel and "陈一线" in panel and "1/4" in panel


def test_a_step_that_does_not_exist_is_refused(cast, client, playbooks):
    ticket = cast.ticket(subject="x", description="y")
    login(client, cast.l1).post(
        reverse("playbooks:record_step", args=[ticket.number]),
        {"playbook": playbooks["功能异常"].pk, "step": 9, "result": "passed"},
    )
    assert not ticket.events.filter(kind=EventKind.CHECKLIST).exists()


def test_customers_cannot_see_or_run_playbooks(cast, client, playbooks):
    ticket = cast.ticket(subject="x", description="y")
    login(client, cast.customer)
    assert client.get(reverse("playbooks:panel", args=[ticket.number])).status_code == 404
    response = client.post(
        reverse("playbooks:record_step", args=[ticket.number]),
        {"playbook": playbooks["功能异常"].pk, "step": 0, "result": "passed"},
    )
    assert response.status_code == 404


def test_the_panel_takes_a_fixed_number_of_queries(
    cast, client, playbooks, django_assert_max_num_queries
):
    ticket = cast.ticket(subject="x", description="y")
    login(client, cast.l1)
    for step in range(3):
        client.post(
            reverse("playbooks:record_step", args=[ticket.number]),
            {"playbook": playbooks["速度缓慢"].pk, "step": step, "result": "passed"},
        )
    with django_assert_max_num_queries(8):
        client.get(reverse("playbooks:panel", args=[ticket.number]))


def test_a_data_request_reaches_the_customer_and_tracks_what_arrived(cast, client, playbooks):
    from supportdesk.playbooks.defaults import fill_shipped_data_requests
    from supportdesk.playbooks.models import DataRequestTemplate
    from supportdesk.tests_support import upload
    from supportdesk.tickets.actions import do_add_attachments

    fill_shipped_data_requests(DataRequestTemplate)
    template = DataRequestTemplate.objects.get(name="通用数据收集")
    ticket = cast.ticket(subject="报表打不开", description="点击报表没有反应")
    login(client, cast.l1)
    client.post(
        reverse("playbooks:data_request", args=[ticket.number]),
        {"template": template.pk, "note": "请尽快提供"},
    )
    event = ticket.events.get(kind=EventKind.DATA_REQUEST)
    assert event.is_public
    assert "/var/log/yunshu/" in event.body and "请尽快提供" in event.body
    assert reverse("portal:ticket", args=[ticket.number]) in event.body
    panel = client.get(reverse("playbooks:panel", args=[ticket.number])).content.decode()
    assert "还没有" in panel or "nothing yet" in panel
    do_add_attachments(ticket, actor=cast.customer, files=[upload("app.log", b"log")])
    panel = client.get(reverse("playbooks:panel", args=[ticket.number])).content.decode()
    assert "app.log" in panel
    client.logout()
    portal = login(client, cast.customer).get(reverse("portal:ticket", args=[ticket.number]))
    assert "/var/log/yunshu/" in portal.content.decode()
