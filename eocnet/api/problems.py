"""Errors as RFC 9457 problem details (``application/problem+json``), naming the field at fault."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from eocnet.actions.errors import ActionError, TooManyAttempts

PROBLEM_TYPE_BASE = "https://eocnet.example/problems/"
MEDIA_TYPE = "application/problem+json"


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string", "description": "The (first) field at fault"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}

_MEANINGS = {
    400: "Malformed request (e.g. the body is not JSON)",
    401: "No valid credentials",
    403: "Your role or token scope does not allow this",
    404: "Not found, or not visible to your party",
    409: "Conflicts with the current state",
    413: "The body is too large",
    422: "Invalid input; `field` names what is wrong",
    429: "Too many attempts; see Retry-After",
}

#: Declared on every API operation, so the OpenAPI document describes the errors too.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for code, text in _MEANINGS.items()
}


def problem(
    status: int,
    detail: str,
    *,
    instance: str = "",
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    kind: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (kind or str(status)),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
        if errors[0].get("field"):
            body["field"] = errors[0]["field"]
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append({"field": _field_name(err.get("loc", ())), "detail": err.get("msg", "")})
    if malformed:
        return problem(
            400,
            "The request body is not valid JSON.",
            instance=request.url.path,
            title="Malformed JSON",
            kind="malformed-json",
            errors=errors,
        )
    first = errors[0] if errors else {"field": "", "detail": "invalid"}
    return problem(
        422,
        f"{first['field']}: {first['detail']}" if first["field"] else first["detail"],
        instance=request.url.path,
        title="Invalid input",
        kind="validation",
        errors=errors,
    )


async def _action_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ActionError)
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    errors = exc.errors or ([{"field": exc.field, "detail": exc.detail}] if exc.field else None)
    return problem(
        exc.status,
        exc.detail,
        instance=request.url.path,
        title=exc.title,
        errors=errors,
        headers=headers or None,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (Starlette names only the first
    route that matched the path in ``Allow``)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405 and (methods := allowed_methods(request)):
        headers["Allow"] = ", ".join(methods)
    return problem(exc.status_code, detail, instance=request.url.path, headers=headers or None)


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot store (e.g. NUL in text from a form); nothing was written.
    return problem(
        422,
        "The input contains characters or values that cannot be stored.",
        instance=request.url.path,
        title="Invalid input",
        kind="validation",
    )


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    # A defect: still a problem document, without internals (the log has the traceback).
    return problem(500, "The server could not complete the request.", instance=request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _server_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ActionError, _action_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
