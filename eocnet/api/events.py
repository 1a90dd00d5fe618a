"""Events and alerts: post, list, change, acknowledge, threaded updates, IHR assessment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eocnet.actions import channels as channel_actions
from eocnet.actions import events as actions
from eocnet.actions.errors import Invalid, NotFound
from eocnet.api.channels import ChannelOut, channel_out
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.files import upload_of
from eocnet.api.idempotency import respond_once
from eocnet.api.schemas import MAX_ID, Id, Input
from eocnet.db.database import Database
from eocnet.db.models import Attachment, Event, EventRevision, EventUpdate, IhrAssessment
from eocnet.domain import ihr_annex2
from eocnet.domain.actors import Actor
from eocnet.domain.events import AlertCriterion
from eocnet.httpkit.files import download as download_file
from eocnet.queries import events as queries

router = APIRouter(tags=["events"])

Status = Literal["signal", "verified", "ongoing", "closed", "discarded"]
SeverityT = Literal["low", "moderate", "high", "very_high"]
Count = Annotated[int, Field(ge=0, le=100_000_000)]


class Figures(Input):
    cases_suspected: Count | None = None
    cases_probable: Count | None = None
    cases_confirmed: Count | None = None
    deaths_suspected: Count | None = None
    deaths_probable: Count | None = None
    deaths_confirmed: Count | None = None

    def given(self) -> dict[str, int]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class EventCreate(Input):
    title: str = Field(min_length=1, max_length=300)
    hazard: str = Field(min_length=1, max_length=200, description="Disease or agent")
    country: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code")
    summary: str = Field("", max_length=20_000)
    visibility: Literal["network", "partners", "restricted"] = Field(
        "network",
        description="network: member states and coordinator; partners: also "
        "dialogue partners; restricted: only the listed parties",
    )
    parties: list[Annotated[str, Field(pattern=r"^[A-Z]{3,8}$")]] = Field(
        default_factory=list,
        max_length=50,
        description="Party codes that may see a restricted event (or are named in any event)",
    )
    alert: bool = Field(False, description="Post as an alert: acknowledgements are tracked")
    alert_reasons: list[AlertCriterion] = Field(
        default_factory=list,
        description="Why this is an alert (required for alerts): at least one of "
        "may_spread_to_other_countries, may_need_coordinated_response, together with "
        "serious or unusual_or_unexpected (Regulation (EU) 2022/2371 Art. 19(1))",
    )
    icd_code: str = Field("", max_length=20)
    subdivision: str = Field("", max_length=10, description="ISO 3166-2 code, e.g. ID-JK")
    place: str = Field("", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    onset_date: date | None = None
    detection_date: date | None = None
    report_date: date | None = None
    measures: str = Field("", max_length=20_000)
    needs: str = Field("", max_length=20_000)
    status: Status = "signal"
    severity: SeverityT = "moderate"
    figures: Figures = Field(default_factory=Figures)


def _keep_unless_given(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # left out: unchanged; the value itself is never null


def _required(**constraints: Any) -> Any:
    """A field the event always has: leave it out to keep it; null is refused (422)."""
    return Field(None, json_schema_extra=_keep_unless_given, **constraints)


class EventPatch(Input):
    """Only the fields given change. Text an event may lack (ICD code, subdivision,
    place, summary, measures, needs) and the dates are cleared with null or "";
    title, hazard, country, status and severity cannot be null."""

    version: int | None = Field(None, description="The version you edited; 409 if it changed")
    title: str = _required(min_length=1, max_length=300)
    hazard: str = _required(min_length=1, max_length=200)
    icd_code: str | None = Field(None, max_length=20)
    country: str = _required(pattern=r"^[A-Z]{3}$")
    subdivision: str | None = Field(None, max_length=10)
    place: str | None = Field(None, max_length=300)
    summary: str | None = Field(None, max_length=20_000)
    measures: str | None = Field(None, max_length=20_000)
    needs: str | None = Field(None, max_length=20_000)
    status: Status = _required()
    severity: SeverityT = _required()
    onset_date: date | None = None
    detection_date: date | None = None
    figures: Figures | None = None


class Ack(BaseModel):
    party: str
    user: str
    at: datetime


class Article9Out(BaseModel):
    party: str = Field(description="The member state under the duty of Article 9.2")
    why: str = Field(description="What on the event shows a risk outside its territory")
    since: datetime = Field(
        description="When the evidence was received (the event posted, or the tracing notice sent)"
    )
    due: datetime = Field(description="since + 24 hours")
    tracing_notice_id: int | None
    informed_at: datetime | None = Field(
        description="When the party recorded that WHO was informed; null while it has not"
    )
    informed_by: str | None
    note: str


class Article9In(Input):
    note: str = Field("", max_length=2000, description="How and to whom WHO was informed")


class EventOut(BaseModel):
    id: int
    title: str
    hazard: str
    icd_code: str
    country: str
    subdivision: str
    place: str
    latitude: float | None
    longitude: float | None
    onset_date: date | None
    detection_date: date | None
    report_date: date | None
    cases_suspected: int
    cases_probable: int
    cases_confirmed: int
    deaths_suspected: int
    deaths_probable: int
    deaths_confirmed: int
    summary: str
    measures: str
    needs: str
    status: str
    severity: str
    alert: bool
    alert_reasons: list[str]
    visibility: str
    parties: list[str]
    addressed: list[str] = Field(description="Parties expected to acknowledge")
    owner_party: str
    created_by: int
    created_at: datetime
    updated_at: datetime
    version: int
    ihr_deadline: datetime | None = Field(
        description="When notification to WHO is due (IHR Article 6.1: 24 hours from the "
        "first notifiable Annex 2 assessment)"
    )
    ihr_notified_at: datetime | None
    ihr_assessed_at: datetime | None = Field(
        None, description="When the party first recorded an Annex 2 assessment"
    )
    assessment_due: datetime | None = Field(
        None,
        description="When the Annex 2 assessment is due (IHR Annex 1 A.6(a)/B.1: 48 hours "
        "from the event's detection or report); null once an assessment is recorded or the "
        "event is closed or discarded",
    )
    article9: list[Article9Out] | None = Field(
        None,
        description="IHR Article 9.2 (one event only, GET /events/{id}): the parties this "
        "event shows a risk outside their territory to, who should inform WHO within 24 "
        "hours, and whether they recorded that they did",
    )
    acknowledgements: list[Ack]
    pending_acknowledgements: list[str] = Field(
        default_factory=list, description="Addressed parties that have not acknowledged"
    )


class EventPage(BaseModel):
    items: list[EventOut]
    next_before_id: int | None


class AttachmentIn(Input):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(max_length=100)
    data_base64: str = Field(description="The file, base64-encoded")


class UpdateCreate(Input):
    body: str = Field("", max_length=50_000)
    figures: Figures = Field(default_factory=Figures)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)


class UpdateEdit(Input):
    body: str = Field(min_length=1, max_length=50_000)


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class UpdateOut(BaseModel):
    id: int
    event_id: Id
    author: str
    party: str
    body: str
    figures: dict[str, int]
    created_at: datetime
    edited_at: datetime | None
    attachments: list[AttachmentOut]
    revisions: int = Field(description="How many earlier versions the text has")


class RevisionOut(BaseModel):
    version: int
    changed_by: int
    changed_at: datetime
    snapshot: dict[str, Any]


class Annex2In(Input):
    disease: str | None = Field(None, max_length=200, description="Disease, if known")
    serious: bool | None = Field(None, description="I. Is the public health impact serious?")
    unusual: bool | None = Field(None, description="II. Is the event unusual or unexpected?")
    international_spread: bool | None = Field(
        None, description="III. Is there a significant risk of international spread?"
    )
    trade_restrictions: bool | None = Field(
        None,
        description="IV. Is there a significant risk of international travel or "
        "trade restrictions?",
    )
    answers: dict[str, bool] = Field(
        default_factory=dict,
        description="Sub-questions by key: " + ", ".join(ihr_annex2.SUB_ANSWER_KEYS),
    )
    novel_influenza_subtype: bool | None = Field(
        None, description=ihr_annex2.QUESTIONS[ihr_annex2.Question.NOVEL_INFLUENZA]
    )
    wild_poliovirus: bool | None = Field(
        None, description=ihr_annex2.QUESTIONS[ihr_annex2.Question.WILD_POLIOVIRUS]
    )
    smallpox: bool | None = Field(
        None, description=ihr_annex2.QUESTIONS[ihr_annex2.Question.SMALLPOX]
    )
    sars: bool | None = Field(None, description=ihr_annex2.QUESTIONS[ihr_annex2.Question.SARS])

    def questions(self) -> dict[ihr_annex2.Question, bool | None]:
        return {q: getattr(self, q.value) for q in ihr_annex2.Question}


class FollowUpOut(BaseModel):
    key: str = Field(description="The input field that answers it")
    text: str
    why: str


class Annex2Out(BaseModel):
    notifiable: bool
    rule: str = Field(
        description="always_notifiable, two_of_four_criteria or fewer_than_two_criteria"
    )
    reason: str
    disease: str | None
    disease_group: str
    criteria: dict[str, bool]
    deadline_hours: int | None = Field(description="Hours from assessment to notify WHO")
    questions: dict[str, bool] = Field(
        default_factory=dict,
        description="The four always-notifiable questions as answered "
        "(novel_influenza_subtype, wild_poliovirus, smallpox, sars)",
    )
    recognised_by: Literal["answer", "disease_text"] | None = Field(
        None,
        description="How an always-notifiable disease was recognised: an explicit answer, "
        "or the disease named (a hint that an explicit no overrides)",
    )
    recognised_term: str | None = Field(None, description="The words recognised")
    follow_up: list[FollowUpOut] = Field(
        default_factory=list, description="Questions still to answer, and why they matter"
    )
    flowchart_differs: bool = Field(
        False,
        description="Criteria III and IV alone: notifiable under the Annex 2 text (any two "
        "of the four), while the flowchart read box by box would not notify",
    )


class AssessmentOut(Annex2Out):
    id: int
    event_id: Id
    kind: Literal["assessment", "suggestion"] = Field(
        "assessment",
        description="assessment: the event's own party's (IHR Article 6); suggestion: the "
        "coordinator's or another party's, which starts no clock",
    )
    party: str = Field("", description="The party that recorded it")
    assessed_at: datetime
    deadline: datetime | None


def event_out(event: Event) -> EventOut:
    data = actions.event_data(event)
    acked = {a["party"] for a in data["acknowledgements"]}
    data["pending_acknowledgements"] = [p for p in event.addressed if p not in acked]
    return EventOut(**data)


def _fields(body: EventCreate) -> actions.EventFields:
    return actions.EventFields(
        title=body.title,
        hazard=body.hazard,
        country=body.country,
        summary=body.summary,
        visibility=body.visibility,
        parties=list(body.parties),
        alert=body.alert,
        alert_reasons=[r.value for r in body.alert_reasons],
        icd_code=body.icd_code,
        subdivision=body.subdivision,
        place=body.place,
        latitude=body.latitude,
        longitude=body.longitude,
        onset_date=body.onset_date,
        detection_date=body.detection_date,
        report_date=body.report_date,
        measures=body.measures,
        needs=body.needs,
        status=body.status,
        severity=body.severity,
        figures=body.figures.given(),
    )


@router.post("/events", status_code=201, response_model=EventOut, summary="Post an event or alert")
async def post_event(
    request: Request,
    body: EventCreate,
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Post a health event. With `alert: true` every addressed party is expected to
    acknowledge it, and is reminded until it does. An alert needs a cross-border reason
    (`may_spread_to_other_countries` or `may_need_coordinated_response`) and `serious`
    or `unusual_or_unexpected` (Regulation (EU) 2022/2371 Art. 19(1)); otherwise 422
    naming `alert_reasons` (post it with `alert: false` as information). Send an
    `Idempotency-Key` header to make retries safe."""
    fields, fingerprint = _fields(body), body.model_dump_json()

    def write(session: Session) -> JSONResponse:
        def produce() -> tuple[int, Any]:
            event = actions.insert_event(session, actor, fields, settings)
            return 201, event_out(event).model_dump(mode="json")

        return respond_once(request, session, actor, fingerprint, produce)

    return await db.run(write)


