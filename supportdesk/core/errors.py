"""Errors actions raise; views turn them into form errors, the API into 409/422."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ActionError(ValidationError):
    """A change was refused; ``message_dict`` (or ``messages``) says why, per field."""


class ConflictError(Exception):
    """Someone else changed the record since the caller read it."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version
