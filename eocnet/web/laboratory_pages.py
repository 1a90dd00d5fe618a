"""Pages for laboratories: the directory, support requests and their offers,
and specimen shipments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eocnet.actions import laboratories as actions
from eocnet.domain import coordination as rules
from eocnet.queries import laboratories as queries
from eocnet.web import forms
from eocnet.web.auth import Viewer, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)


def _directory(request: Request, viewer: Viewer, **extra: Any) -> Response:
    party = request.query_params.get("party", "")[:8]
    agent = request.query_params.get("agent", "")[:200]
    with db_of(request).read() as session:
        context: dict[str, Any] = {
            "labs": queries.testing_for(list(session.scalars(queries.laboratories(party))), agent),
            "requests": list(session.scalars(queries.support_requests(viewer.actor))),
            "shipments": list(session.scalars(queries.shipments(viewer.actor))),
            "lab_names": queries.lab_names(session),
            "own_labs": list(session.scalars(queries.laboratories(viewer.actor.party_code))),
            "party": party,
            "agent": agent,
            "kinds": rules.SUPPORT_KINDS,
            "packaging": rules.PACKAGING,
            "can_ask": not viewer.actor.is_partner,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "laboratories.html", context, user=viewer.user, status_code=code)


@router.get("/laboratories")
def directory_page(request: Request) -> Response:
    return _directory(request, current_viewer(request))


@router.post("/laboratories")
async def add_lab(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        tests = []
        for line in forms.lines(form, "tests"):
            agent, _, method = line.partition(":")
            tests.append({"agent": agent.strip(), "method": method.strip()})
        actions.add_lab(
            session,
            viewer.actor,
            actions.LabFields(
                name=forms.text(form, "name"),
                city=forms.text(form, "city"),
                biosafety_level=forms.integer(form, "biosafety_level") or 2,
                tests=tests,
                capacity_per_week=forms.integer(form, "capacity_per_week"),
                turnaround_days=forms.number(form, "turnaround_days"),
                contact=forms.text(form, "contact"),
                accreditation=forms.text(form, "accreditation"),
            ),
        )
        return "/laboratories"

    return await forms.submit(request, write, _directory)


@router.post("/support-requests")
async def ask(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        made = actions.ask(
            session,
            viewer.actor,
            actions.SupportFields(
                kind=forms.text(form, "kind"),
                title=forms.text(form, "title"),
                details=forms.text(form, "details"),
                event_id=forms.integer(form, "event_id"),
                needed_by=forms.day(form, "needed_by"),
                visibility=forms.text(form, "visibility") or "network",
                parties=forms.codes(form, "parties"),
            ),
        )
        return f"/support-requests/{made.id}"

    return await forms.submit(request, write, _directory)


@router.post("/specimen-shipments")
async def send(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        actions.send_specimens(
            session,
            viewer.actor,
            actions.ShipmentFields(
                sender_lab_id=forms.integer(form, "sender_lab_id", required=True) or 0,
                receiver_lab_id=forms.integer(form, "receiver_lab_id", required=True) or 0,
                specimen_type=forms.text(form, "specimen_type"),
                count=forms.integer(form, "count", required=True) or 0,
                packaging=forms.text(form, "packaging"),
                shipped_on=forms.day(form, "shipped_on"),
                tracking_ref=forms.text(form, "tracking_ref"),
                request_id=forms.integer(form, "request_id"),
            ),
        )
        return "/laboratories#shipments"

    return await forms.submit(request, write, _directory)


@router.post("/specimen-shipments/{shipment_id}/receipt")
async def receipt(request: Request, shipment_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        shipment = actions.access_shipment(session, viewer.actor, shipment_id)
        actions.receive(
            session,
            viewer.actor,
            shipment,
            forms.day(form, "received_on"),
            forms.day(form, "result_returned_on"),
            forms.text(form, "result_summary"),
        )
        return "/laboratories#shipments"

    return await forms.submit(request, write, _directory)


def _request_page(request: Request, viewer: Viewer, **extra: Any) -> Response:
    request_id = int(request.path_params["request_id"])
    with db_of(request).read() as session:
        support = actions.access(session, viewer.actor, request_id)
        context: dict[str, Any] = {
            "support": support,
            "offers": queries.offers_of(session, [support.id])[support.id],
            "lab_names": queries.lab_names(session),
            "own_labs": list(session.scalars(queries.laboratories(viewer.actor.party_code))),
            "mine": support.requesting_party == viewer.actor.party_code,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "support_request.html", context, user=viewer.user, status_code=code)


@router.get("/support-requests/{request_id}")
def request_page(request: Request, request_id: int) -> Response:
    return _request_page(request, current_viewer(request))


@router.post("/support-requests/{request_id}/{step}")
async def request_step(request: Request, request_id: int, step: str) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        support = actions.access(session, viewer.actor, request_id)
        if step == "offers":
            actions.offer(
                session,
                viewer.actor,
                support,
                forms.text(form, "note"),
                forms.integer(form, "laboratory_id"),
            )
        elif step == "accept":
            actions.accept(
                session, viewer.actor, support, forms.integer(form, "offer_id", required=True) or 0
            )
        elif step == "status":
            actions.advance(session, viewer.actor, support, forms.text(form, "status"))
        return f"/support-requests/{request_id}"

    return await forms.submit(request, write, _request_page)