@router.get("/events", response_model=EventPage, summary="List events")
def list_events(
    actor: CurrentActor,
    db: DbDep,
    status: Status | None = None,
    country: str | None = Query(None, pattern=r"^[A-Z]{3}$"),
    hazard: str | None = Query(None, max_length=200, description="Hazard contains this text"),
    alert: bool | None = None,
    since: datetime | None = Query(None, description="Reported on or after (ISO 8601)"),
    until: datetime | None = Query(None, description="Reported before (ISO 8601)"),
    before_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Paging: events older than this id"
    ),
    limit: int = Query(50, ge=1, le=200),
) -> EventPage:
    """Events the caller's party may see, newest first."""
    with db.read() as session:
        query = queries.events(
            actor,
            status=status,
            country=country,
            hazard=hazard,
            alert=alert,
            since=since,
            until=until,
            before_id=before_id,
            limit=limit,
        )
        rows = session.scalars(query).all()
        return EventPage(
            items=[event_out(e) for e in rows],
            next_before_id=rows[-1].id if len(rows) == limit else None,
        )


@router.get("/events/{event_id}", response_model=EventOut, summary="One event")
def get_event(event_id: Id, actor: CurrentActor, db: DbDep) -> EventOut:
    """The event with who has acknowledged it and who has not. 404 if your party may not
    see it."""
    with db.read() as session:
        event = actions.access_event(session, actor, event_id)
        out = event_out(event)
        out.article9 = _article9(session, actor, event)
        return out


