import pytest

from supportdesk.api.tests.conftest import Api
from supportdesk.crm.models import Contact, Organization
from supportdesk.tests_support import Cast

pytestmark = pytest.mark.django_db


def test_agent_lists_and_reads_organizations(cast: Cast, api: Api) -> None:
    api.as_user(cast.l1)
    names = [o["name"] for o in api.get("/organizations").json()["items"]]
    assert set(names) == {cast.org.name, cast.other_org.name}
    assert [o["name"] for o in api.get("/organizations", {"q": "北辰"}).json()["items"]] == [
        cast.other_org.name
    ]
    body = api.get(f"/organizations/{cast.org.pk}").json()
    assert body["name"] == cast.org.name and body["tier"] == "standard"


def test_organizations_page_with_a_cursor(cast: Cast, api: Api) -> None:
    for i in range(5):
        Organization.objects.create(name=f"客户 {i}")
    api.as_user(cast.l1)
    seen: list[int] = []
    params: dict[str, object] = {"limit": 3}
    while True:
        body = api.get("/organizations", params).json()
        seen += [o["id"] for o in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == 7 == len(set(seen))


def test_customer_sees_only_their_own_organization(cast: Cast, api: Api) -> None:
    api.as_user(cast.customer)
    assert [o["id"] for o in api.get("/organizations").json()["items"]] == [cast.org.pk]
    assert api.get(f"/organizations/{cast.org.pk}").status_code == 200
    assert api.get(f"/organizations/{cast.other_org.pk}").status_code == 404
    assert api.get(f"/organizations/{cast.other_org.pk}/contacts").status_code == 404
    assert api.get(f"/organizations/{cast.other_org.pk}/installed-products").status_code == 404
    outsider = Contact.objects.get(organization=cast.other_org)
    assert api.get(f"/contacts/{outsider.pk}").status_code == 404
    names = {c["name"] for c in api.get("/contacts").json()["items"]}
    assert names == {"张伟", "李娜"}


def test_contacts_by_organization(cast: Cast, api: Api) -> None:
    api.as_user(cast.l1)
    contacts = api.get(f"/organizations/{cast.org.pk}/contacts").json()["items"]
    assert {c["name"] for c in contacts} == {"张伟", "李娜"}
    assert all(c["has_login"] for c in contacts)
    found = api.get("/contacts", {"q": "li.na@"}).json()["items"]
    assert [c["name"] for c in found] == ["李娜"]
    assert api.get(f"/contacts/{found[0]['id']}").json()["organization"] == cast.org.pk


def test_installed_products_show_model_version_and_product(cast: Cast, api: Api) -> None:
    rows = api.as_user(cast.customer).get(f"/organizations/{cast.org.pk}/installed-products").json()
    assert rows == [
        {
            "id": cast.product.pk,
            "organization": cast.org.pk,
            "product": cast.product.product_id,
            "product_name": "云枢 ERP",
            "version": "5.2.1",
            "model": "标准版",
            "serial_number": "",
            "purchased_on": None,
        }
    ]


def test_product_catalogue_lists_versions(
    cast: Cast, api: Api, django_assert_max_num_queries
) -> None:
    api.as_user(cast.customer)
    with django_assert_max_num_queries(4):
        products = api.get("/products").json()
    assert products[0]["name"] == "云枢 ERP"
    assert [v["version"] for v in products[0]["versions"]] == ["5.2.1"]
    assert api.get(f"/products/{products[0]['id']}").status_code == 200
    assert api.get("/products/999999").status_code == 404


def test_lookups_list_the_priority_scheme_and_categories(cast: Cast, api: Api) -> None:
    api.as_user(cast.customer)
    assert [p["code"] for p in api.get("/priorities").json()] == ["P0", "P1", "P2", "P3"]
    assert "function" in {c["code"] for c in api.get("/categories").json()}
