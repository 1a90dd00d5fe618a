"""The ASGI application: the JSON API under /api/v1, the web pages, and static assets."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from eocnet import __version__
from eocnet.api import accounts, audit, directory, health, problems
from eocnet.api.limits import BodySizeLimit
from eocnet.config import Settings, get_settings
from eocnet.db.database import Database
from eocnet.web import pages

STATIC = Path(__file__).parent / "web" / "static"

API_DESCRIPTION = """
The eocnet API: the same data and rules as the web pages, for scripts and systems.

**Authentication**: send `Authorization: Bearer TOKEN` with a personal token
(`eocnet token create EMAIL --scope read|write`, or the account page). Read tokens
may only read. A browser session cookie works too; unsafe methods then need the
`X-CSRF-Token` header.

**Errors** are RFC 9457 problem details (`application/problem+json`) with `status`,
`title`, `detail` and, for bad input, `field` and `errors` naming each field at fault.
"""


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_safe()
    logging.basicConfig(level=settings.log_level.upper())
    db = db or Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)

    app = FastAPI(
        title="eocnet API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    api = APIRouter(prefix="/api/v1")
    api.include_router(accounts.router)
    api.include_router(directory.router)
    api.include_router(audit.router)
    app.include_router(api)
    app.include_router(health.router)

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="eocnet API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    pages.install(app)
    return app
