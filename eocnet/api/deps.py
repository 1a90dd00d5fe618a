"""Dependencies shared by the endpoints: the database, the settings and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from eocnet.actions import logins, tokens
from eocnet.actions.users import actor_for
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.domain.actors import Actor
from eocnet.httpkit.cookies import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, csrf_ok


# These two are ``async`` only so that FastAPI calls them on the event loop: a plain
# ``def`` dependency is run in the thread pool, a hop per request for a lookup.
async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def unauthorized(detail: str = "Log in or send a bearer token.") -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Bearer realm="eocnet"'})


def _actor_from_request(request: Request, db: Database, settings: Settings) -> Actor:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise unauthorized("Use 'Authorization: Bearer TOKEN'.")
        with db.read() as session:
            actor = tokens.actor_for_token(session, value.strip())
        if actor is None:
            raise unauthorized("The token is unknown, revoked or expired.")
        return actor
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        with db.read() as session:
            web_session = logins.find_web_session(session, raw)
            if web_session is None or not logins.web_session_complete(
                web_session.user, web_session
            ):
                raise unauthorized("Your session has ended; log in again.")
            if request.method not in SAFE_METHODS and not csrf_ok(
                request, settings, request.headers.get(CSRF_HEADER)
            ):
                raise HTTPException(403, "Missing or wrong X-CSRF-Token header.")
            return actor_for(web_session.user)
    raise unauthorized()


async def current_actor(request: Request, db: DbDep, settings: SettingsDep) -> Actor:
    """Who is calling. ``async`` on purpose: it runs on the event loop, so its one
    indexed lookup (token, user and party in one query) blocks the loop for well under
    a millisecond instead of costing a thread-pool hop on every request."""
    actor = _actor_from_request(request, db, settings)
    if request.method not in SAFE_METHODS and actor.scope != "write":
        raise HTTPException(403, "This token is read-only; create one with scope 'write'.")
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
