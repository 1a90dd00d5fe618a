"""Who is looking at a page: the web session behind the cookie, or a redirect to log in."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request

from eocnet.actions import logins
from eocnet.actions.users import actor_for, requires_enrolment
from eocnet.db.database import Database
from eocnet.db.models import User
from eocnet.domain.actors import Actor
from eocnet.httpkit.cookies import SESSION_COOKIE, csrf_ok
from eocnet.web.rendering import settings_of


class Redirect(Exception):
    def __init__(self, location: str):
        self.location = location


class CsrfFailed(Exception):
    pass


@dataclass
class Viewer:
    user: User
    actor: Actor
    cookie: str


def db_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def safe_next(target: str | None) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def current_viewer(request: Request, *, allow_incomplete: bool = False) -> Viewer:
    raw = request.cookies.get(SESSION_COOKIE)
    login = "/login?next=" + quote(request.url.path)
    if not raw:
        raise Redirect(login)
    with db_of(request).read() as session:
        web_session = logins.find_web_session(session, raw)
        if web_session is None:
            raise Redirect(login)
        user = web_session.user
        _ = user.party.name  # load while the session is open
        if not logins.web_session_complete(user, web_session) and not allow_incomplete:
            if user.totp_enabled_at is not None:
                raise Redirect("/login/2fa")
            if requires_enrolment(user):
                raise Redirect("/account/2fa")
        return Viewer(user=user, actor=actor_for(user), cookie=raw)


def optional_viewer(request: Request) -> Viewer | None:
    try:
        return current_viewer(request)
    except Redirect:
        return None


def check_csrf(request: Request, submitted: str) -> None:
    if not csrf_ok(request, settings_of(request), submitted):
        raise CsrfFailed
