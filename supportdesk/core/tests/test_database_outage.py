"""A database that is briefly unavailable yields an error page, then service resumes."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
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
