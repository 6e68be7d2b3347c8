import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.tests_support import Cast

pytestmark = pytest.mark.django_db


def test_workspace_speaks_chinese_by_default(client: Client, cast: Cast) -> None:
    client.force_login(cast.l1)  # users default to zh-hans
    page = client.get(reverse("workspace:queue")).content.decode()
    assert "工单队列" in page and "需客户配合" in page and "最近更新" in page
    ticket = cast.ticket()
    page = client.get(reverse("workspace:ticket", args=[ticket.number])).content.decode()
    assert "处理记录" in page and "回复客户" in page and "记录处理步骤" in page
    page = client.get(reverse("workspace:new_call")).content.decode()
    assert "来电号码" in page and "环境信息" in page


def test_workspace_switches_to_english_per_user(client: Client, cast: Cast) -> None:
    cast.l1.language = "en"
    cast.l1.save(update_fields=["language"])
    client.force_login(cast.l1)
    page = client.get(reverse("workspace:queue")).content.decode()
    assert "Waiting on customer" in page and "工单队列" not in page
