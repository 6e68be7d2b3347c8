"""Reads compiled once answer exactly what the ORM answers, for any key, in any thread; inserts
compiled once write exactly the row ``save`` writes."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import ApiToken
from supportdesk.core.prepared import PreparedInsert, PreparedRead, first_together, insert_together
from supportdesk.crm.models import Organization
from supportdesk.tests_support import Cast
from supportdesk.tickets.models import Attachment, Priority, Ticket, TicketEvent


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


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_plans_the_read_once_per_connection(cast: Cast) -> None:
    by_code = PreparedRead(lambda code: Priority.objects.filter(code=code).order_by(), str)

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%"tickets_priority"."code" = $1%'],
            )
            return [row[0] for row in cursor.fetchall()]

    p1, p2, p3 = (cast.priority(code) for code in ("P1", "P2", "P3"))
    before = len(prepared())  # other reads of this kind, prepared by earlier tests
    with CaptureQueriesContext(connection) as first:
        assert by_code.first("P1") == p1
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["PREPARE", "EXECUTE"]
    assert len(prepared()) == before + 1

    # A rolled-back transaction keeps the statement (PostgreSQL's prepared statements
    # belong to the session): the next read only executes it.
    try:
        with transaction.atomic():
            assert by_code.first("P2") == p2
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    with CaptureQueriesContext(connection) as again:
        assert by_code.first("P3") == p3
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["EXECUTE"]

    # A new connection (a restarted database, CONN_MAX_AGE) prepares it again.
    connection.close()
    with CaptureQueriesContext(connection) as reconnected:
        assert by_code.first("no such code") is None
    assert [q["sql"].split()[0] for q in reconnected.captured_queries] == ["PREPARE", "EXECUTE"]


@pytest.mark.postgresql
def test_behind_a_transaction_pooler_nothing_is_prepared_on_the_server(
    cast: Cast, settings: Any
) -> None:
    settings.DB_SERVER_PREPARE = False
    by_code = PreparedRead(lambda code: Priority.objects.filter(code=code).order_by(), str)
    p1 = cast.priority("P1")
    with CaptureQueriesContext(connection) as queries:
        assert by_code.first("P1") == p1
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]


def _row(model: type[Model], pk: object) -> dict[str, object]:
    values = model._default_manager.filter(pk=pk).values().get()
    values.pop("id")
    return values


def test_an_insert_writes_the_row_save_writes(cast: Cast) -> None:
    ticket = cast.ticket()
    event = ticket.events.get()
    fresh = PreparedInsert(TicketEvent)

    def copy_of(source: TicketEvent, **changes: object) -> TicketEvent:
        fields = {f.attname: getattr(source, f.attname) for f in TicketEvent._meta.concrete_fields}
        fields.pop("id")
        return TicketEvent(**{**fields, **changes})

    by_orm = copy_of(event, body="经由 ORM", data={"v": 9, "字段": ["优先级"]})
    by_orm.save()
    inserted = fresh.insert(copy_of(event, body="经由 ORM", data={"v": 9, "字段": ["优先级"]}))
    assert inserted.pk is not None and inserted.pk > by_orm.pk
    assert inserted._state.adding is False and inserted._state.db == "default"
    assert _row(TicketEvent, inserted.pk) == _row(TicketEvent, by_orm.pk)
    # Compiled once: a second row with other values, through the same statement.
    second = fresh.insert(copy_of(event, body="第二条", is_public=False, actor_id=None))
    assert _row(TicketEvent, second.pk) == {
        **_row(TicketEvent, by_orm.pk),
        "body": "第二条",
        "is_public": False,
        "actor_id": None,
        "data": event.data,
    }


def test_an_insert_with_its_key_set_writes_that_key(cast: Cast) -> None:
    ticket = cast.ticket()
    fields = {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}
    copy = Ticket(**{**fields, "id": ticket.pk + 1000, "number": "TS209901010001"})
    PreparedInsert(Ticket).insert(copy)
    assert copy.pk == ticket.pk + 1000
    expected = {**_row(Ticket, ticket.pk), "number": "TS209901010001"}
    assert _row(Ticket, copy.pk) == expected


def test_nothing_listens_for_saves_of_the_rows_inserted_without_save() -> None:
    # A prepared insert sends no pre_save/post_save: a receiver added for these models
    # later would silently miss their rows.
    for model in (Ticket, TicketEvent, Attachment):
        assert not pre_save.has_listeners(model), model
        assert not post_save.has_listeners(model), model


def test_reads_together_answer_what_each_read_answers(cast: Cast) -> None:
    by_pk = PreparedRead(lambda pk: Organization.objects.filter(pk=pk).order_by(), int)
    by_code = PreparedRead(lambda code: Priority.objects.filter(code=code).order_by(), str)
    p1 = cast.priority("P1")
    assert first_together((by_pk, cast.org.pk), (by_code, "P1"), (by_pk, 10**9)) == [
        cast.org,
        p1,
        None,
    ]
    # Warm now (prepared on PostgreSQL): the three reads are one statement to the database,
    # one round trip; SQLite runs one statement each.
    with CaptureQueriesContext(connection) as queries:
        found = first_together((by_code, "no such code"), (by_pk, cast.other_org.pk))
    assert found == [None, cast.other_org]
    expected = 1 if connection.vendor == "postgresql" else 2
    assert len(queries.captured_queries) == expected


def test_inserts_together_write_a_ticket_and_the_event_pointing_at_it(cast: Cast) -> None:
    ticket = cast.ticket()
    event = ticket.events.get()
    fields = {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}
    copy = Ticket(**{**fields, "id": ticket.pk + 2000, "number": "TS209901020001"})
    event_fields = {f.attname: getattr(event, f.attname) for f in TicketEvent._meta.concrete_fields}
    event_fields.pop("id")
    new_event = TicketEvent(**{**event_fields, "ticket_id": copy.pk, "body": "同一次往返"})
    tickets, events = PreparedInsert(Ticket), PreparedInsert(TicketEvent)
    # Warm (prepared on PostgreSQL, once per connection).
    tickets.insert(Ticket(**{**fields, "id": ticket.pk + 2001, "number": "X"}))
    events.insert(TicketEvent(**{**event_fields, "body": "warm"}))
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        insert_together((tickets, copy), (events, new_event))
    assert new_event.pk is not None and new_event._state.adding is False
    assert _row(Ticket, copy.pk) == {**_row(Ticket, ticket.pk), "number": "TS209901020001"}
    assert TicketEvent.objects.get(pk=new_event.pk).ticket_id == copy.pk
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"] or "EXECUTE" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 2)


def test_a_failed_statement_among_inserts_together_writes_none_of_them(cast: Cast) -> None:
    ticket = cast.ticket()
    fields = {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}
    fresh = Ticket(**{**fields, "id": ticket.pk + 3000, "number": "TS209901030001"})
    clash = Ticket(**{**fields, "id": ticket.pk + 3001})  # the same number: unique
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together((PreparedInsert(Ticket), fresh), (PreparedInsert(Ticket), clash))
    assert not Ticket.objects.filter(pk__in=[fresh.pk, clash.pk]).exists()


@pytest.mark.postgresql
def test_a_filing_s_wide_statement_is_parsed_once(cast: Cast) -> None:
    # psycopg keeps a parsed query only up to a number of values; a filing's ticket and event
    # rows together have more than its default (50), and were parsed again on every filing.
    from psycopg import _queries

    ticket = cast.ticket()
    event = ticket.events.get()
    fields = {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}
    event_fields = {f.attname: getattr(event, f.attname) for f in TicketEvent._meta.concrete_fields}
    event_fields.pop("id")
    assert len(fields) + len(event_fields) > 50
    tickets, events = PreparedInsert(Ticket), PreparedInsert(TicketEvent)
    hits = []
    for n in range(3):
        copy = Ticket(**{**fields, "id": ticket.pk + 4000 + n, "number": f"TS20990104000{n}"})
        with transaction.atomic():
            insert_together(
                (tickets, copy), (events, TicketEvent(**{**event_fields, "ticket_id": copy.pk}))
            )
        hits.append(_queries._query2pg_client.cache_info().hits)
    assert hits[2] == hits[1] + 1  # the second and third filings' statement: parsed once