def _article9(session: Session, actor: Actor, event: Event) -> list[Article9Out]:
    return [Article9Out(**d) for d in actions.article9_data(session, actor, event)]


@router.patch("/events/{event_id}", response_model=EventOut, summary="Change an event")
def patch_event(event_id: Id, body: EventPatch, actor: CurrentActor, db: DbDep) -> EventOut:
    """Change fields or move the status (signal → verified → ongoing → closed, or
    discarded). The previous state is kept (see /revisions)."""
    changes = body.model_dump(exclude_unset=True, exclude={"version", "figures"})
    if body.figures is not None:
        changes.update(body.figures.given())

    def job(session: Session) -> EventOut:
        event = actions.access_event(session, actor, event_id)
        actions.update_event(session, actor, event, changes, expected_version=body.version)
        return event_out(event)

    return db.run_sync(job)


@router.get(
    "/events/{event_id}/revisions",
    response_model=list[RevisionOut],
    summary="Earlier versions of an event",
)
def event_revisions(event_id: Id, actor: CurrentActor, db: DbDep) -> list[RevisionOut]:
    with db.read() as session:
        actions.access_event(session, actor, event_id)
        rows = session.execute(
            select(EventRevision)
            .where(EventRevision.event_id == event_id)
            .order_by(EventRevision.version)
        ).scalars()
        return [
            RevisionOut(
                version=r.version,
                changed_by=r.changed_by,
                changed_at=r.changed_at,
                snapshot=r.snapshot,
            )
            for r in rows
        ]


