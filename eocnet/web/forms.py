"""Reading typed values from submitted forms, with errors that name the field
(shown on the page like the API's problems)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from eocnet.actions import files
from eocnet.actions.errors import ActionError, Invalid
from eocnet.web.auth import Viewer, check_csrf, current_viewer, db_of


def text(form: Any, name: str) -> str:
    return str(form.get(name) or "")


def integer(form: Any, name: str, *, required: bool = False) -> int | None:
    raw = text(form, name).strip().replace(",", "").replace(" ", "").lstrip("#")
    if not raw:
        if required:
            raise Invalid(f"{name.replace('_', ' ')} is needed", field=name)
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"{raw!r} is not a whole number", field=name) from None


def number(form: Any, name: str, *, required: bool = False) -> float | None:
    raw = text(form, name).strip().replace(",", "")
    if not raw:
        if required:
            raise Invalid(f"{name.replace('_', ' ')} is needed", field=name)
        return None
    try:
        return float(raw)
    except ValueError:
        raise Invalid(f"{raw!r} is not a number", field=name) from None


def day(form: Any, name: str, *, required: bool = False) -> date | None:
    raw = text(form, name).strip()
    if not raw:
        if required:
            raise Invalid(f"give the {name.replace('_', ' ')}", field=name)
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{raw!r} is not a date (YYYY-MM-DD)", field=name) from None


def moment(form: Any, name: str, zone: Any) -> datetime:
    raw = text(form, name).strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{raw!r} is not a date and time", field=name) from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def codes(form: Any, name: str) -> list[str]:
    return [c.strip().upper() for c in text(form, name).replace(",", " ").split() if c.strip()]


def lines(form: Any, name: str) -> list[str]:
    return [line.strip() for line in text(form, name).splitlines() if line.strip()]


def links(form: Any, name: str) -> list[dict[str, str]]:
    """'title | https://address' per line."""
    out = []
    for line in lines(form, name):
        title, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        out.append({"title": title.strip(), "url": url.strip()})
    return out


def upload(form: Any, name: str = "file") -> files.Upload:
    """The file sent in a form's file field (read from its spooled copy)."""
    item = form.get(name)
    if item is None or isinstance(item, str) or not getattr(item, "filename", ""):
        raise Invalid("choose a file", field=name)
    return files.Upload(item.filename, item.content_type or "", item.file.read())


async def submit(
    request: Request, write: Callable[[Any, Viewer, Any], str], page: Callable[..., Response]
) -> Response:
    """Check CSRF, run ``write`` in a transaction and go where it says; on a
    refused write, show the page again with the error and what was typed."""
    viewer = current_viewer(request)
    async with request.form() as form:  # closes the temporary copies of uploaded files
        check_csrf(request, str(form.get("csrf_token", "")))
        try:
            target = await db_of(request).run(write, viewer, form)
        except ActionError as exc:
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            return page(request, viewer, error=exc.detail, values=values, status_code=exc.status)
    return RedirectResponse(target, status_code=303)
