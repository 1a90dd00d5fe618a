"""Pages for cooperation agreements (plans on a timeline, indicators as charts)
and for the focal-point connectivity checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eocnet.actions import agreements as actions
from eocnet.actions import connectivity, files
from eocnet.actions.errors import NotFound
from eocnet.db.models import Indicator
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.httpkit.files import download
from eocnet.queries import agreements as queries
from eocnet.web import forms
from eocnet.web.auth import Viewer, current_viewer, db_of
from eocnet.web.rendering import render, settings_of

router = APIRouter(include_in_schema=False)
SVG = {"Cache-Control": "private, no-store"}


def _list(request: Request, viewer: Viewer, **extra: Any) -> Response:
    with db_of(request).read() as session:
        context: dict[str, Any] = {
            "agreements": list(session.scalars(queries.agreements(viewer.actor))),
            "areas": rules.COOPERATION_AREAS,
            "can_record": not viewer.actor.is_partner,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "agreements.html", context, user=viewer.user, status_code=code)


@router.get("/agreements")
def list_page(request: Request) -> Response:
    return _list(request, current_viewer(request))


def _fields(form: Any) -> actions.AgreementFields:
    return actions.AgreementFields(
        title=forms.text(form, "title"),
        parties=forms.codes(form, "parties"),
        signed_on=forms.day(form, "signed_on"),
        expires_on=forms.day(form, "expires_on"),
        areas=form.getlist("areas"),
        documents=forms.links(form, "documents"),
        summary=forms.text(form, "summary"),
        shared_with_network=forms.text(form, "shared_with_network") == "on",
    )


@router.post("/agreements")
async def record(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        return f"/agreements/{actions.create(session, viewer.actor, _fields(form)).id}"

    return await forms.submit(request, write, _list)


def _detail(request: Request, viewer: Viewer, **extra: Any) -> Response:
    agreement_id = int(request.path_params["agreement_id"])
    with db_of(request).read() as session:
        agreement = actions.access(session, viewer.actor, agreement_id)
        found = queries.indicators_of(session, [agreement.id])[agreement.id]
        values = queries.reports_of(session, [i.id for i in found])
        indicators = [
            {
                "indicator": indicator,
                "reports": values[indicator.id],
                "progress": queries.progress(indicator, values[indicator.id]),
            }
            for indicator in found
        ]
        context: dict[str, Any] = {
            "agreement": agreement,
            "activities": queries.activities_of(session, [agreement.id])[agreement.id],
            "indicators": indicators,
            "signatory": viewer.actor.party_code in agreement.parties,
            "files": files.listing(session, "agreement", agreement.id),
            "files_url": f"/agreements/{agreement.id}/documents",
            "files_kind": "documents",
            "can_edit": actions.may_manage(viewer.actor, agreement),
            "max_bytes": settings_of(request).attachment_max_bytes,
            "terms": rules.PLAN_TERMS,
            "statuses": rules.ACTIVITY_STATUSES,
            "periods": rules.INDICATOR_PERIODS,
            "today": utcnow().date(),
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "agreement.html", context, user=viewer.user, status_code=code)


@router.get("/agreements/{agreement_id}")
def detail_page(request: Request, agreement_id: int) -> Response:
    return _detail(request, current_viewer(request))


@router.post("/agreements/{agreement_id}/{step}")
async def agreement_step(request: Request, agreement_id: int, step: str) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        agreement = actions.access(session, viewer.actor, agreement_id)
        if step == "activities":
            actions.add_activity(
                session,
                viewer.actor,
                agreement,
                actions.ActivityFields(
                    term=forms.text(form, "term"),
                    title=forms.text(form, "title"),
                    lead_party=forms.text(form, "lead_party"),
                    starts_on=forms.day(form, "starts_on", required=True) or utcnow().date(),
                    ends_on=forms.day(form, "ends_on", required=True) or utcnow().date(),
                    budget=forms.number(form, "budget"),
                    currency=forms.text(form, "currency"),
                    status=forms.text(form, "status") or "planned",
                ),
            )
        elif step == "indicators":
            actions.add_indicator(
                session,
                viewer.actor,
                agreement,
                actions.IndicatorFields(
                    name=forms.text(form, "name"),
                    target=forms.number(form, "target", required=True) or 0.0,
                    baseline=forms.number(form, "baseline") or 0.0,
                    unit=forms.text(form, "unit"),
                    period=forms.text(form, "period") or "quarter",
                ),
            )
        elif step == "reports":
            actions.report(
                session,
                viewer.actor,
                agreement,
                forms.integer(form, "indicator_id", required=True) or 0,
                forms.text(form, "period"),
                forms.number(form, "value", required=True) or 0.0,
                forms.text(form, "note"),
            )
        elif step == "documents":
            max_bytes = settings_of(request).attachment_max_bytes
            actions.attach_document(session, viewer.actor, agreement, forms.upload(form), max_bytes)
            return f"/agreements/{agreement_id}#files"
        else:
            raise NotFound("no such step")
        return f"/agreements/{agreement_id}"

    return await forms.submit(request, write, _detail)


@router.get("/agreements/{agreement_id}/documents/{file_id}")
def agreement_document(request: Request, agreement_id: int, file_id: int) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        actions.access(session, viewer.actor, agreement_id)
        return download(files.one(session, "agreement", agreement_id, file_id))


@router.get("/agreements/{agreement_id}/timeline.svg")
def timeline(request: Request, agreement_id: int) -> Response:
    from eocnet.render.charts import figure_bytes, timeline_figure

    viewer = current_viewer(request)
    with db_of(request).read() as session:
        agreement = actions.access(session, viewer.actor, agreement_id)
        rows = queries.activities_of(session, [agreement.id])[agreement.id]
    svg = figure_bytes(timeline_figure(rows, utcnow().date()), "svg")
    return Response(svg, media_type="image/svg+xml", headers=SVG)


@router.get("/agreements/{agreement_id}/indicators/{indicator_id}.svg")
def indicator_chart(request: Request, agreement_id: int, indicator_id: int) -> Response:
    from eocnet.render.charts import figure_bytes, indicator_figure

    viewer = current_viewer(request)
    with db_of(request).read() as session:
        agreement = actions.access(session, viewer.actor, agreement_id)
        indicator = session.get(Indicator, indicator_id)
        if indicator is None or indicator.agreement_id != agreement.id:
            raise NotFound(f"no indicator {indicator_id}")
        rows = queries.reports_of(session, [indicator.id])[indicator.id]
    svg = figure_bytes(indicator_figure(indicator, rows), "svg")
    return Response(svg, media_type="image/svg+xml", headers=SVG)


# ---------------------------------------------------------------- connectivity


def _connectivity(request: Request, viewer: Viewer, **extra: Any) -> Response:
    with db_of(request).read() as session:
        results = connectivity.results(session)
        rounds = sorted({r.check_id for r in results}, reverse=True)
        parties = sorted({r.party for r in results})
        table = {(r.check_id, r.party): r.minutes for r in results}
        context: dict[str, Any] = {
            "pending": connectivity.pending_for(session, viewer.actor.party_code),
            "rounds": rounds,
            "started": {r.check_id: r.started_at for r in results},
            "parties": parties,
            "table": table,
            "can_start": viewer.actor.party_kind == "coordinator",
            "error": None,
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "connectivity.html", context, user=viewer.user, status_code=code)


@router.get("/connectivity")
def connectivity_page(request: Request) -> Response:
    return _connectivity(request, current_viewer(request))


@router.post("/connectivity")
async def start_check(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        from eocnet.web.rendering import settings_of

        connectivity.start(session, viewer.actor, settings_of(request).base_url)
        return "/connectivity"

    return await forms.submit(request, write, _connectivity)


@router.post("/connectivity/probes/{probe_id}")
async def acknowledge(request: Request, probe_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        connectivity.acknowledge(session, viewer.actor, probe_id)
        return "/connectivity"

    return await forms.submit(request, write, _connectivity)


@router.get("/connectivity/chart.svg")
def connectivity_chart(request: Request) -> Response:
    from eocnet.render.charts import connectivity_figure, figure_bytes

    current_viewer(request)
    with db_of(request).read() as session:
        results = connectivity.results(session)
    svg = figure_bytes(connectivity_figure(results), "svg")
    return Response(svg, media_type="image/svg+xml", headers=SVG)
