"""Pages for rapid risk assessments: draft on an event, read with the risk
matrix and the revisions, revise, sign off, export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from eocnet.actions import events as event_actions
from eocnet.actions import risk_assessments as actions
from eocnet.actions.errors import ActionError
from eocnet.domain import risk_assessment as rules
from eocnet.web.auth import check_csrf, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)


LEVEL_FIELDS = (
    "question",
    "likelihood",
    "consequences",
    "confidence",
    "risk_level_override",
    "override_justification",
)


def _levels(form: Any) -> dict[str, actions.LevelFields]:
    """The national and global levels filled in on the form (a level left blank is not
    assessed)."""
    out = {}
    for scale in rules.OTHER_SCALES:
        given = {name: str(form.get(f"{scale}_{name}") or "") for name in LEVEL_FIELDS}
        if any(v.strip() for v in given.values()):
            out[scale] = actions.LevelFields(**given)
    return out


def _fields(form: Any) -> actions.AssessmentFields:
    return actions.AssessmentFields(
        title=str(form.get("title") or ""),
        **{name: str(form.get(name) or "") for name in rules.TEXT_FIELDS[1:]},
        risk_question=str(form.get("risk_question") or ""),
        levels=_levels(form),
        likelihood=str(form.get("likelihood") or ""),
        consequences=str(form.get("consequences") or ""),
        confidence=str(form.get("confidence") or ""),
        sharing=str(form.get("sharing") or "network"),
        risk_level_override=str(form.get("risk_level_override") or ""),
        override_justification=str(form.get("override_justification") or ""),
    )


def _form_context(values: dict[str, Any]) -> dict[str, Any]:
    """The form's choices, and its values flat (``national_likelihood``, ...)."""
    values = dict(values)
    for scale, level in dict(values.pop("levels", None) or {}).items():
        values.update({f"{scale}_{name}": level.get(name, "") for name in LEVEL_FIELDS})
    return {
        "values": values,
        "other_scales": rules.OTHER_SCALES,
        "likelihoods": rules.LIKELIHOOD,
        "consequences_list": rules.CONSEQUENCES,
        "confidences": rules.CONFIDENCE,
        "risk_levels": rules.RISK_LEVELS,
    }


@router.get("/events/{event_id}/risk-assessments/new")
def new_page(request: Request, event_id: int) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        event = event_actions.access_event(session, viewer.actor, event_id)
        title = f"{event.hazard}: {event.title}"[:300]
    return render(
        request,
        "risk_assessment_form.html",
        {"event_id": event_id, "rra": None, "error": None, **_form_context({"title": title})},
        user=viewer.user,
    )


@router.post("/events/{event_id}/risk-assessments")
async def create_submit(request: Request, event_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = _fields(form)
        rra_id = await db_of(request).run(
            lambda session: actions.create(session, viewer.actor, event_id, fields).id
        )
    except ActionError as exc:
        return render(
            request,
            "risk_assessment_form.html",
            {"event_id": event_id, "rra": None, "error": exc.detail, **_form_context(dict(form))},
            user=viewer.user,
            status_code=exc.status,
        )
    return RedirectResponse(f"/risk-assessments/{rra_id}", status_code=303)


def _view(request: Request, viewer: Any, assessment_id: int, **extra: Any) -> Response:
    with db_of(request).read() as session:
        rra = actions.access(session, viewer.actor, assessment_id)
        history = [
            {"version": rev.version, "status": rev.status, "at": rev.created_at, "changes": changes}
            for rev, changes in actions.history(session, rra)
        ]
        event = event_actions.access_event(session, viewer.actor, rra.event_id)
        context = {
            "rra": rra,
            "event": event,
            "history": list(reversed(history)),
            "matrix": rules.matrix(),
            "scales": rules.by_scale(rra),
            "consequences": rules.CONSEQUENCES,
            "can_edit": actions.may_edit(viewer.actor, rra),
            "can_sign": viewer.actor.is_coordinator and rra.status != "signed_off",
            "comments": actions.comments(session, rra),
            "can_comment": actions.may_comment(session, viewer.actor, rra),
            "error": None,
            **_form_context(actions.content(rra)),
        }
    context.update(extra)
    status = int(context.pop("status_code", 200))
    return render(request, "risk_assessment.html", context, user=viewer.user, status_code=status)


@router.get("/risk-assessments/{assessment_id}")
def view_page(request: Request, assessment_id: int) -> Response:
    return _view(request, current_viewer(request), assessment_id)


@router.post("/risk-assessments/{assessment_id}")
async def revise_submit(request: Request, assessment_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = _fields(form)

        def write(session: Session) -> None:
            rra = actions.access(session, viewer.actor, assessment_id)
            actions.revise(session, viewer.actor, rra, fields)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, assessment_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/risk-assessments/{assessment_id}", status_code=303)


@router.post("/risk-assessments/{assessment_id}/sign-off")
async def sign_off_submit(request: Request, assessment_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:

        def write(session: Session) -> None:
            rra = actions.access(session, viewer.actor, assessment_id)
            actions.sign_off(session, viewer.actor, rra)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, assessment_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/risk-assessments/{assessment_id}", status_code=303)


@router.post("/risk-assessments/{assessment_id}/comments")
async def comment_submit(request: Request, assessment_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    body = str(form.get("body", ""))
    try:

        def write(session: Session) -> None:
            rra = actions.access(session, viewer.actor, assessment_id)
            actions.add_comment(session, viewer.actor, rra, body)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, assessment_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/risk-assessments/{assessment_id}#comments", status_code=303)
