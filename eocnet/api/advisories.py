"""Public advisories: draft, review, approve, publish as CAP 1.2, update, cancel;
and importing CAP messages as drafts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import advisories as actions
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.schemas import Id, Input
from eocnet.db.models import Advisory, AdvisoryMessage
from eocnet.queries import advisories as queries

router = APIRouter(tags=["advisories"])

Text = Annotated[str, Field(max_length=20_000)]


class TranslationIn(Input):
    language: str = Field(
        min_length=2, max_length=35, description="BCP 47 tag: en, id, ms, th, vi, zh-Hans ..."
    )
    headline: str = Field(min_length=1, max_length=300)
    body: Text = Field(
        "",
        description="Markdown; raw HTML is not rendered. The CAP <description> is plain text "
        "made from it (no asterisks or other marks)",
    )
    instruction: Text = Field(
        "", description="What people should do (Markdown; plain text in the CAP message)"
    )
    audience: str = Field(
        "", max_length=300, description="CAP audience in this language (empty: the advisory's)"
    )
    area_descriptions: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list,
        max_length=50,
        description="CAP areaDesc of each area in this language, in the order of `areas` "
        "(an empty or missing one: the area's own description)",
    )


class AreaIn(Input):
    description: str = Field("", max_length=300, description="Named after its countries if empty")
    countries: list[Annotated[str, Field(max_length=3)]] = Field(
        default_factory=list, max_length=300, description="ISO 3166-1 alpha-3 codes"
    )
    subdivisions: list[Annotated[str, Field(max_length=10)]] = Field(
        default_factory=list, max_length=500, description="ISO 3166-2 codes, e.g. ID-JK"
    )
    polygons: list[Annotated[str, Field(max_length=100_000)]] = Field(
        default_factory=list,
        max_length=50,
        description="'lat,lon lat,lon ...' (WGS 84), at least 4 pairs; closed if left open",
    )
    circles: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=50, description="'lat,lon radius_km'"
    )


class LinkIn(Input):
    title: str = Field("", max_length=300)
    url: str = Field(max_length=1000)


class AdvisoryIn(Input):
    event_type: str = Field(
        min_length=1, max_length=200, description="What it is about, e.g. 'Dengue outbreak'"
    )
    category: Literal[
        "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
        "Infra", "CBRNE", "Other",
    ] = "Health"  # fmt: skip
    response_type: Literal[
        "", "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
        "AllClear", "None",
    ] = ""  # fmt: skip
    urgency: Literal["Immediate", "Expected", "Future", "Past", "Unknown"] | None = Field(
        None,
        description="CAP urgency, the author's choice: a draft may leave it unset "
        "(null), but it cannot be submitted, approved or published without it",
    )
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"] | None = Field(
        None,
        description="CAP severity; unset (null) until the author chooses",
    )
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"] | None = Field(
        None,
        description="CAP certainty; unset (null) until the author chooses",
    )
    audience: str = Field("", max_length=300)
    cap_status: Literal["Actual", "Exercise", "Test"] = Field(
        "Actual",
        description="CAP status: Actual, or Exercise / Test for regional drills. Drills are "
        "issued as CAP messages but never shown on the public site or in the public feeds",
    )
    scope: Literal["Public", "Restricted"] = Field(
        "Public",
        description="CAP scope: Public, or Restricted (name who may receive it in "
        "`restriction`); Restricted messages never reach the public site or feeds",
    )
    restriction: str = Field(
        "", max_length=300, description="With scope Restricted: who may receive it"
    )
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    translations: list[TranslationIn] = Field(min_length=1, max_length=40)
    areas: list[AreaIn] = Field(min_length=1, max_length=50)
    links: list[LinkIn] = Field(default_factory=list, max_length=20)
    event_id: int | None = Field(None, ge=1, le=2**63 - 1)
    risk_assessment_id: int | None = Field(None, ge=1, le=2**63 - 1)


class MessageOut(BaseModel):
    identifier: str
    msg_type: str = Field(description="CAP msgType: Alert, Update or Cancel")
    sent_at: datetime
    reference: str = Field(description="'sender,identifier,sent' as later messages cite it")
    public: bool = Field(True, description="Actual and Public: on the public site and feeds")
    url: str | None = Field(
        description="Where the public fetches the CAP XML (null for drills and Restricted "
        "messages, which are not public)"
    )


class AdvisoryOut(BaseModel):
    id: int
    status: str = Field(description="draft, in_review, approved, published or cancelled")
    event_type: str
    category: str
    response_type: str
    urgency: str | None = Field(description="null until the author chooses")
    severity: str | None = Field(description="null until the author chooses")
    certainty: str | None = Field(description="null until the author chooses")
    audience: str
    cap_status: str = Field(description="CAP status: Actual, Exercise or Test")
    scope: str = Field(description="CAP scope: Public or Restricted")
    restriction: str
    effective_at: datetime | None
    expires_at: datetime | None
    translations: list[dict[str, Any]]
    areas: list[dict[str, Any]]
    links: list[dict[str, str]]
    event_id: int | None
    risk_assessment_id: int | None
    owner_party: str
    version: int
    review_note: str
    source_reference: str = Field(description="The CAP message it was imported from, if any")
    created_at: datetime
    updated_at: datetime
    messages: list[MessageOut]


class ReasonIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class NoteIn(Input):
    note: str = Field("", max_length=2000)


def _outs(session: Session, rows: Sequence[Advisory]) -> list[AdvisoryOut]:
    """The advisories as answered, with the messages of all of them in one statement."""
    issued = queries.messages_of(session, [a.id for a in rows])
    return [_one(advisory, issued[advisory.id]) for advisory in rows]


def _out(session: Session, advisory: Advisory) -> AdvisoryOut:
    return _outs(session, [advisory])[0]


def _one(advisory: Advisory, issued: list[AdvisoryMessage]) -> AdvisoryOut:
    return AdvisoryOut(
        **{
            name: getattr(advisory, name)
            for name in AdvisoryOut.model_fields
            if name not in ("translations", "messages", "urgency", "severity", "certainty")
        },
        **{name: getattr(advisory, name) or None for name in ("urgency", "severity", "certainty")},
        translations=[
            {
                "language": t.language,
                "headline": t.headline,
                "body": t.body,
                "instruction": t.instruction,
                "audience": t.audience,
                "area_descriptions": list(t.area_descriptions),
            }
            for t in advisory.translations
        ],
        messages=[
            MessageOut(
                identifier=m.identifier,
                msg_type=m.msg_type,
                sent_at=m.sent_at,
                reference=m.reference,
                public=m.public,
                url=f"/public/cap/{m.identifier}.xml" if m.public else None,
            )
            for m in issued
        ],
    )


def _fields(body: AdvisoryIn) -> actions.AdvisoryFields:
    data = body.model_dump()
    for name in ("urgency", "severity", "certainty"):
        data[name] = data[name] or ""  # unset until the author chooses
    return actions.AdvisoryFields(
        **{k: v for k, v in data.items() if k not in ("translations", "areas")},
        translations=[actions.TranslationFields(**t) for t in data["translations"]],
        areas=[actions.AreaFields(**a) for a in data["areas"]],
    )


@router.post(
    "/advisories", status_code=201, response_model=AdvisoryOut, summary="Draft an advisory"
)
def create_advisory(body: AdvisoryIn, actor: CurrentActor, db: DbDep) -> AdvisoryOut:
    """Officers, focal points and the coordinator draft a public advisory in one
    or more languages. Drafts are seen by the drafting party and the coordinator."""

    def job(session: Session) -> AdvisoryOut:
        return _out(session, actions.create(session, actor, _fields(body)))

    return db.run_sync(job)


@router.get("/advisories", response_model=list[AdvisoryOut], summary="Advisories you can see")
def list_advisories(
    actor: CurrentActor,
    db: DbDep,
    status: Annotated[
        Literal["draft", "in_review", "approved", "published", "cancelled"] | None,
        Query(description="Only advisories in this state"),
    ] = None,
) -> list[AdvisoryOut]:
    with db.read() as session:
        return _outs(session, list(session.scalars(queries.advisories(actor, status))))


@router.get("/advisories/{advisory_id}", response_model=AdvisoryOut, summary="An advisory")
def get_advisory(advisory_id: Id, actor: CurrentActor, db: DbDep) -> AdvisoryOut:
    with db.read() as session:
        return _out(session, actions.access(session, actor, advisory_id))


@router.put("/advisories/{advisory_id}", response_model=AdvisoryOut, summary="Edit an advisory")
def edit_advisory(advisory_id: Id, body: AdvisoryIn, actor: CurrentActor, db: DbDep) -> AdvisoryOut:
    """Under review or approved: back to draft. Published: the public keeps the
    published text until the change is submitted, approved and published as a
    CAP Update."""

    def job(session: Session) -> AdvisoryOut:
        advisory = actions.access(session, actor, advisory_id)
        return _out(session, actions.edit(session, actor, advisory, _fields(body)))

    return db.run_sync(job)


@router.post(
    "/advisories/{advisory_id}/submit", response_model=AdvisoryOut, summary="Submit for review"
)
def submit_advisory(advisory_id: Id, actor: CurrentActor, db: DbDep) -> AdvisoryOut:
    def job(session: Session) -> AdvisoryOut:
        advisory = actions.access(session, actor, advisory_id)
        return _out(session, actions.submit(session, actor, advisory))

    return db.run_sync(job)


@router.post("/advisories/{advisory_id}/approve", response_model=AdvisoryOut, summary="Approve")
def approve_advisory(advisory_id: Id, actor: CurrentActor, db: DbDep) -> AdvisoryOut:
    """A focal point of the party that wrote it approves (the coordinator only its own,
    regional, advisories): the party named as the CAP `senderName` issues it."""

    def job(session: Session) -> AdvisoryOut:
        advisory = actions.access(session, actor, advisory_id)
        return _out(session, actions.approve(session, actor, advisory))

    return db.run_sync(job)


@router.post(
    "/advisories/{advisory_id}/return", response_model=AdvisoryOut, summary="Return to draft"
)
def return_advisory(
    advisory_id: Id, actor: CurrentActor, db: DbDep, body: NoteIn | None = None
) -> AdvisoryOut:
    """Send it back to its authors with a note."""

    def job(session: Session) -> AdvisoryOut:
        advisory = actions.access(session, actor, advisory_id)
        note = body.note if body else ""
        return _out(session, actions.return_to_draft(session, actor, advisory, note))

    return db.run_sync(job)


@router.post(
    "/advisories/{advisory_id}/publish",
    response_model=AdvisoryOut,
    summary="Publish as a CAP 1.2 message",
)
def publish_advisory(
    advisory_id: Id, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> AdvisoryOut:
    """Issues a CAP Alert (first publication) or Update (referencing the earlier
    messages), shown on the public site and its feeds."""

    def job(session: Session) -> AdvisoryOut:
        advisory = actions.access(session, actor, advisory_id)
        actions.publish_advisory(session, actor, settings, advisory)
        return _out(session, advisory)

    return db.run_sync(job)


@router.post(
    "/advisories/{advisory_id}/cancel", response_model=AdvisoryOut, summary="Cancel an advisory"
)
def cancel_advisory(
    advisory_id: Id, body: ReasonIn, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> AdvisoryOut:
    """Issues a CAP Cancel referencing the earlier messages, with the reason as its note."""

    def job(session: Session) -> AdvisoryOut:
        advisory = actions.access(session, actor, advisory_id)
        actions.cancel(session, actor, settings, advisory, body.reason)
        return _out(session, advisory)

    return db.run_sync(job)


CAP_BODY = Body(
    media_type="application/cap+xml",
    description="A CAP 1.2 message (application/cap+xml or application/xml)",
)


@router.post(
    "/cap",
    status_code=201,
    response_model=AdvisoryOut,
    summary="Import a CAP 1.2 message as a draft advisory",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/cap+xml": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_cap(request: Request, actor: CurrentActor, db: DbDep) -> AdvisoryOut:
    """The message is checked like `eocnet cap validate` does (schema, the
    standard's rules; DTDs refused). A valid message becomes a draft advisory of
    your party; an invalid one is refused with every problem in `errors`."""
    data = await request.body()

    def write(session: Session) -> AdvisoryOut:
        return _out(session, actions.import_cap(session, actor, data))

    return await db.run(write)


@router.get(
    "/advisories/{advisory_id}/cap-preview",
    summary="The CAP message publishing would issue now",
    response_class=Response,
    responses={200: {"content": {"application/cap+xml": {}}}},
)
def preview_cap(advisory_id: Id, actor: CurrentActor, db: DbDep, settings: SettingsDep) -> Response:
    with db.read() as session:
        advisory = actions.access(session, actor, advisory_id)
        xml = actions.preview(session, settings, advisory)
    return Response(xml, media_type="application/cap+xml")
