"""Reads compiled once answer exactly what the ORM answers, for any key, in any thread."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections

from supportdesk.accounts.models import ApiToken
from supportdesk.core.prepared import PreparedRead
from supportdesk.crm.models import Organization
from supportdesk.tests_support import Cast
from supportdesk.tickets.models import Priority


def test_a_token_read_brings_its_user_as_the_orm_does(cast: Cast) -> None:
    token, raw = ApiToken.issue(cast.l1, "script")
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    )
    _other, other_raw = ApiToken.issue(cast.customer, "portal script")

    found = ApiToken.objects.authenticate(raw)
    orm = ApiToken.objects.select_related("user").get(pk=token.pk)
    assert found is not None and found.pk == token.pk
    assert found.last_used_at == orm.last_used_at == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    assert found.user == cast.l1 and found.user.date_joined == orm.user.date_joined
    assert found.user.role == cast.l1.role and found.user.is_active is True
    # The same compiled read, another key: another token and user, nothing carried over.
    again = ApiToken.objects.authenticate(other_raw)
    assert again is not None and again.user == cast.customer
    assert ApiToken.objects.authenticate("sd_no-such-token") is None
    # Revoked tokens and inactive users are still refused.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=dt.datetime.now(dt.UTC))
    assert ApiToken.objects.authenticate(raw) is None
    type(cast.customer).objects.filter(pk=cast.customer.pk).update(is_active=False)
    assert ApiToken.objects.authenticate(other_raw) is None


def test_reads_by_number_and_without_a_key(cast: Cast) -> None:
    by_pk = PreparedRead(lambda pk: Organization.objects.filter(pk=pk).order_by(), int)
    assert by_pk.first(cast.org.pk) == cast.org
    assert by_pk.first(cast.other_org.pk) == cast.other_org
    assert by_pk.first(10**9) is None

    default = PreparedRead(
        lambda _key: Priority.objects.filter(active=True, is_default=True).order_by("pk"), None
    )
    expected = Priority.objects.filter(active=True, is_default=True).order_by("pk").first()
    assert default.first() == expected


def test_each_thread_compiles_its_own(cast: Cast) -> None:
    by_code = PreparedRead(lambda code: Priority.objects.filter(code=code).order_by(), str)
    assert by_code.first("P1") == cast.priority("P1")
    seen: list[object] = []

    def elsewhere() -> None:
        try:
            # Its own connection: it cannot see the test's rows, only answer for itself.
            seen.append(by_code.first("no such code"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen == [None]
    assert by_code.first("P2") == cast.priority("P2")


def test_a_read_whose_key_is_not_a_parameter_is_refused(cast: Cast) -> None:
    fixed = PreparedRead(lambda _key: Priority.objects.filter(code="P1").order_by(), str)
    with pytest.raises(ValueError, match="key"):
        fixed.first("P1")
