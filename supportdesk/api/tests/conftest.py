"""An API client for the tests: JSON in, JSON out, as a session user or with a token.

Every JSON response it receives is checked against the published OpenAPI document, so
each test of the API is also a test that the document tells the truth.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from supportdesk.accounts.models import ApiToken, User
from supportdesk.api.tests.openapi_check import OpenApiDocument

BASE = "/api/v1"
_document: OpenApiDocument | None = None


def published_document() -> OpenApiDocument:
    """``/api/v1/openapi.json`` as a client downloads it (fetched once per test run)."""
    global _document
    if _document is None:
        response = Client().get(f"{BASE}/openapi.json")
        assert response.status_code == 200
        _document = OpenApiDocument(response.json())
    return _document


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    def as_user(self, user: User) -> Api:
        self.client.force_login(user)
        return self

    def with_token(self, user: User) -> Api:
        _token, raw = ApiToken.issue(user, "tests")
        self.headers["Authorization"] = f"Bearer {raw}"
        return self

    def checked(self, method: str, response: Any) -> Any:
        if response.get("Content-Type", "").startswith("application/json"):
            path = response.request["PATH_INFO"]
            published_document().check(method, path, response.status_code, response.json())
        return response

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        response = self.client.get(BASE + path, params or {}, headers={**self.headers, **headers})
        return self.checked("get", response)

    def send(self, method: str, path: str, payload: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method)
        body = json.dumps(payload if payload is not None else {})
        response = call(
            BASE + path, body, content_type="application/json", headers={**self.headers, **headers}
        )
        return self.checked(method, response)

    def post(self, path: str, payload: Any = None, **headers: str) -> Any:
        return self.send("post", path, payload, **headers)

    def patch(self, path: str, payload: Any = None, **headers: str) -> Any:
        return self.send("patch", path, payload, **headers)

    def upload(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        response = self.client.post(BASE + path, data, headers={**self.headers, **headers})
        return self.checked("post", response)


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)
