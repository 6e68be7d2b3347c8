import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.crm.choices import CustomerTier
from supportdesk.crm.models import Contact, InstalledProduct, Organization
from supportdesk.tests_support import Cast
from supportdesk.workspace.tests.conftest import next_link, numbers_on, queries_for

pytestmark = pytest.mark.django_db

LIST = reverse("workspace:organization_list")


def org_url(org: Organization) -> str:
    return reverse("workspace:organization", args=[org.pk])


def test_customer_list_is_searchable_by_name(l1_client: Client, cast: Cast) -> None:
    page = l1_client.get(LIST + "?q=云帆").content.decode()
    assert cast.org.name in page and cast.other_org.name not in page
    assert org_url(cast.org) in page


def test_customer_list_pages_through_many_organizations(l1_client: Client, cast: Cast) -> None:
    Organization.objects.bulk_create(Organization(name=f"客户{i:03d}有限公司") for i in range(60))
    first = l1_client.get(LIST + "?q=客户").content.decode()
    second = l1_client.get(LIST + "?q=客户&page=2").content.decode()
    assert "客户000有限公司" in first and "客户055有限公司" not in first
    assert "客户055有限公司" in second and 'rel="prev"' in second


def test_customer_page_shows_contacts_products_and_service_history(
    l1_client: Client, cast: Cast
) -> None:
    cast.org.tier = CustomerTier.VIP
    cast.org.phone = "021-55556666"
    cast.org.save()
    Contact.objects.filter(name="张伟").update(department="信息部", phone="13900001111")
    InstalledProduct.objects.filter(pk=cast.product.pk).update(
        serial_number="SN-2024-0001", purchased_on=dt.date(2024, 3, 15)
    )
    ours = [cast.ticket(subject=f"问题 {i}") for i in range(3)]
    theirs = cast.ticket(by=cast.outsider, subject="别人的问题")
    page = l1_client.get(org_url(cast.org)).content.decode()
    assert "VIP" in page and "021-55556666" in page
    assert "信息部" in page and "13900001111" in page and "li.na@yunfan.example" in page
    assert "云枢 ERP" in page and "标准版" in page and "5.2.1" in page
    assert "SN-2024-0001" in page and "2024-03-15" in page
    assert numbers_on(page) == [t.number for t in reversed(ours)]  # newest first
    assert theirs.number not in page


def test_service_history_pages_by_key_without_duplicates(
    l1_client: Client, cast: Cast, settings
) -> None:
    settings.QUEUE_PAGE_SIZE = 4
    filed = {cast.ticket(subject=f"问题 {i}").number for i in range(10)}
    seen: list[str] = []
    url: str | None = org_url(cast.org)
    while url:
        page = l1_client.get(url).content.decode()
        seen += numbers_on(page)
        link = next_link(page)
        url = org_url(cast.org) + link.split("#")[0] if link else None
    assert len(seen) == len(set(seen)) == 10 and set(seen) == filed


def test_customer_page_queries_do_not_grow_with_history(
    l1_client: Client, cast: Cast, django_assert_max_num_queries
) -> None:
    url = org_url(cast.org)
    for i in range(3):
        cast.ticket(subject=f"问题 {i}", team=cast.l1_team, assignee=cast.l1)
    few = queries_for(l1_client, url)
    for i in range(25):
        cast.ticket(subject=f"问题 {i}", team=cast.l2_team, assignee=cast.l2)
        Contact.objects.create(organization=cast.org, name=f"联系人{i}")
    many = queries_for(l1_client, url)
    assert many == few
    with django_assert_max_num_queries(10):
        l1_client.get(url)


def test_customer_list_queries_do_not_grow(
    l1_client: Client, cast: Cast, django_assert_max_num_queries
) -> None:
    few = queries_for(l1_client, LIST)
    Organization.objects.bulk_create(Organization(name=f"客户{i}") for i in range(40))
    assert queries_for(l1_client, LIST) == few
    with django_assert_max_num_queries(6):
        l1_client.get(LIST)


def test_unknown_customer_is_404(l1_client: Client) -> None:
    assert l1_client.get(reverse("workspace:organization", args=[999999])).status_code == 404
