"""The web shell: login and second factor, dashboard, directory, account and audit pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import segno
from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from eocnet.actions import audit, directory, logins, notifications, tokens, users
from eocnet.actions import channels as channel_actions
from eocnet.actions import events as event_actions
from eocnet.actions.errors import ActionError, Forbidden, NotFound
from eocnet.actions.users import pending_totp_secret, requires_enrolment
from eocnet.auth import totp
from eocnet.db.models import ApiToken, Party, RecoveryCode, User
from eocnet.domain.roles import Permission
from eocnet.httpkit.cookies import SESSION_COOKIE
from eocnet.queries import reports as report_queries
from eocnet.queries.audit import query_audit
from eocnet.render import i18n
from eocnet.web import (
    advisory_pages,
    agreement_pages,
    countermeasure_pages,
    exchange,
    fact_check_pages,
    laboratory_pages,
    meeting_pages,
    public_site,
    pwa,
    report_pages,
    risk_assessment_pages,
    risk_pages,
    signal_pages,
    surveillance_pages,
    tracing_pages,
)
from eocnet.web.auth import (
    CsrfFailed,
    Redirect,
    check_csrf,
    current_viewer,
    db_of,
    optional_viewer,
    safe_next,
)
from eocnet.web.headers import SecurityHeaders
from eocnet.web.rendering import LANG_COOKIE, language_for, render, settings_of

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]
Csrf = Annotated[str, Form(alias="csrf_token")]


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _session_cookie(request: Request, response: Response, raw: str) -> None:
    settings = settings_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        max_age=int(settings.session_hours * 3600),
    )


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


# ---------------------------------------------------------------- login


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
def login_submit(
    request: Request, email: FormStr, password: FormStr, csrf: Csrf, next: FormStr = "/"
) -> Response:
    check_csrf(request, csrf)
    settings = settings_of(request)
    target = safe_next(next)
    address = _client_address(request)

    def job(session: Session) -> tuple[Any, str | None, str]:
        outcome = logins.check_password(session, settings, email, password, address)
        if not (outcome.ok and outcome.user is not None):
            return outcome, None, ""
        user = outcome.user
        raw = logins.start_web_session(session, settings, user, second_factor_done=False)
        if user.totp_enabled_at is not None:
            return outcome, raw, "/login/2fa?next=" + target
        if requires_enrolment(user):
            return outcome, raw, "/account/2fa"
        return outcome, raw, target

    outcome, raw, location = db_of(request).run_sync(job)
    if raw is None:
        t = i18n.translator(language_for(request, None)).gettext
        if outcome.status == "locked":
            minutes = max(1, (outcome.retry_after + 59) // 60)
            error = t("Too many failed attempts. Try again in %(minutes)d minute(s).") % {
                "minutes": minutes
            }
            status = 429
        elif outcome.status == "disabled":
            error = t("This account is disabled. Ask your administrator.")
            status = 403
        else:
            error = t("Wrong e-mail or password.")
            status = 401
        page = render(
            request,
            "login.html",
            {"next": target, "error": error, "email": email},
            status_code=status,
        )
        if outcome.status == "locked":
            page.headers["Retry-After"] = str(outcome.retry_after)
        return page
    response = _see_other(location)
    _session_cookie(request, response, raw)
    return response


@router.get("/login/2fa")
def second_factor_page(request: Request, next: str = "/") -> Response:
    viewer = current_viewer(request, allow_incomplete=True)
    if viewer.user.totp_enabled_at is None:
        return _see_other("/")
    return render(
        request,
        "login_2fa.html",
        {"next": safe_next(next), "error": None, "full_shell": False},
        user=viewer.user,
    )


@router.post("/login/2fa")
def second_factor_submit(
    request: Request, code: FormStr, csrf: Csrf, next: FormStr = "/"
) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request, allow_incomplete=True)
    settings, address = settings_of(request), _client_address(request)

    def job(session: Session) -> Any:
        user = session.get(User, viewer.user.id)
        assert user is not None
        outcome = logins.check_second_factor(session, settings, user, code, address)
        if outcome.ok:
            logins.mark_second_factor_done(session, viewer.cookie)
        return outcome

    outcome = db_of(request).run_sync(job)
    if outcome.ok:
        return _see_other(safe_next(next))
    t = i18n.translator(viewer.user.language).gettext
    locked = outcome.status == "locked"
    if locked:
        error = t("Too many failed attempts. Try again in %(minutes)d minute(s).") % {
            "minutes": max(1, (outcome.retry_after + 59) // 60)
        }
    else:
        error = t("That code is not right. Use the current code from your app, or a recovery code.")
    page = render(
        request,
        "login_2fa.html",
        {"next": safe_next(next), "error": error, "full_shell": False},
        user=viewer.user,
        status_code=429 if locked else 401,
    )
    if locked:
        page.headers["Retry-After"] = str(outcome.retry_after)
    return page


@router.post("/logout")
def logout(request: Request, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        db_of(request).run_sync(logins.end_web_session, raw)
    response = _see_other("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---------------------------------------------------------------- second factor enrolment


def _qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI. It must be a standalone SVG document, with its
    ``xmlns``: an ``<img>`` draws nothing from an SVG without it (segno's
    ``svg_inline`` leaves it out, being meant for SVG inside HTML)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#111", light="#fff"))


@router.get("/account/2fa")
def enrol_page(request: Request) -> Response:
    viewer = current_viewer(request, allow_incomplete=True)
    settings = settings_of(request)
    if viewer.user.totp_enabled_at is not None:
        with db_of(request).read() as session:
            left = session.execute(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.user_id == viewer.user.id, RecoveryCode.used_at.is_(None))
            ).scalar_one()
        return render(
            request, "enrol_2fa.html", {"enabled": True, "codes_left": left}, user=viewer.user
        )

    def job(session: Session) -> str:
        user = session.get(User, viewer.user.id)
        assert user is not None
        pending = pending_totp_secret(user, settings.effective_secret())
        return pending or users.begin_totp_enrolment(session, user, settings.effective_secret())

    secret = pending_totp_secret(viewer.user, settings.effective_secret())
    if secret is None:  # a write only the first time the page is shown
        secret = db_of(request).run_sync(job)
    uri = totp.provisioning_uri(secret, viewer.user.email)
    return render(
        request,
        "enrol_2fa.html",
        {
            "enabled": False,
            "secret": secret,
            "qr": _qr_data_uri(uri),
            "uri": uri,
            "error": None,
            "required": requires_enrolment(viewer.user),
            # before a required second factor, the rest of the application is closed
            "full_shell": not requires_enrolment(viewer.user),
        },
        user=viewer.user,
    )


@router.post("/account/2fa")
def enrol_submit(request: Request, code: FormStr, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request, allow_incomplete=True)
    settings = settings_of(request)
    try:

        def job(session: Session) -> list[str]:
            user = session.get(User, viewer.user.id)
            assert user is not None
            codes = users.confirm_totp_enrolment(session, user, code, settings.effective_secret())
            logins.mark_second_factor_done(session, viewer.cookie)
            return codes

        codes = db_of(request).run_sync(job)
    except ActionError as exc:
        secret = pending_totp_secret(viewer.user, settings.effective_secret()) or ""
        uri = totp.provisioning_uri(secret, viewer.user.email)
        t = i18n.translator(viewer.user.language).gettext
        return render(
            request,
            "enrol_2fa.html",
            {
                "enabled": False,
                "secret": secret,
                "qr": _qr_data_uri(uri),
                "uri": uri,
                "error": t("That code is not right; check the time on your phone and try again.")
                if exc.status == 422
                else exc.detail,
                "required": requires_enrolment(viewer.user),
                "full_shell": not requires_enrolment(viewer.user),
            },
            user=viewer.user,
            status_code=exc.status,
        )
    return render(request, "recovery_codes.html", {"codes": codes}, user=viewer.user)


# ---------------------------------------------------------------- language


@router.post("/language")
def choose_language(
    request: Request, language: FormStr, csrf: Csrf, next: FormStr = "/"
) -> Response:
    check_csrf(request, csrf)
    if language not in i18n.available():
        language = settings_of(request).default_language
    viewer = optional_viewer(request)
    if viewer is not None:

        def job(session: Session) -> None:
            user = session.get(User, viewer.user.id)
            assert user is not None
            users.set_language(session, user, language, i18n.available())

        db_of(request).run_sync(job)
    response = _see_other(safe_next(next))
    response.set_cookie(LANG_COOKIE, language, samesite="lax", max_age=365 * 24 * 3600)
    return response


# ---------------------------------------------------------------- dashboard and directory


@router.get("/")
def dashboard(request: Request) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        party = session.get(Party, viewer.user.party_code)
        assert party is not None
        _ = party.contacts
        counts = dict(
            session.execute(
                select(Party.kind, func.count()).where(Party.active.is_(True)).group_by(Party.kind)
            ).all()
        )
        focal_points = directory.visible_focal_points(session, viewer.actor, party.code)
        recent = exchange.recent_events(session, viewer.actor)
        unread = sum(channel_actions.unread_counts(session, viewer.actor).values())
        latest_reports = list(
            session.scalars(report_queries.reports(viewer.actor, status="issued", limit=3))
        )
        verifications = signal_pages.open_asked(session, viewer)
    awaiting = [e for e in recent if exchange.pending_for_party(e, viewer.user.party_code)]
    deadlines = [e for e in recent if e.ihr_deadline and not e.ihr_notified_at]
    # the 48-hour assessment clock (IHR Annex 1) of the viewer's own party's events
    to_assess = [
        (e, due)
        for e in recent
        if e.owner_party == viewer.user.party_code
        and (due := event_actions.assessment_due(e)) is not None
    ]
    return render(
        request,
        "dashboard.html",
        {
            "party": party,
            "counts": counts,
            "focal_points": focal_points,
            "recent": recent[:10],
            "awaiting": awaiting,
            "deadlines": deadlines,
            "to_assess": to_assess,
            "unread": unread,
            "latest_reports": latest_reports,
            "verifications": verifications,
        },
        user=viewer.user,
    )


@router.get("/directory")
def directory_page(request: Request) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        parties = (
            session.execute(
                select(Party).where(Party.active.is_(True)).order_by(Party.kind, Party.name)
            )
            .scalars()
            .all()
        )
        for p in parties:
            _ = p.contacts
    groups: dict[str, list[Party]] = {}
    for p in parties:
        groups.setdefault(p.kind, []).append(p)
    return render(request, "directory.html", {"groups": groups}, user=viewer.user)


@router.get("/directory/{code}")
def party_page(request: Request, code: str) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        party = session.get(Party, code.upper())
        if party is None or not party.active:
            raise NotFound(f"no party {code}")
        _ = party.contacts
        focal_points = directory.visible_focal_points(session, viewer.actor, party.code)
    return render(
        request, "party.html", {"party": party, "focal_points": focal_points}, user=viewer.user
    )


# ---------------------------------------------------------------- account


def _account(request: Request, viewer_user: User, **extra: object) -> Response:
    with db_of(request).read() as session:
        prefs = notifications.preferences(session, viewer_user.id)
        token_rows = (
            session.execute(
                select(ApiToken)
                .where(ApiToken.user_id == viewer_user.id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.id)
            )
            .scalars()
            .all()
        )
    status = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
    context: dict[str, object] = {
        "tokens": token_rows,
        "prefs": prefs,
        "new_token": None,
        "message": None,
        "error": None,
    }
    context.update(extra)
    return render(request, "account.html", context, user=viewer_user, status_code=status)


@router.get("/account")
def account_page(request: Request) -> Response:
    viewer = current_viewer(request)
    return _account(request, viewer.user)


@router.post("/account/notifications")
async def account_notifications(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    choices = {
        k: form.get(k) == "1"
        for k in ("email_alerts", "email_mentions", "email_direct", "email_reports")
    }
    await db_of(request).run(notifications.set_preferences, viewer.user.id, **choices)
    t = i18n.translator(viewer.user.language).gettext
    return _account(request, viewer.user, message=t("Your choices are saved."))


@router.post("/account/password")
def account_password(
    request: Request, current_password: FormStr, new_password: FormStr, csrf: Csrf
) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)
    t = i18n.translator(viewer.user.language).gettext
    try:

        def job(session: Session) -> None:
            user = session.get(User, viewer.user.id)
            assert user is not None
            users.change_password(session, user, current_password, new_password)

        db_of(request).run_sync(job)
    except ActionError as exc:
        return _account(request, viewer.user, error=exc.detail, status_code=exc.status)
    return _account(request, viewer.user, message=t("Your password has been changed."))


@router.post("/account/tokens")
def account_token_create(
    request: Request, csrf: Csrf, scope: FormStr = "read", name: FormStr = ""
) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)
    try:

        def job(session: Session) -> str:
            user = session.get(User, viewer.user.id)
            assert user is not None
            return tokens.create_token(session, viewer.actor, user, scope=scope, name=name)[1]

        raw = db_of(request).run_sync(job)
    except ActionError as exc:
        return _account(request, viewer.user, error=exc.detail, status_code=exc.status)
    return _account(request, viewer.user, new_token=raw)


@router.post("/account/tokens/{token_id}/revoke")
def account_token_revoke(request: Request, token_id: int, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)

    def job(session: Session) -> None:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != viewer.user.id:
            raise NotFound(f"no token {token_id}")
        tokens.revoke_token(session, viewer.actor, token_id)

    db_of(request).run_sync(job)
    return _see_other("/account")


# ---------------------------------------------------------------- audit


@router.get("/audit")
def audit_page(
    request: Request,
    action: str | None = None,
    actor: str | None = None,
    party: str | None = None,
    since: str | None = None,
    until: str | None = None,
    before_id: int | None = None,
    verify: bool = Query(False),
) -> Response:
    viewer = current_viewer(request)
    if not (
        viewer.actor.can(Permission.VIEW_PARTY_AUDIT) or viewer.actor.can(Permission.VIEW_ALL_AUDIT)
    ):
        raise Forbidden("only admins read the audit trail")

    def _date(value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    limit = 50
    with db_of(request).read() as session:
        rows = (
            session.execute(
                query_audit(
                    viewer.actor,
                    action=action or None,
                    actor_email=actor or None,
                    party=party or None,
                    since=_date(since),
                    until=_date(until),
                    before_id=before_id,
                    limit=limit,
                )
            )
            .scalars()
            .all()
        )
        report = None
        if verify and viewer.actor.can(Permission.VIEW_ALL_AUDIT):
            report = audit.verify_chain(session)
    entries = [(r, json.loads(r.details)) for r in rows]
    return render(
        request,
        "audit.html",
        {
            "entries": entries,
            "filters": {
                "action": action or "",
                "actor": actor or "",
                "party": party or "",
                "since": since or "",
                "until": until or "",
            },
            "next_before_id": rows[-1].id if len(rows) == limit else None,
            "report": report,
            "network_admin": viewer.actor.can(Permission.VIEW_ALL_AUDIT),
        },
        user=viewer.user,
    )


# ---------------------------------------------------------------- wiring


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "text/html"
    )


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(exchange.router)
    app.include_router(tracing_pages.router)
    app.include_router(surveillance_pages.router)
    app.include_router(risk_pages.router)
    app.include_router(risk_assessment_pages.router)
    app.include_router(public_site.router)
    app.include_router(advisory_pages.router)
    app.include_router(fact_check_pages.router)
    app.include_router(signal_pages.router)
    app.include_router(laboratory_pages.router)
    app.include_router(countermeasure_pages.router)
    app.include_router(meeting_pages.router)
    app.include_router(agreement_pages.router)
    app.include_router(report_pages.router)
    app.include_router(pwa.router)
    settings = app.state.settings
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.is_production or settings.base_url.startswith("https://"),
    )

    @app.exception_handler(Redirect)
    async def _redirect(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Redirect)
        return _see_other(exc.location)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: Exception) -> Response:
        return render(
            request, "error.html", {"status": 403, "message_key": "csrf"}, status_code=403
        )

    previous = app.exception_handlers.get(ActionError)
    previous_http = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: Exception) -> Response:
        """A mistyped page address is a page saying so, in the reader's language; the
        API (and a client that does not ask for HTML) keeps its problem document."""
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and _wants_html(request):
            viewer = optional_viewer(request)
            return render(
                request,
                "error.html",
                {"status": 404, "message_key": "404", "detail": ""},
                user=viewer.user if viewer else None,
                status_code=404,
            )
        assert previous_http is not None
        return await previous_http(request, exc)  # type: ignore[misc,no-any-return]

    @app.exception_handler(ActionError)
    async def _action_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ActionError)
        if _wants_html(request):
            viewer = optional_viewer(request)
            return render(
                request,
                "error.html",
                {"status": exc.status, "message_key": str(exc.status), "detail": exc.detail},
                user=viewer.user if viewer else None,
                status_code=exc.status,
            )
        assert previous is not None
        return await previous(request, exc)  # type: ignore[misc,no-any-return]
