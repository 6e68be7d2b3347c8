"""Bytes sent as parameters come back byte for byte; the connection is left as it was."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from supportdesk.core.binding import parameters_sent_apart
from supportdesk.intake.models import InboundMessage, Mailbox

pytestmark = pytest.mark.django_db


def _message(mailbox: Mailbox, key: str, raw: bytes) -> InboundMessage:
    return InboundMessage(
        mailbox=mailbox, message_key=key, raw=raw, size=len(raw), sender="a@example.com"
    )


def test_every_byte_value_is_stored_as_sent_and_the_statement_is_counted() -> None:
    mailbox = Mailbox.objects.create(address="support@desk.example", name="support")
    every_byte = bytes(range(256)) * 300 + "中文正文".encode("gb18030") + b"\x00\\x'"
    with CaptureQueriesContext(connection) as queries, parameters_sent_apart():
        InboundMessage.objects.bulk_create(
            [_message(mailbox, "k1", every_byte), _message(mailbox, "k2", b"")]
        )
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    stored = dict(InboundMessage.objects.values_list("message_key", "raw"))
    assert bytes(stored["k1"]) == every_byte and bytes(stored["k2"]) == b""


def test_after_the_block_queries_bind_as_before_even_after_a_failure() -> None:
    mailbox = Mailbox.objects.create(address="support@desk.example", name="support")
    before = type(connection.cursor().cursor)
    with pytest.raises(DatabaseError), transaction.atomic(), parameters_sent_apart():
        InboundMessage.objects.bulk_create([_message(mailbox, "same", b"1")] * 2)
    assert type(connection.cursor().cursor) is before
    # A statement that only client-side binding can run (a parameter in SET) still works.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET application_name TO %s", ["supportdesk-test"])
        cursor.execute("SELECT %s", ["ok"])
        assert cursor.fetchone() == ("ok",)
