"""Pages for the rumour log (log a rumour from anywhere; grouped claims) and fact
checks (the coordinator answers a group, translates, publishes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from eocnet.actions import fact_checks as actions
from eocnet.actions.errors import ActionError, Invalid
from eocnet.db.models import Rumour
from eocnet.domain.fact_checks import VERDICTS
from eocnet.queries import fact_checks as queries
from eocnet.render.markdown import to_html
from eocnet.web import forms
from eocnet.web.auth import Viewer, check_csrf, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)
MAX_BLOCKS = 40


def _rumour_page(request: Request, viewer: Viewer, **extra: Any) -> Response:
    with db_of(request).read() as session:
        groups = actions.groups(session, viewer.actor)
        answered = [
            r for r in actions.rumours(session, viewer.actor) if r.fact_check_id is not None
        ][:50]
    context: dict[str, Any] = {
        "groups": groups,
        "answered": answered,
        "can_answer": viewer.actor.is_coordinator,
        "values": {"country": viewer.actor.party_code, "first_seen": date.today().isoformat()},
        "error": None,
    }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "rumours.html", context, user=viewer.user, status_code=code)


@router.get("/rumours")
def rumours_page(request: Request, claim: str = "") -> Response:
    viewer = current_viewer(request)
    page = _rumour_page(request, viewer)
    if claim:  # "report a rumour" from another page, with the claim filled in
        return _rumour_page(
            request,
            viewer,
            values={
                "claim": claim[:5000],
                "country": viewer.actor.party_code,
                "first_seen": date.today().isoformat(),
            },
        )
    return page


@router.post("/rumours")
async def log_submit(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(v) for k, v in form.items()}
    try:
        fields = actions.RumourFields(
            claim=forms.text(form, "claim"),
            country=forms.text(form, "country"),
            first_seen=forms.day(form, "first_seen", required=True) or date.today(),
            seen_where=forms.text(form, "seen_where"),
            url=forms.text(form, "url"),
            language=forms.text(form, "language"),
            reach=forms.integer(form, "reach"),
        )
        await db_of(request).run(actions.log_rumour, viewer.actor, fields)
    except ActionError as exc:
        return _rumour_page(
            request, viewer, values=values, error=exc.detail, status_code=exc.status
        )
    return RedirectResponse("/rumours?logged=1", status_code=303)


# ---------------------------------------------------------------- fact checks


def _fields(form: Any) -> actions.FactCheckFields:
    translations = []
    for i in range(MAX_BLOCKS):
        claim = str(form.get(f"claim_{i}") or "")
        explanation = str(form.get(f"explanation_{i}") or "")
        if claim.strip() or explanation.strip():
            language = str(form.get(f"language_{i}") or "")
            translations.append(actions.FactCheckTranslationFields(language, claim, explanation))
    ids = []
    for part in str(form.get("rumour_ids") or "").replace(",", " ").split():
        if not part.isdigit():
            raise Invalid(f"{part!r} is not a rumour number", field="rumour_ids")
        ids.append(int(part))
    return actions.FactCheckFields(
        verdict=forms.text(form, "verdict"),
        translations=translations,
        sources=forms.links(form, "sources"),
        countries=forms.codes(form, "countries"),
        event_id=forms.integer(form, "event_id"),
        rumour_ids=ids,
    )


def _blocks(values: dict[str, Any]) -> list[dict[str, str]]:
    blocks = list(values.get("translations") or [{"language": "en"}, {"language": "id"}])
    return [*blocks, {"language": ""}][:MAX_BLOCKS]


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) for k, v in form.items()}
    values["translations"] = [
        {
            "language": values.get(f"language_{i}", ""),
            "claim": values.get(f"claim_{i}", ""),
            "explanation": values.get(f"explanation_{i}", ""),
        }
        for i in range(MAX_BLOCKS)
        if values.get(f"claim_{i}") or values.get(f"explanation_{i}")
    ]
    return values


@router.get("/fact-checks")
def list_page(request: Request) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        checks = session.scalars(queries.fact_checks(viewer.actor))
        rows = [
            {"check": c, "claim": c.translations[0].claim if c.translations else ""} for c in checks
        ]
    return render(
        request,
        "fact_checks.html",
        {"rows": rows, "can_write": viewer.actor.is_coordinator},
        user=viewer.user,
    )


@router.get("/fact-checks/new")
def new_page(request: Request, rumours: str = "") -> Response:
    viewer = current_viewer(request)
    values: dict[str, Any] = {"rumour_ids": rumours.replace(",", " ")}
    ids = [int(p) for p in rumours.replace(",", " ").split() if p.isdigit()]
    if ids:
        with db_of(request).read() as session:
            found = [r for r in (session.get(Rumour, i) for i in ids[:100]) if r is not None]
            if found and not viewer.actor.is_partner:
                values["countries"] = " ".join(sorted({r.country for r in found}))
                values["translations"] = [
                    {"language": found[0].language or "en", "claim": found[0].claim}
                ]
    return render(
        request,
        "fact_check_form.html",
        {
            "check": None,
            "values": values,
            "blocks": _blocks(values),
            "verdicts": VERDICTS,
            "error": None,
        },
        user=viewer.user,
    )


@router.post("/fact-checks")
async def create_submit(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = _fields(form)
        check_id = await db_of(request).run(
            lambda session: actions.create(session, viewer.actor, fields).id
        )
    except ActionError as exc:
        values = _form_values(form)
        return render(
            request,
            "fact_check_form.html",
            {
                "check": None,
                "values": values,
                "blocks": _blocks(values),
                "verdicts": VERDICTS,
                "error": exc.detail,
            },
            user=viewer.user,
            status_code=exc.status,
        )
    return RedirectResponse(f"/fact-checks/{check_id}", status_code=303)


def _view(request: Request, viewer: Viewer, fact_check_id: int, **extra: Any) -> Response:
    with db_of(request).read() as session:
        check = actions.access(session, viewer.actor, fact_check_id)
        linked = queries.rumours_of(session, check.id) if not viewer.actor.is_partner else []
        values = {
            "verdict": check.verdict,
            "sources": "\n".join(f"{s['title']} | {s['url']}" for s in check.sources),
            "countries": " ".join(check.countries),
            "event_id": check.event_id or "",
            "rumour_ids": " ".join(str(r.id) for r in linked),
            "translations": [
                {"language": t.language, "claim": t.claim, "explanation": t.explanation}
                for t in check.translations
            ],
        }
        context: dict[str, Any] = {
            "check": check,
            "texts": [
                {"language": t.language, "claim": t.claim, "explanation": to_html(t.explanation)}
                for t in check.translations
            ],
            "linked": linked,
            "can_write": viewer.actor.is_coordinator,
            "changed_since_published": check.status == "published"
            and check.published.get("translations") != actions.content(check)["translations"],
            "values": values,
            "blocks": _blocks(values),
            "verdicts": VERDICTS,
            "error": None,
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "fact_check.html", context, user=viewer.user, status_code=code)


@router.get("/fact-checks/{fact_check_id}")
def view_page(request: Request, fact_check_id: int) -> Response:
    return _view(request, current_viewer(request), fact_check_id)


@router.post("/fact-checks/{fact_check_id}")
async def edit_submit(request: Request, fact_check_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = _fields(form)

        def write(session: Session) -> None:
            check = actions.access(session, viewer.actor, fact_check_id)
            actions.edit(session, viewer.actor, check, fields)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, fact_check_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/fact-checks/{fact_check_id}", status_code=303)


@router.post("/fact-checks/{fact_check_id}/{step}")
async def step_submit(request: Request, fact_check_id: int, step: str) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    if step not in ("publish", "withdraw"):
        return Response(status_code=404)
    try:

        def write(session: Session) -> None:
            check = actions.access(session, viewer.actor, fact_check_id)
            if step == "publish":
                actions.publish_check(session, viewer.actor, check)
            else:
                actions.withdraw(session, viewer.actor, check)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, fact_check_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/fact-checks/{fact_check_id}", status_code=303)
