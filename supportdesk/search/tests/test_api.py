import pytest

from supportdesk.api.tests.conftest import Api
from supportdesk.knowledge.actions import do_create_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_search_follows_the_same_permissions(cast, api: Api):
    own = cast.ticket(subject="证书过期", description="SSL")
    cast.ticket(by=cast.outsider, subject="证书过期了", description="SSL")
    do_create_article({"title": "证书过期内部", "body": "x"}, actor=cast.l2)
    api.as_user(cast.customer)
    items = api.get("/search", {"q": "證書"}).json()["items"]
    assert [(i["kind"], i["ref"]) for i in items] == [("ticket", own.number)]
    assert "<mark>证书</mark>" in items[0]["title_html"]
    api.as_user(cast.l1)
    assert len(api.get("/search", {"q": "证书"}).json()["items"]) == 3
    assert api.get("/search", {"q": '" AND *'}).status_code == 200
    assert api.get("/search", {"q": "证书", "kind": "nope"}).status_code == 422