@router.post(
    "/events/{event_id}/acknowledgements",
    status_code=201,
    response_model=Ack,
    summary="Acknowledge an event for your party",
)
async def acknowledge(event_id: Id, actor: CurrentActor, db: DbDep) -> Ack:
    """Idempotent per party: acknowledging again returns the first acknowledgement."""

    def write(session: Session) -> Ack:
        ack, _ = actions.acknowledge_by_id(session, actor, event_id)
        return Ack(party=ack.party_code, user=ack.user_email, at=ack.at)

    return await db.run(write)


def update_out(update: EventUpdate) -> UpdateOut:
    return UpdateOut(**actions.update_data(update))


@router.get(
    "/events/{event_id}/updates", response_model=list[UpdateOut], summary="The thread of updates"
)
def list_updates(event_id: Id, actor: CurrentActor, db: DbDep) -> list[UpdateOut]:
    with db.read() as session:
        actions.access_event(session, actor, event_id)
        rows = session.execute(
            select(EventUpdate)
            .options(
                selectinload(EventUpdate.attachments),
                selectinload(EventUpdate.revisions),
                selectinload(EventUpdate.author),
            )
            .where(EventUpdate.event_id == event_id)
            .order_by(EventUpdate.id)
        ).scalars()
        return [update_out(u) for u in rows]


