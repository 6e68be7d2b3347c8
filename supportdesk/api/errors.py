"""One error shape for the whole API, in the caller's language.

Every refusal is ``{"detail": "<sentence>"}``; refused input (422) adds
``"errors": {"<field>": ["<message>", ...]}``, with the same field names the request used,
whether pydantic refused the payload or an action refused the change (``ActionError``), so
a client shows both the same way. A conflict (409) adds ``"current_version"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from supportdesk.core.errors import ActionError, ConflictError

if TYPE_CHECKING:
    from ninja import NinjaAPI

# Where ninja says a value came from; the first element of every error location.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConflictOut(Schema):
    detail: str
    current_version: int


# Responses every operation may give, for the OpenAPI document.
COMMON_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
LIST_ERRORS: dict[int, type[Schema]] = {**COMMON_ERRORS, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    **COMMON_ERRORS,
    409: ConflictOut,
    413: ErrorOut,
    422: ValidationErrorOut,
}


def pydantic_message(error: Mapping[str, Any]) -> str:
    """A translated sentence for one pydantic error (pydantic's own text is English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind == "string_too_long":
        return _("Ensure this value has at most %(max)s characters.") % {
            "max": ctx.get("max_length")
        }
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind in ("string_type", "string_unicode"):
        return _("Enter text.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind.startswith(("datetime_", "timezone_")):
        return _("Enter a date and time such as 2026-11-23T09:30:00+08:00.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Ensure this value is at least %(limit)s.") % {"limit": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return _("Ensure this value is at most %(limit)s.") % {"limit": limit}
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Send a JSON object.")
    if kind == "list_type":
        return _("Send a list.")
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", _("Enter a valid value.")))


def field_name(loc: Iterable[Any], params: frozenset[str] = frozenset()) -> str:
    """``("body", "payload", "subject")`` → ``"subject"``; ``("query", "limit")`` → ``"limit"``.

    The source and the view's parameter name are ninja's plumbing, not the client's
    vocabulary: the client sent ``{"subject": ...}`` or ``?limit=``.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in params:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


# Every operation names its JSON body parameter ``payload``.
_BODY_PARAMS = frozenset({"payload"})


def errors_response(
    api: NinjaAPI, request: HttpRequest, errors: Mapping[str, Iterable[str]]
) -> HttpResponse:
    body = {
        "detail": _("Some fields are not valid."),
        "errors": {field: [str(m) for m in messages] for field, messages in errors.items()},
    }
    return api.create_response(request, body, status=422)


def install(api: NinjaAPI) -> None:
    """Registers the handlers that turn exceptions into the shapes above."""

    @api.exception_handler(ValidationError)
    def invalid_payload(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            name = field_name(error.get("loc", ()), _BODY_PARAMS)
            errors.setdefault(name, []).append(pydantic_message(error))
        return errors_response(api, request, errors)

    @api.exception_handler(ActionError)
    def refused(request: HttpRequest, exc: ActionError) -> HttpResponse:
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        return errors_response(api, request, errors)

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        body = {"detail": str(exc), "current_version": exc.current_version}
        return api.create_response(request, body, status=409)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        body = {"detail": _("You are not allowed to do that.")}
        return api.create_response(request, body, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"detail": _("Sign in or send a valid API token (Authorization: Bearer …).")}
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django's limits on a request's size and number of parts; otherwise an HTML 400.
        return api.create_response(request, {"detail": _("The request is too large.")}, status=413)

    @api.exception_handler(TooManyFilesSent)
    def too_many_files(request: HttpRequest, exc: TooManyFilesSent) -> HttpResponse:
        body = {"detail": _("Too many files in one request.")}
        return api.create_response(request, body, status=413)

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return api.create_response(request, {"detail": _("The request is too large.")}, status=413)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's only 400 is a body it could not parse; its wording is English.
        detail = _("The request body is not valid JSON.") if exc.status_code == 400 else str(exc)
        return api.create_response(request, {"detail": detail}, status=exc.status_code)
