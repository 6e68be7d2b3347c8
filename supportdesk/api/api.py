"""The REST API, assembled from each domain's router: ``/api/v1/``.

The OpenAPI document is at ``/api/v1/openapi.json`` and the interactive docs at
``/api/v1/docs``, both served from our own static files (ninja ships Swagger UI; nothing
is loaded from a CDN).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from supportdesk.accounts.models import User
from supportdesk.api import errors
from supportdesk.api.auth import SessionAuth, TokenAuth, current_user
from supportdesk.crm.api import router as crm_router
from supportdesk.routing.api import router as routing_router
from supportdesk.search.api import router as search_router
from supportdesk.sla.api import router as sla_router
from supportdesk.tickets.api import router as tickets_router

api = NinjaAPI(
    title="supportdesk API",
    version="1",
    description=(
        "Tickets, their timeline, organizations, contacts and products. Authenticate with "
        "`Authorization: Bearer <token>` (create one with "
        "`supportdesk token USERNAME --name NAME`) or the browser session (send "
        "`X-CSRFToken` on unsafe methods). Errors are "
        '`{"detail": "..."}`; refused input (422) adds `"errors": {"field": ["message"]}`; '
        'a concurrent change (409) adds `"current_version"`. Token callers get messages '
        "in their `Accept-Language` (else their profile's language); session callers in "
        "their profile's language, as on the pages."
    ),
    urls_namespace="api:v1",
    auth=[TokenAuth(), SessionAuth()],
)
errors.install(api)


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    organization: int | None
    language: str
    time_zone: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)

    @staticmethod
    def resolve_organization(obj: User) -> int | None:
        return obj.organization_id


@api.get("/me", response={200: MeOut, **errors.COMMON_ERRORS}, tags=["account"])
def me(request: HttpRequest) -> User:
    """Who the token or session belongs to."""
    return current_user(request)


api.add_router("/", tickets_router)
api.add_router("/", crm_router)
api.add_router("/", search_router)
api.add_router("/", sla_router)
api.add_router("/", routing_router)