@router.post(
    "/events/{event_id}/updates",
    status_code=201,
    response_model=UpdateOut,
    summary="Post an update",
)
def post_update(
    request: Request,
    event_id: Id,
    body: UpdateCreate,
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Text, changed figures (which update the event) and attachments (PDF, images, CSV or
    text; type checked from the content; see EOCNET_ATTACHMENT_MAX_BYTES)."""
    uploads = [
        upload_of(item, field=f"attachments.{i}.data_base64")
        for i, item in enumerate(body.attachments)
    ]

    def job(session: Session) -> JSONResponse:

        def produce() -> tuple[int, Any]:
            event = actions.access_event(session, actor, event_id)
            update = actions.post_update(
                session, actor, event, body.body, body.figures.given(), uploads, settings
            )
            return 201, update_out(update).model_dump(mode="json")

        return respond_once(request, session, actor, body.model_dump_json(), produce)

    return db.run_sync(job)


@router.patch(
    "/events/{event_id}/updates/{update_id}", response_model=UpdateOut, summary="Edit your update"
)
def edit_update(
    event_id: Id, update_id: Id, body: UpdateEdit, actor: CurrentActor, db: DbDep
) -> UpdateOut:
    """The earlier text is kept as a revision."""

    def job(session: Session) -> UpdateOut:
        event = actions.access_event(session, actor, event_id)
        update = session.get(EventUpdate, update_id)
        if update is None or update.event_id != event.id:
            raise NotFound(f"no update {update_id}")
        return update_out(actions.edit_update(session, actor, event, update, body.body))

    return db.run_sync(job)


@router.get(
    "/events/{event_id}/updates/{update_id}/attachments/{attachment_id}",
    summary="Download an attachment",
    response_class=Response,
)
def download(
    event_id: Id, update_id: Id, attachment_id: Id, actor: CurrentActor, db: DbDep
) -> Response:
    with db.read() as session:
        actions.access_event(session, actor, event_id)
        item = session.get(Attachment, attachment_id)
        update = session.get(EventUpdate, update_id)
        if (
            item is None
            or update is None
            or item.update_id != update_id
            or update.event_id != event_id
        ):
            raise NotFound(f"no attachment {attachment_id}")
        return download_file(item)


def _criteria(body: Annex2In) -> dict[ihr_annex2.Criterion, bool | None]:
    return {
        ihr_annex2.Criterion.SERIOUS: body.serious,
        ihr_annex2.Criterion.UNUSUAL: body.unusual,
        ihr_annex2.Criterion.SPREAD: body.international_spread,
        ihr_annex2.Criterion.RESTRICTIONS: body.trade_restrictions,
    }


def _annex2(body: Annex2In) -> ihr_annex2.Assessment:
    explicit = _criteria(body)
    try:
        return ihr_annex2.assess(body.disease, explicit, body.answers, body.questions())
    except ihr_annex2.AnswerError as exc:
        raise Invalid(str(exc), field=exc.field) from None


def annex2_out(result: ihr_annex2.Assessment) -> Annex2Out:
    return Annex2Out(
        notifiable=result.notifiable,
        rule=result.rule,
        reason=result.reason,
        disease=result.disease,
        disease_group=result.group.value,
        criteria={c.value: v for c, v in result.criteria.items()},
        deadline_hours=ihr_annex2.NOTIFICATION_HOURS if result.notifiable else None,
        questions={q.value: v for q, v in result.questions.items()},
        recognised_by=result.recognised_by,
        recognised_term=result.recognised_term,
        follow_up=[FollowUpOut(key=f.key, text=f.text, why=f.why) for f in result.follow_up],
        flowchart_differs=result.flowchart_differs,
    )


@router.post(
    "/ihr/annex2",
    response_model=Annex2Out,
    tags=["ihr"],
    summary="Evaluate the IHR Annex 2 decision instrument",
)
def evaluate_annex2(body: Annex2In, actor: CurrentActor) -> Annex2Out:
    """Whether an event is notifiable to WHO under IHR (2005) Annex 2, and which rule
    decided it. Nothing is stored. Answer the four always-notifiable questions
    (novel_influenza_subtype, wild_poliovirus, smallpox, sars): a yes decides; the
    disease text is a hint used when the question is not answered no. Give the four
    criteria, their sub-questions, or both (a criterion is met when any of its
    sub-questions is answered yes)."""
    return annex2_out(_annex2(body))


@router.post(
    "/events/{event_id}/ihr-assessments",
    status_code=201,
    response_model=AssessmentOut,
    tags=["ihr"],
    summary="Record an Annex 2 assessment",
)
async def assess_event(
    event_id: Id, body: Annex2In, actor: CurrentActor, db: DbDep
) -> AssessmentOut:
    """Stores the answers. The first notifiable result starts the 24-hour WHO
    notification deadline on the event (Article 6.1); later assessments never move it.
    Only the event's own party (its focal point or officers) records an assessment:
    others get 403, and 404 if they may not see the event."""
    explicit, questions = _criteria(body), body.questions()

    def write(session: Session) -> AssessmentOut:
        event = actions.access_event(session, actor, event_id)
        row = actions.record_assessment(
            session, actor, event, body.disease, explicit, body.answers, questions
        )
        return _assessment_out(row)

    return await db.run(write)


@router.post(
    "/events/{event_id}/ihr-suggestions",
    status_code=201,
    response_model=AssessmentOut,
    tags=["ihr"],
    summary="Suggest an Annex 2 assessment",
)
async def suggest_assessment(
    event_id: Id, body: Annex2In, actor: CurrentActor, db: DbDep
) -> AssessmentOut:
    """The coordinator and the other parties who see the event may add their own Annex 2
    answers as a suggestion to the reporting party. It is kept apart from the party's
    assessments (kind `suggestion`), and starts or stops no clock: the State Party
    assesses its own events. The reporting party's users get 403 (they record an
    assessment instead); 404 if the event is out of sight."""
    explicit, questions = _criteria(body), body.questions()

    def write(session: Session) -> AssessmentOut:
        event = actions.access_event(session, actor, event_id)
        row = actions.record_assessment(
            session,
            actor,
            event,
            body.disease,
            explicit,
            body.answers,
            questions,
            suggestion=True,
        )
        return _assessment_out(row)

    return await db.run(write)


@router.get(
    "/events/{event_id}/ihr-suggestions",
    response_model=list[AssessmentOut],
    tags=["ihr"],
    summary="Annex 2 suggestions on an event",
)
def list_suggestions(event_id: Id, actor: CurrentActor, db: DbDep) -> list[AssessmentOut]:
    """The suggestions of the coordinator and other parties, oldest first."""
    return _list(event_id, actor, db, "suggestion")


@router.get(
    "/events/{event_id}/ihr-article9",
    response_model=list[Article9Out],
    tags=["ihr"],
    summary="IHR Article 9.2 duties of an event",
)
def list_article9(event_id: Id, actor: CurrentActor, db: DbDep) -> list[Article9Out]:
    """The member states this event (or a tracing notice about it) shows a public health
    risk outside their territory to — the event happens outside its owner's country,
    names other member states, or a tracing notice has contacts abroad — who should, as
    far as practicable, inform WHO within 24 hours (IHR Article 9.2), with the record of
    each that did. Concerns from a tracing notice are shown only to its parties and the
    coordinator."""
    with db.read() as session:
        event = actions.access_event(session, actor, event_id)
        return _article9(session, actor, event)


@router.post(
    "/events/{event_id}/ihr-article9",
    response_model=list[Article9Out],
    status_code=201,
    tags=["ihr"],
    summary="Record that WHO was informed (Article 9.2)",
)
def record_article9(
    event_id: Id, body: Article9In, actor: CurrentActor, db: DbDep
) -> list[Article9Out]:
    """By the focal point of a party the event concerns under Article 9.2, once (409
    after); 403 for parties it does not concern and for other roles. Audited."""

    def job(session: Session) -> list[Article9Out]:
        event = actions.access_event(session, actor, event_id)
        actions.record_who_informed(session, actor, event, body.note)
        return _article9(session, actor, event)

    return db.run_sync(job)


def _assessment_out(row: IhrAssessment) -> AssessmentOut:
    stored = row.answers
    group = stored.get("group") or ihr_annex2.classify(row.disease or None)[1].value
    return AssessmentOut(
        id=row.id,
        event_id=row.event_id,
        notifiable=row.notifiable,
        rule=row.rule,
        reason=row.reason,
        disease=row.disease or None,
        disease_group=group,
        criteria=stored.get("criteria", {}),
        deadline_hours=ihr_annex2.NOTIFICATION_HOURS if row.notifiable else None,
        questions=stored.get("questions", {}),
        recognised_by=stored.get("recognised_by"),
        recognised_term=stored.get("recognised_term"),
        follow_up=[FollowUpOut(**f) for f in stored.get("follow_up", [])],
        flowchart_differs=bool(stored.get("flowchart_differs", False)),
        assessed_at=row.assessed_at,
        deadline=row.deadline,
        kind="suggestion" if row.kind == "suggestion" else "assessment",
        party=row.party_code,
    )


@router.get(
    "/events/{event_id}/ihr-assessments",
    response_model=list[AssessmentOut],
    tags=["ihr"],
    summary="Annex 2 assessments of an event",
)
def list_assessments(event_id: Id, actor: CurrentActor, db: DbDep) -> list[AssessmentOut]:
    """The reporting party's own assessments, oldest first (suggestions of others are
    at /ihr-suggestions)."""
    return _list(event_id, actor, db, "assessment")


def _list(event_id: int, actor: Actor, db: Database, kind: str) -> list[AssessmentOut]:
    with db.read() as session:
        actions.access_event(session, actor, event_id)
        rows = session.execute(
            select(IhrAssessment)
            .where(IhrAssessment.event_id == event_id, IhrAssessment.kind == kind)
            .order_by(IhrAssessment.id)
        ).scalars()
        return [_assessment_out(r) for r in rows]


@router.post(
    "/events/{event_id}/who-notification",
    response_model=EventOut,
    tags=["ihr"],
    summary="Record that WHO was notified",
)
def who_notified(event_id: Id, actor: CurrentActor, db: DbDep) -> EventOut:
    """By the reporting party's focal point; clears the deadline shown on the event."""

    def job(session: Session) -> EventOut:
        event = actions.access_event(session, actor, event_id)
        return event_out(actions.record_who_notification(session, actor, event))

    return db.run_sync(job)


@router.post(
    "/events/{event_id}/channel",
    response_model=ChannelOut,
    tags=["channels"],
    summary="The event's discussion channel",
)
def event_channel(event_id: Id, actor: CurrentActor, db: DbDep) -> ChannelOut:
    """Returns the event's channel, opening it on first use; it has the event's audience."""

    def job(session: Session) -> ChannelOut:
        event = actions.access_event(session, actor, event_id)
        return channel_out(channel_actions.event_channel(session, actor, event))

    return db.run_sync(job)
