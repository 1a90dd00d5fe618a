"""The browser's cookies, read by the API and the pages alike: the session cookie
(its value is looked up in ``actions/logins``) and the CSRF cookie with the token
signed from it (signed double submit)."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from eocnet.config import Settings

SESSION_COOKIE = "eocnet_session"
CSRF_COOKIE = "eocnet_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token_for(settings: Settings, cookie_value: str) -> str:
    """The CSRF token that goes with a browser's CSRF cookie (signed double submit)."""
    return hmac.new(
        settings.effective_secret().encode(), f"csrf:{cookie_value}".encode(), "sha256"
    ).hexdigest()


def csrf_ok(request: Request, settings: Settings, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(settings, cookie), submitted)
