"""Errors an action raises; the API turns them into problem JSON, the CLI into one line."""

from __future__ import annotations


class ActionError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        #: Every problem, when there are several (each a ``field`` and a ``detail``).
        self.errors = errors


class Invalid(ActionError):
    status = 422
    title = "Invalid input"


class NotFound(ActionError):
    status = 404
    title = "Not found"


class Forbidden(ActionError):
    status = 403
    title = "Forbidden"


class Conflict(ActionError):
    status = 409
    title = "Conflict"


class TooManyAttempts(ActionError):
    status = 429
    title = "Too many attempts"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after
