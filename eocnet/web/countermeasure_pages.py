"""Pages for countermeasures: stockpiles (near-expiry highlighted), requests,
pledges, and the allocation of a pledge shown before it is accepted."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eocnet.actions import countermeasures as actions
from eocnet.actions.errors import ActionError, NotFound
from eocnet.db.models import PledgeAllocation
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.queries import countermeasures as queries
from eocnet.web import forms
from eocnet.web.auth import Viewer, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)


def _overview(request: Request, viewer: Viewer, **extra: Any) -> Response:
    today = utcnow().date()
    with db_of(request).read() as session:
        stock = [] if viewer.actor.is_partner else actions.stock(session, viewer.actor)
        context: dict[str, Any] = {
            "stock": stock,
            "near": {line.id for line in stock if rules.near_expiry(line.expiry, today)},
            "needs": list(session.scalars(queries.needs())),
            "pledges": list(session.scalars(queries.pledges())),
            "categories": rules.STOCK_CATEGORIES,
            "pledge_kinds": rules.PLEDGE_KINDS,
            "is_partner": viewer.actor.is_partner,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "countermeasures.html", context, user=viewer.user, status_code=code)


@router.get("/countermeasures")
def overview(request: Request) -> Response:
    return _overview(request, current_viewer(request))


def _stock_fields(form: Any) -> actions.StockFields:
    return actions.StockFields(
        item=forms.text(form, "item"),
        category=forms.text(form, "category"),
        quantity=forms.integer(form, "quantity", required=True) or 0,
        unit=forms.text(form, "unit"),
        lot=forms.text(form, "lot"),
        expiry=forms.day(form, "expiry"),
        location=forms.text(form, "location"),
        note=forms.text(form, "note"),
    )


@router.post("/stockpiles")
async def add_stock(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        actions.add_stock(session, viewer.actor, _stock_fields(form))
        return "/countermeasures#stock"

    return await forms.submit(request, write, _overview)


def _stock_page(request: Request, viewer: Viewer, **extra: Any) -> Response:
    item_id = int(request.path_params["item_id"])
    with db_of(request).read() as session:
        line = actions.stock_item(session, viewer.actor, item_id)
        context: dict[str, Any] = {
            "line": line,
            "history": actions.history(session, line),
            "categories": rules.STOCK_CATEGORIES,
            "mine": line.party_code == viewer.actor.party_code,
            "near": rules.near_expiry(line.expiry, utcnow().date()),
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "stock_item.html", context, user=viewer.user, status_code=code)


@router.get("/stockpiles/{item_id}")
def stock_page(request: Request, item_id: int) -> Response:
    return _stock_page(request, current_viewer(request))


@router.post("/stockpiles/{item_id}")
async def update_stock(request: Request, item_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        line = actions.stock_item(session, viewer.actor, item_id)
        actions.update_stock(session, viewer.actor, line, _stock_fields(form))
        return f"/stockpiles/{item_id}"

    return await forms.submit(request, write, _stock_page)


@router.post("/countermeasure-requests")
async def ask(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        actions.ask(
            session,
            viewer.actor,
            actions.NeedFields(
                item=forms.text(form, "item"),
                category=forms.text(form, "category"),
                quantity=forms.integer(form, "quantity", required=True) or 0,
                unit=forms.text(form, "unit"),
                reason=forms.text(form, "reason"),
                event_id=forms.integer(form, "event_id"),
            ),
        )
        return "/countermeasures#requests"

    return await forms.submit(request, write, _overview)


@router.post("/pledges")
async def pledge(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        made = actions.pledge(
            session,
            viewer.actor,
            actions.PledgeFields(
                item=forms.text(form, "item"),
                category=forms.text(form, "category"),
                quantity=forms.integer(form, "quantity", required=True) or 0,
                unit=forms.text(form, "unit"),
                kind=forms.text(form, "kind"),
                note=forms.text(form, "note"),
            ),
        )
        return f"/pledges/{made.id}"

    return await forms.submit(request, write, _overview)


def _pledge_page(request: Request, viewer: Viewer, **extra: Any) -> Response:
    pledge_id = int(request.path_params["pledge_id"])
    basis = request.query_params.get("basis", "need")
    minimum_text = request.query_params.get("minimum", "0").strip() or "0"
    with db_of(request).read() as session:
        made = actions.get_pledge(session, pledge_id)
        preview, preview_error = None, None
        if made.status == "open":
            try:
                minimum = int(minimum_text.replace(",", ""))
                preview = actions.plan(session, made, basis, minimum)
            except ValueError:
                preview_error = f"{minimum_text!r} is not a whole number"
            except ActionError as exc:
                preview_error = exc.detail
        shares = queries.allocations_of(session, [made.id])[made.id]
        context: dict[str, Any] = {
            "pledge": made,
            "preview": preview,
            "preview_rows": preview.rows() if preview else [],
            "preview_error": preview_error,
            "basis": basis,
            "minimum": minimum_text,
            "allocations": shares,
            "reconciliation": queries.reconciliation(made, shares),
            "may_allocate": viewer.actor.party_code == made.party_code
            or viewer.actor.party_kind == "coordinator",
            "party": viewer.actor.party_code,
            "today": utcnow().date().isoformat(),
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "pledge.html", context, user=viewer.user, status_code=code)


@router.get("/pledges/{pledge_id}")
def pledge_page(request: Request, pledge_id: int) -> Response:
    return _pledge_page(request, current_viewer(request))


@router.post("/pledges/{pledge_id}/allocation")
async def accept(request: Request, pledge_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        made = actions.get_pledge(session, pledge_id)
        actions.accept_plan(
            session,
            viewer.actor,
            made,
            forms.text(form, "basis") or "need",
            forms.integer(form, "minimum") or 0,
        )
        return f"/pledges/{pledge_id}"

    return await forms.submit(request, write, _pledge_page)


@router.post("/pledges/{pledge_id}/allocations/{allocation_id}/{step}")
async def allocation_step(
    request: Request, pledge_id: int, allocation_id: int, step: str
) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        share = session.get(PledgeAllocation, allocation_id)
        if share is None or share.pledge_id != pledge_id:
            raise NotFound(f"no allocation {allocation_id}")
        quantity = forms.integer(form, "quantity", required=True) or 0
        on = forms.day(form, "on") or date.today()
        if step == "shipment":
            actions.ship(session, viewer.actor, share, quantity, on)
        else:
            actions.confirm_receipt(session, viewer.actor, share, quantity, on)
        return f"/pledges/{pledge_id}"

    return await forms.submit(request, write, _pledge_page)
