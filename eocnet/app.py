"""The ASGI application: the JSON API under /api/v1, the web pages, and static assets."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from eocnet import __version__
from eocnet.api import (
    accounts,
    advisories,
    agreements,
    audit,
    channels,
    countermeasures,
    directory,
    events,
    fact_checks,
    health,
    laboratories,
    meetings,
    problems,
    push,
    reports,
    risk,
    risk_assessments,
    search,
    signals,
    stream,
    surveillance,
    tracing,
    webhooks,
)
from eocnet.api.limits import BodySizeLimit, RefuseNul
from eocnet.config import Settings, get_settings
from eocnet.db.database import Database
from eocnet.httpkit.access_log import drop_query_strings
from eocnet.jobs import runner
from eocnet.realtime.hub import Hub
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


def tune_garbage_collector() -> None:
    """Keep the collector from stalling a busy server.

    With a thousand open streams the heap holds many objects, and each full
    collection stopped every request for 300-400 ms (bench/bench_stream_fanout.py).
    Objects alive after start-up are moved out of the collector's sight, and the
    young generation is collected less often; reference counting frees most objects
    anyway.
    """
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_safe()
    logging.basicConfig(level=settings.log_level.upper())
    drop_query_strings()  # search terms and other personal text stay out of the access log
    db = db or Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)

    # SQLite has no NOTIFY: entries written by another process (a second server
    # worker, the command line, a jobs process) are found by polling, four times a
    # second (a lookup by primary key when nothing is new).
    hub = Hub(db, poll_seconds=0.25 if db.is_sqlite else 1.0)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        tune_garbage_collector()
        jobs = (
            asyncio.create_task(runner.run_forever(db, settings))
            if settings.jobs_in_server
            else None
        )
        try:
            yield
        finally:
            if jobs is not None:
                jobs.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs
            # Finish the writes that were queued before the server stops.
            await asyncio.to_thread(db.door.stop)
            await hub.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="eocnet API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.hub = hub
    problems.install(app)
    app.add_middleware(RefuseNul)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        # update posts carry base64 attachments (4/3 of their size) up to 10 of them
        patterns={
            r"^/api/v1/events/\d+/updates$": settings.attachment_max_bytes * 14 + 65536,
            r"^/api/v1/tracing-notices/manifest$": 10 * 1024 * 1024,
            r"^/api/v1/tracing-notices$": 10 * 1024 * 1024,  # up to 10,000 persons
            r"^/tracing/new$": 14 * 1024 * 1024,  # a manifest, then its base64 copy
            # one file, base64 in JSON (4/3 of its size) or as a form upload
            r"^/api/v1/(meetings/\d+/files|agreements/\d+/documents)$": (
                settings.attachment_max_bytes * 14 // 10 + 65536
            ),
            r"^/(meetings/\d+/files|agreements/\d+/documents)$": (
                settings.attachment_max_bytes + 65536
            ),
        },
    )

    api = APIRouter(prefix="/api/v1", responses=problems.PROBLEM_RESPONSES)
    api.include_router(accounts.router)
    api.include_router(directory.router)
    api.include_router(audit.router)
    api.include_router(events.router)
    api.include_router(channels.router)
    api.include_router(search.router)
    api.include_router(stream.router)
    api.include_router(webhooks.router)
    api.include_router(push.router)
    api.include_router(tracing.router)
    api.include_router(surveillance.router)
    api.include_router(risk.router)
    api.include_router(risk_assessments.router)
    api.include_router(advisories.router)
    api.include_router(fact_checks.router)
    api.include_router(signals.router)
    api.include_router(laboratories.router)
    api.include_router(countermeasures.router)
    api.include_router(meetings.router)
    api.include_router(agreements.router)
    api.include_router(reports.router)
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
    if settings.proxies():
        # outermost: the client address every part sees (login throttling, audit) is
        # the forwarded one only when the peer is a configured reverse proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies())
    return app
