"""Rapid risk assessments of events (WHO 2012 approach): draft, revise, sign off,
read the revisions, and export as HTML or PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import events as event_actions
from eocnet.actions import risk_assessments as actions
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import Id, Input
from eocnet.domain import risk_assessment as rules
from eocnet.queries import risk_assessments as queries

router = APIRouter(tags=["risk assessments"])

Likelihood = Literal["very_unlikely", "unlikely", "likely", "highly_likely", "almost_certain"]
Consequences = Literal["minimal", "minor", "moderate", "major", "severe"]
Text = Annotated[str, Field(max_length=20_000)]


RiskLevel = Literal["low", "moderate", "high", "very_high"]


class LevelIn(Input):
    question: str = Field("", max_length=2_000, description="The risk question at this level")
    likelihood: Likelihood
    consequences: Consequences
    confidence: Literal["low", "moderate", "high"]
    risk_level_override: RiskLevel | None = None
    override_justification: Text = ""


class LevelsIn(Input):
    national: LevelIn | None = Field(None, description="The risk to the affected country")
    global_: LevelIn | None = Field(None, alias="global", description="The risk globally")


class LevelOut(BaseModel):
    scale: str = Field(description="national, regional or global")
    question: str
    likelihood: str
    consequences: str
    confidence: str
    matrix_risk_level: str
    risk_level_override: str | None
    override_justification: str
    risk_level: str


class AssessmentIn(Input):
    title: str = Field(min_length=1, max_length=300)
    hazard_assessment: Text = ""
    exposure_assessment: Text = ""
    context_assessment: Text = ""
    likelihood: Likelihood
    consequences: Consequences
    confidence: Literal["low", "moderate", "high"]
    uncertainties: Text = ""
    recommendations: Text = ""
    sharing: Literal["network", "partners"] = Field(
        "network", description="Who sees it once signed off (never wider than the event)"
    )
    risk_level_override: Literal["low", "moderate", "high", "very_high"] | None = Field(
        None,
        description="The assessors' overall risk when it differs from the matrix cell; "
        "the cell is kept beside it (matrix_risk_level)",
    )
    override_justification: Text = Field(
        "", description="Why the overall risk differs from the matrix (required with an override)"
    )
    risk_question: str = Field(
        "", max_length=2_000, description="The risk question the main (regional) fields answer"
    )
    levels: LevelsIn = Field(
        default_factory=LevelsIn,
        description="The risk at the national and global levels, each with its own "
        "likelihood, consequences, confidence and optional override; the main fields "
        "are the regional risk",
    )


class AssessmentOut(BaseModel):
    id: int
    event_id: int
    title: str
    hazard_assessment: str
    exposure_assessment: str
    context_assessment: str
    likelihood: str
    consequences: str
    risk_level: str = Field(
        description="The overall risk (low, moderate, high, very_high): the override if "
        "the assessors gave one, else the WHO risk matrix cell"
    )
    matrix_risk_level: str = Field(description="The WHO risk matrix cell, always kept")
    risk_level_override: str | None = Field(description="The assessors' override, or null")
    override_justification: str
    risk_question: str
    levels: list[LevelOut] = Field(
        description="The risk at each level assessed: national (if assessed), regional "
        "(the main fields) and global (if assessed)"
    )
    confidence: str
    uncertainties: str
    recommendations: str
    sharing: str
    status: str = Field(description="draft or signed_off")
    version: int
    owner_party: str
    created_at: datetime
    updated_at: datetime
    signed_off_at: datetime | None


class RevisionOut(BaseModel):
    version: int
    status: str
    author_id: int
    created_at: datetime
    content: dict[str, Any]
    changes: list[dict[str, str]] = Field(description="Fields changed since the revision before")


def _out(rra: Any) -> AssessmentOut:
    data = {name: getattr(rra, name) for name in AssessmentOut.model_fields if name != "levels"}
    data["risk_level_override"] = data["risk_level_override"] or None
    data["levels"] = [
        {**level, "risk_level_override": level["risk_level_override"] or None}
        for level in rules.by_scale(rra)
    ]
    return AssessmentOut.model_validate(data)


def _fields(body: AssessmentIn) -> actions.AssessmentFields:
    data = body.model_dump(exclude={"levels"})
    data["risk_level_override"] = data["risk_level_override"] or ""
    levels = {
        scale: actions.LevelFields(
            **{**level.model_dump(), "risk_level_override": level.risk_level_override or ""}
        )
        for scale, level in (("national", body.levels.national), ("global", body.levels.global_))
        if level is not None
    }
    return actions.AssessmentFields(**data, levels=levels)


@router.post(
    "/events/{event_id}/risk-assessments",
    status_code=201,
    response_model=AssessmentOut,
    summary="Draft a rapid risk assessment",
)
def create_assessment(
    event_id: Id, body: AssessmentIn, actor: CurrentActor, db: DbDep
) -> AssessmentOut:
    """Officers, focal points and the coordinator draft an assessment of an
    event they can see. The overall risk follows from the WHO risk matrix.
    Drafts are seen by the drafting party and the coordinator only."""

    def job(session: Session) -> AssessmentOut:
        return _out(actions.create(session, actor, event_id, _fields(body)))

    return db.run_sync(job)


@router.get(
    "/events/{event_id}/risk-assessments",
    response_model=list[AssessmentOut],
    summary="The risk assessments of an event",
)
def list_assessments(event_id: Id, actor: CurrentActor, db: DbDep) -> list[AssessmentOut]:
    with db.read() as session:
        event_actions.access_event(session, actor, event_id)
        return [_out(r) for r in session.scalars(queries.risk_assessments(actor, event_id))]


@router.get(
    "/risk-assessments/{assessment_id}", response_model=AssessmentOut, summary="A risk assessment"
)
def get_assessment(assessment_id: Id, actor: CurrentActor, db: DbDep) -> AssessmentOut:
    with db.read() as session:
        return _out(actions.access(session, actor, assessment_id))


@router.put(
    "/risk-assessments/{assessment_id}",
    response_model=AssessmentOut,
    summary="Revise a risk assessment",
)
def revise_assessment(
    assessment_id: Id, body: AssessmentIn, actor: CurrentActor, db: DbDep
) -> AssessmentOut:
    """A new version (the earlier ones stay in the revisions). A signed-off
    assessment that changes becomes a draft again and needs a new sign-off."""

    def job(session: Session) -> AssessmentOut:
        rra = actions.access(session, actor, assessment_id)
        return _out(actions.revise(session, actor, rra, _fields(body)))

    return db.run_sync(job)


@router.post(
    "/risk-assessments/{assessment_id}/sign-off",
    response_model=AssessmentOut,
    summary="Sign off a risk assessment",
)
def sign_off_assessment(assessment_id: Id, actor: CurrentActor, db: DbDep) -> AssessmentOut:
    """The network's coordinator signs off the current version; it is then
    shared as chosen and announced on the live stream."""

    def job(session: Session) -> AssessmentOut:
        rra = actions.access(session, actor, assessment_id)
        return _out(actions.sign_off(session, actor, rra))

    return db.run_sync(job)


@router.get(
    "/risk-assessments/{assessment_id}/revisions",
    response_model=list[RevisionOut],
    summary="Every saved version, with what changed",
)
def assessment_revisions(assessment_id: Id, actor: CurrentActor, db: DbDep) -> list[RevisionOut]:
    with db.read() as session:
        rra = actions.access(session, actor, assessment_id)
        return [
            RevisionOut(
                version=rev.version,
                status=rev.status,
                author_id=rev.author_id,
                created_at=rev.created_at,
                content=rev.content,
                changes=[{"field": f, "before": b, "after": a} for f, b, a in changes],
            )
            for rev, changes in actions.history(session, rra)
        ]


class CommentIn(Input):
    body: str = Field(min_length=1, max_length=10_000, description="The comment (plain text)")


class CommentOut(BaseModel):
    id: int
    party: str = Field(description="The commenting party (WHO, a dialogue partner, ...)")
    author: str
    body: str
    version: int = Field(description="The version of the assessment commented on")
    created_at: datetime


@router.get(
    "/risk-assessments/{assessment_id}/comments",
    response_model=list[CommentOut],
    summary="Comments on a risk assessment",
)
def list_comments(assessment_id: Id, actor: CurrentActor, db: DbDep) -> list[CommentOut]:
    """Everyone who sees the assessment reads its comments, oldest first."""
    with db.read() as session:
        rra = actions.access(session, actor, assessment_id)
        return [CommentOut(**c) for c in actions.comments(session, rra)]


@router.post(
    "/risk-assessments/{assessment_id}/comments",
    status_code=201,
    response_model=CommentOut,
    summary="Comment on a risk assessment",
)
def add_comment(assessment_id: Id, body: CommentIn, actor: CurrentActor, db: DbDep) -> CommentOut:
    """WHO, the dialogue partners and the other parties a signed-off assessment is shared
    with contribute comments; on a draft, only its drafters (the drafting party and the
    coordinator). A comment changes nothing in the assessment: sign-off stays with the
    coordinator. 403 for an account without an officer, focal point, coordinator or
    partner role; 404 for those who do not see the assessment."""

    def job(session: Session) -> CommentOut:
        rra = actions.access(session, actor, assessment_id)
        row = actions.add_comment(session, actor, rra, body.body)
        [out] = [c for c in actions.comments(session, rra) if c["id"] == row.id]
        return CommentOut(**out)

    return db.run_sync(job)


@router.get(
    "/risk-assessments/{assessment_id}/document.{fmt}",
    summary="The assessment as a document (HTML or PDF)",
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
    response_class=Response,
)
def assessment_document(
    assessment_id: Id,
    fmt: Literal["html", "pdf"],
    actor: CurrentActor,
    db: DbDep,
    lang: Annotated[Literal["en", "id"], Query(description="Language of the document")] = "en",
) -> Response:
    """A clean document of the current version, in English or Bahasa
    Indonesia (the headings; the text is as written)."""
    from eocnet.render.documents import html_to_pdf, risk_assessment_html

    with db.read() as session:
        rra = actions.access(session, actor, assessment_id)
        html = risk_assessment_html(session, rra, lang)
    if fmt == "html":
        return HTMLResponse(html)
    name = f"risk-assessment-{assessment_id}-v{rra.version}.pdf"
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
