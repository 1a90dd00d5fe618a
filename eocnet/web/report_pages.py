"""Pages for situation reports (drafts, narrative, issuing with live progress)
and the regional dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from eocnet.actions import reports as actions
from eocnet.actions.errors import ActionError
from eocnet.db.types import utcnow
from eocnet.domain.weeks import week_of
from eocnet.queries import reports as queries
from eocnet.reports import dashboard, editions
from eocnet.web import forms
from eocnet.web.auth import Viewer, check_csrf, current_viewer, db_of
from eocnet.web.rendering import render, settings_of

router = APIRouter(include_in_schema=False)


def _list(request: Request, viewer: Viewer, **extra: Any) -> Response:
    with db_of(request).read() as session:
        context: dict[str, Any] = {
            "reports": list(session.scalars(queries.reports(viewer.actor))),
            "week": week_of(utcnow().date() - timedelta(days=7)),
            "can_weekly": viewer.actor.party_kind == "coordinator",
            "can_draft": not viewer.actor.is_partner,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "reports.html", context, user=viewer.user, status_code=code)


@router.get("/reports")
def list_page(request: Request) -> Response:
    return _list(request, current_viewer(request))


@router.post("/reports")
async def create(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = actions.DraftFields(
            kind=forms.text(form, "kind"),
            event_id=forms.integer(form, "event_id"),
            week=forms.text(form, "week").strip(),
            language=forms.text(form, "language") or "en",
        )
        report_id = await db_of(request).run(
            lambda session: actions.create(session, viewer.actor, fields).id
        )
    except ActionError as exc:
        values = {k: str(v) for k, v in form.items()}
        return _list(request, viewer, error=exc.detail, values=values, status_code=exc.status)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


def _view(
    request: Request, viewer: Viewer, report_id: int, template: str = "report.html", **extra: Any
) -> Response:
    with db_of(request).read() as session:
        report = actions.access(session, viewer.actor, report_id)
        context: dict[str, Any] = {
            "report": report,
            "sections": actions.SECTIONS[report.kind],
            "can_issue": report.status == "draft"
            and not viewer.actor.is_partner
            and (report.kind == "sitrep" or viewer.actor.party_kind == "coordinator"),
            "error": None,
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, template, context, user=viewer.user, status_code=code)


@router.get("/reports/{report_id}")
def view_page(request: Request, report_id: int) -> Response:
    return _view(request, current_viewer(request), report_id)


@router.get("/reports/{report_id}/progress")
def progress_fragment(request: Request, report_id: int) -> Response:
    """The status and progress bar alone, refreshed as the stream announces progress."""
    return _view(request, current_viewer(request), report_id, "_report_progress.html")


@router.post("/reports/{report_id}/narrative")
async def narrative(request: Request, report_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:

        def write(session: Session) -> None:
            report = actions.access(session, viewer.actor, report_id)
            texts = {s: forms.text(form, s) for s in actions.SECTIONS[report.kind]}
            actions.edit_narrative(session, viewer.actor, report, texts)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, report_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/reports/{report_id}/issue")
async def issue(request: Request, report_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    db = db_of(request)
    try:
        await db.run(
            lambda session: actions.start_issue(
                session, viewer.actor, actions.access(session, viewer.actor, report_id)
            )
        )
    except ActionError as exc:
        return _view(request, viewer, report_id, error=exc.detail, status_code=exc.status)
    # built after the redirect is sent, as the API does; the page follows the progress
    build = BackgroundTask(
        editions.build_in_background, db, report_id, settings_of(request).base_url
    )
    return RedirectResponse(f"/reports/{report_id}", status_code=303, background=build)


@router.get("/region")
def region(request: Request, hazard: str = "", days: int = 30) -> Response:
    """The regional dashboard."""
    viewer = current_viewer(request)
    days = days if days in dashboard.PERIODS else 30
    with db_of(request).read() as session:
        data = dashboard.build(session, viewer.actor, hazard=hazard[:200], days=days)
    if request.headers.get("hx-request"):
        context: dict[str, Any] = {"d": data, "periods": dashboard.PERIODS}
        return render(request, "_region_panels.html", context, user=viewer.user)
    import json

    from eocnet.web.risk_pages import map_points, numeric_code

    context = {
        "d": data,
        "periods": dashboard.PERIODS,
        "points": json.dumps(map_points()),
        "numeric": json.dumps({code: numeric_code(code) for code in data.countries}),
    }
    return render(request, "region.html", context, user=viewer.user)


@router.get("/region/map.json")
def region_map(request: Request, hazard: str = "", days: int = 30) -> Response:
    """Open events per country, for the dashboard's map."""
    import json

    viewer = current_viewer(request)
    days = days if days in dashboard.PERIODS else 30
    with db_of(request).read() as session:
        body = dashboard.open_events_per_country(
            session, viewer.actor, hazard=hazard[:200], days=days
        )
    return Response(
        json.dumps(body), media_type="application/json", headers={"Cache-Control": "no-store"}
    )
