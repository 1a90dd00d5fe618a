"""Security headers on every response, as a plain ASGI middleware (no per-response task,
so long-lived streams pay nothing for it).

``style-src`` keeps ``'unsafe-inline'``: the documents (risk assessments, reports,
follow-up reports, served as HTML by the API and printed to PDF) are self-contained,
with their styles in a ``<style>`` element, and two pages draw share bars with a
``style="width: …"`` attribute. Scripts stay ``'self'`` only."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
# the browser features no page uses, turned off for the pages and anything they embed
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
# two years, as the HSTS preload list asks; sent only when served over https
HSTS = "max-age=63072000; includeSubDomains"
# answers a browser must not keep (disk cache, back button after logout on a shared
# computer): sign-in and the account, and everything showing decrypted personal data
# of tracing notices (pages, API, exports) or the terms people searched for
NO_STORE_PREFIXES = (
    "/login",
    "/account",
    "/tracing",
    "/api/v1/tracing-notices",
    "/api/v1/tracing/",  # the due list, the chains of transmission and their exports
    "/search",
    "/api/v1/search",
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool = False):
        """``hsts``: send Strict-Transport-Security (production, or an https base URL)."""
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if path != "/api/v1/docs":  # Swagger UI starts with an inline script
                    headers.setdefault("Content-Security-Policy", CSP)
                if path.startswith(NO_STORE_PREFIXES):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
