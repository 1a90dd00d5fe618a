"""Pages for public advisories: the list, drafting in several languages, review,
approval, publication as CAP 1.2, update and cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from eocnet.actions import advisories as actions
from eocnet.actions.errors import ActionError, Invalid
from eocnet.domain import cap
from eocnet.queries import advisories as queries
from eocnet.render.markdown import to_html
from eocnet.web import forms
from eocnet.web.auth import Viewer, check_csrf, current_viewer, db_of
from eocnet.web.rendering import render, settings_of, zone_of

router = APIRouter(include_in_schema=False)
#: Translation blocks on the form: the existing ones plus this many empty ones.
EMPTY_BLOCKS = 2
MAX_BLOCKS = 40


def _when(form: Any, name: str, zone: ZoneInfo) -> datetime | None:
    return forms.moment(form, name, zone) if forms.text(form, name).strip() else None


def _fields(form: Any, viewer: Viewer) -> actions.AdvisoryFields:
    zone = zone_of(viewer.user)
    translations = []
    for i in range(MAX_BLOCKS):
        language = str(form.get(f"language_{i}") or "").strip()
        headline = str(form.get(f"headline_{i}") or "")
        body = str(form.get(f"body_{i}") or "")
        instruction = str(form.get(f"instruction_{i}") or "")
        audience = str(form.get(f"audience_{i}") or "")
        area_name = str(form.get(f"area_{i}") or "")
        if headline.strip() or body.strip() or instruction.strip():
            translations.append(
                actions.TranslationFields(
                    language,
                    headline,
                    body,
                    instruction,
                    audience,
                    [area_name] if area_name else [],
                )
            )
    area = actions.AreaFields(
        description=forms.text(form, "area_description"),
        countries=forms.codes(form, "countries"),
        subdivisions=forms.codes(form, "subdivisions"),
        polygons=forms.lines(form, "polygons"),
        circles=forms.lines(form, "circles"),
    )

    return actions.AdvisoryFields(
        event_type=str(form.get("event_type") or ""),
        category=str(form.get("category") or "Health"),
        response_type=str(form.get("response_type") or ""),
        urgency=str(form.get("urgency") or ""),
        severity=str(form.get("severity") or ""),
        certainty=str(form.get("certainty") or ""),
        audience=str(form.get("audience") or ""),
        cap_status=str(form.get("cap_status") or "Actual"),
        scope=str(form.get("scope") or "Public"),
        restriction=str(form.get("restriction") or ""),
        effective_at=_when(form, "effective_at", zone),
        expires_at=_when(form, "expires_at", zone),
        translations=translations,
        areas=[area],
        links=forms.links(form, "links"),
        event_id=forms.integer(form, "event_id"),
        risk_assessment_id=forms.integer(form, "risk_assessment_id"),
    )


def _values_of(advisory: Any, zone: ZoneInfo) -> dict[str, Any]:
    area = advisory.areas[0] if advisory.areas else {}

    def local(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if value else ""

    return {
        "event_type": advisory.event_type,
        "category": advisory.category,
        "response_type": advisory.response_type,
        "urgency": advisory.urgency,
        "severity": advisory.severity,
        "certainty": advisory.certainty,
        "audience": advisory.audience,
        "cap_status": advisory.cap_status,
        "scope": advisory.scope,
        "restriction": advisory.restriction,
        "effective_at": local(advisory.effective_at),
        "expires_at": local(advisory.expires_at),
        "area_description": area.get("description", ""),
        "countries": " ".join(area.get("countries", [])),
        "subdivisions": " ".join(area.get("subdivisions", [])),
        "polygons": "\n".join(area.get("polygons", [])),
        "circles": "\n".join(area.get("circles", [])),
        "links": "\n".join(f"{link['title']} | {link['url']}" for link in advisory.links),
        "event_id": advisory.event_id or "",
        "risk_assessment_id": advisory.risk_assessment_id or "",
        "translations": [
            {
                "language": t.language,
                "headline": t.headline,
                "body": t.body,
                "instruction": t.instruction,
                "audience": t.audience,
                "area": (t.area_descriptions or [""])[0],
            }
            for t in advisory.translations
        ],
    }


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) for k, v in form.items()}
    values["translations"] = [
        {
            "language": values.get(f"language_{i}", ""),
            "headline": values.get(f"headline_{i}", ""),
            "body": values.get(f"body_{i}", ""),
            "instruction": values.get(f"instruction_{i}", ""),
            "audience": values.get(f"audience_{i}", ""),
            "area": values.get(f"area_{i}", ""),
        }
        for i in range(MAX_BLOCKS)
        if values.get(f"headline_{i}") or values.get(f"body_{i}")
    ]
    return values


def _vocabularies(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    blocks = list(values.get("translations") or [])
    if not blocks:
        tags = dict.fromkeys(["en", *(viewer.user.party.languages or [])])
        blocks = [{"language": t} for t in tags]
    blocks += [{"language": ""} for _ in range(EMPTY_BLOCKS)]
    return {
        "values": values,
        "blocks": blocks[:MAX_BLOCKS],
        "urgencies": cap.URGENCY,
        "severities": cap.SEVERITY,
        "certainties": cap.CERTAINTY,
        "categories": cap.CATEGORY,
        "response_types": cap.RESPONSE_TYPE,
    }


def _rows(session: Any, items: list[Any]) -> list[dict[str, Any]]:
    last = queries.last_messages(session, [a.id for a in items])
    return [
        {
            "advisory": a,
            "headline": a.translations[0].headline if a.translations else "",
            "languages": [t.language for t in a.translations],
            "pending": actions.differs_from(a, last.get(a.id)),
        }
        for a in items
    ]


@router.get("/advisories")
def list_page(request: Request, status: str = "") -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        rows = _rows(session, list(session.scalars(queries.advisories(viewer.actor, status))))
    return render(
        request,
        "advisories.html",
        {
            "rows": rows,
            "status": status,
            "can_draft": not viewer.actor.is_partner and viewer.actor.scope == "write",
        },
        user=viewer.user,
    )


@router.post("/advisories/import")
async def import_submit(request: Request) -> Response:
    """A CAP 1.2 file uploaded on the list page becomes a draft advisory."""
    viewer = current_viewer(request)
    async with request.form() as form:  # closes the uploaded file's temporary copy
        check_csrf(request, str(form.get("csrf_token", "")))
        upload = form.get("file")
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
    try:
        if not data:
            raise Invalid("choose a CAP file to import", field="file")
        advisory_id = await db_of(request).run(
            lambda session: actions.import_cap(session, viewer.actor, data).id
        )
    except ActionError as exc:
        with db_of(request).read() as session:
            rows = _rows(session, list(session.scalars(queries.advisories(viewer.actor))))
        return render(
            request,
            "advisories.html",
            {
                "rows": rows,
                "status": "",
                "can_draft": True,
                "import_error": exc.detail,
                "import_problems": [e["detail"] for e in exc.errors or []],
            },
            user=viewer.user,
            status_code=exc.status,
        )
    return RedirectResponse(f"/advisories/{advisory_id}", status_code=303)


@router.get("/advisories/new")
def new_page(request: Request, event_id: str = "", risk_assessment_id: str = "") -> Response:
    viewer = current_viewer(request)
    values = {
        "category": "Health",
        "event_id": event_id,
        "risk_assessment_id": risk_assessment_id,
        "countries": viewer.actor.party_code if viewer.actor.party_kind == "member" else "",
    }
    return render(
        request,
        "advisory_form.html",
        {"advisory": None, "error": None, **_vocabularies(values, viewer)},
        user=viewer.user,
    )


@router.post("/advisories")
async def create_submit(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = _fields(form, viewer)
        advisory_id = await db_of(request).run(
            lambda session: actions.create(session, viewer.actor, fields).id
        )
    except ActionError as exc:
        return render(
            request,
            "advisory_form.html",
            {
                "advisory": None,
                "error": exc.detail,
                "error_field": exc.field,
                **_vocabularies(_form_values(form), viewer),
            },
            user=viewer.user,
            status_code=exc.status,
        )
    return RedirectResponse(f"/advisories/{advisory_id}", status_code=303)


def _view(request: Request, viewer: Viewer, advisory_id: int, **extra: Any) -> Response:
    with db_of(request).read() as session:
        advisory = actions.access(session, viewer.actor, advisory_id)
        actor = viewer.actor
        status = advisory.status
        context: dict[str, Any] = {
            "advisory": advisory,
            "translations": [
                {
                    "language": t.language,
                    "headline": t.headline,
                    "body": to_html(t.body),
                    "instruction": t.instruction,
                }
                for t in advisory.translations
            ],
            "messages": actions.messages(session, advisory.id),
            "pending": actions.pending_update(session, advisory),
            "can_edit": actions.may_edit(actor, advisory),
            "can_approve": actions.may_approve(actor, advisory),
            "error": None,
            **_vocabularies(_values_of(advisory, zone_of(viewer.user)), viewer),
        }
        context["can_submit"] = actions.may_edit(actor, advisory) and (
            status == "draft" or (status == "published" and context["pending"])
        )
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "advisory.html", context, user=viewer.user, status_code=code)


@router.get("/advisories/{advisory_id}")
def view_page(request: Request, advisory_id: int) -> Response:
    return _view(request, current_viewer(request), advisory_id)


@router.post("/advisories/{advisory_id}")
async def edit_submit(request: Request, advisory_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        fields = _fields(form, viewer)

        def write(session: Session) -> None:
            advisory = actions.access(session, viewer.actor, advisory_id)
            actions.edit(session, viewer.actor, advisory, fields)

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(
            request,
            viewer,
            advisory_id,
            error=exc.detail,
            status_code=exc.status,
            **_vocabularies(_form_values(form), viewer),
        )
    return RedirectResponse(f"/advisories/{advisory_id}", status_code=303)


@router.post("/advisories/{advisory_id}/{step}")
async def step_submit(request: Request, advisory_id: int, step: str) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    settings = settings_of(request)
    try:
        if step not in ("submit", "approve", "return", "publish", "cancel"):
            return Response(status_code=404)

        def write(session: Session) -> None:
            advisory = actions.access(session, viewer.actor, advisory_id)
            actor = viewer.actor
            if step == "submit":
                actions.submit(session, actor, advisory)
            elif step == "approve":
                actions.approve(session, actor, advisory)
            elif step == "return":
                actions.return_to_draft(session, actor, advisory, str(form.get("note") or ""))
            elif step == "publish":
                actions.publish_advisory(session, actor, settings, advisory)
            elif step == "cancel":
                actions.cancel(session, actor, settings, advisory, str(form.get("reason") or ""))

        await db_of(request).run(write)
    except ActionError as exc:
        return _view(request, viewer, advisory_id, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/advisories/{advisory_id}", status_code=303)
