"""A database that is briefly unavailable yields an error page, then service resumes."""

from __future__ import annotations

import io
import select
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.db.backends.postgresql import base as postgresql
from django.test import Client

from supportdesk.tests_support import PASSWORD, Cast


def _admin_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
        password=s["PASSWORD"], dbname="postgres", autocommit=True,
    )  # fmt: skip


def _set_database_reachable(reachable: bool) -> None:
    name = connection.settings_dict["NAME"]
    with _admin_connection() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}')
        if not reachable:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_outage_shows_unavailable_page_and_service_resumes(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    assert client.login(username="chen.l1", password=PASSWORD)
    connection.close()
    _set_database_reachable(False)
    try:
        page = client.get("/healthz")
        assert page.status_code == 503
        page = client.get("/preferences/")
        assert page.status_code == 503
        assert "Retry-After" in page
        api = client.get("/api/v1/tickets")
        assert api.status_code == 503
        assert api["Content-Type"] == "application/json"
    finally:
        _set_database_reachable(True)
    assert client.get("/healthz").status_code == 200
    assert client.get("/preferences/").status_code == 200


def _wsgi_get(handler: WSGIHandler, path: str) -> int:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None

    body = handler(environ, start_response)
    b"".join(body)
    body.close()  # the server's end of the request: Django keeps or closes the connection
    return int(statuses[0].split()[0])


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_the_server_ended_is_replaced_before_a_request_uses_it() -> None:
    # Through Django's WSGI handler, as under the server (the test client skips the checks
    # made when a request starts and ends).
    handler = WSGIHandler()
    assert _wsgi_get(handler, "/healthz") == 200
    kept = connection.connection
    assert kept is not None
    ended = kept.info.backend_pid
    with _admin_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [ended])
    # The server has said goodbye once the socket has something to read.
    poller = select.poll()
    poller.register(kept.fileno(), select.POLLIN)
    assert poller.poll(10_000)
    assert _wsgi_get(handler, "/healthz") == 200  # not a 503: checked and replaced first
    assert connection.connection is not None
    assert connection.connection.info.backend_pid != ended


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_healthy_idle_connection_is_found_usable_without_asking_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection.ensure_connection()

    def round_trip(self: object) -> bool:
        raise AssertionError("asked the server")

    monkeypatch.setattr(postgresql.DatabaseWrapper, "is_usable", round_trip)
    assert connection.is_usable() is True
    # Inside a transaction the socket says nothing about it: the server is asked.
    with transaction.atomic():
        connection.cursor().execute("SELECT 1")
        with pytest.raises(AssertionError, match="asked the server"):
            connection.is_usable()
