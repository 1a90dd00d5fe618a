"""Rendering pages: the template environment, the per-request language and CSRF token."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from eocnet import __version__
from eocnet.config import Settings
from eocnet.db.models import User
from eocnet.httpkit.cookies import CSRF_COOKIE, csrf_token_for
from eocnet.render import i18n
from eocnet.render.documents import TEMPLATE_DIR as DOCUMENT_TEMPLATES
from eocnet.render.i18n import language_context

# the pages' templates, then the documents' (a page includes a part of one)
TEMPLATES = Jinja2Templates(directory=[Path(__file__).parent / "templates", DOCUMENT_TEMPLATES])
LANG_COOKIE = "eocnet_lang"


def _format_time(value: Any, tz: str = "UTC") -> str:
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tz or "UTC")
    except Exception:
        zone = ZoneInfo("UTC")
    local = value.astimezone(zone)
    return str(local.strftime("%Y-%m-%d %H:%M ")) + (local.tzname() or "")


TEMPLATES.env.filters["localtime"] = _format_time


def zone_of(user: User) -> ZoneInfo:
    """The time zone a user reads and types times in: theirs, else their party's."""
    try:
        return ZoneInfo(user.time_zone or user.party.time_zone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def language_for(request: Request, user: User | None) -> str:
    if user is not None and user.language in i18n.available():
        return user.language
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in i18n.available():
        return str(chosen)
    return i18n.negotiate(
        request.headers.get("accept-language"), settings_of(request).default_language
    )


def csrf_cookie(request: Request) -> str:
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not value:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf = value
    return str(value)


def set_csrf_cookie(request: Request, response: Any) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(
            CSRF_COOKIE,
            new,
            httponly=True,
            samesite="lax",
            secure=settings_of(request).base_url.startswith("https://"),
            max_age=7 * 24 * 3600,
        )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lang = language_for(request, user)
    info = i18n.language_info(lang)
    ctx: dict[str, Any] = {
        **language_context(lang),
        "rtl": info.rtl,
        "languages": i18n.languages(),
        "user": user,
        "tz": (user.time_zone or user.party.time_zone) if user else "UTC",
        "csrf_token": csrf_token_for(settings_of(request), csrf_cookie(request)),
        "version": __version__,
        "path": request.url.path,
    }
    ctx.update(context or {})
    response = TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code)
    set_csrf_cookie(request, response)
    return response
