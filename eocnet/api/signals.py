"""Event-based surveillance: signal sources, signals and their triage, and verification
requests with the IHR Art. 10 clocks. A signal is seen by its source's audience; a
verification request only by the requesting party, the requested party and the
coordinator (404 to everyone else)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import signals as actions
from eocnet.actions.errors import Invalid
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.schemas import MAX_ID, Id, Input

router = APIRouter(tags=["event-based surveillance"])

Visibility = Literal["network", "partners", "restricted"]
Party = Annotated[str, Field(min_length=2, max_length=8)]
Status = Literal["new", "under_review", "discarded", "verified", "linked"]
TriageStatus = Literal["new", "under_review", "discarded", "verified"]
Reliability = Literal["A", "B", "C", "D", "E", "F"]


class SourceIn(Input):
    url: str = Field(max_length=1000, description="The feed: RSS, Atom or JSON Feed, http(s)")
    name: str = Field(min_length=1, max_length=200)
    language: str = Field(min_length=2, max_length=35, description="BCP 47 tag of its items")
    reliability: Reliability = Field(
        "F", description="Admiralty scale source reliability, A (reliable) to F (cannot be judged)"
    )
    visibility: Visibility | None = Field(
        None,
        description="Who sees its items: network, partners or restricted (default: "
        "restricted to your party and the coordinator)",
    )
    parties: list[Party] | None = Field(
        None, max_length=300, description="With restricted: the other parties that see them"
    )


class SourceOut(BaseModel):
    id: int
    url: str
    name: str
    language: str
    reliability: str
    visibility: str
    parties: list[str]
    owner_party: str
    active: bool
    health: str = Field(description="new (not yet polled), ok, or failing (backing off)")
    error_count: int = Field(description="Errors in a row")
    last_error: str
    malformed_count: int = Field(description="Entries refused so far (no title or link)")
    items_count: int = Field(description="Signals taken in so far")
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime
    created_at: datetime


class SignalIn(Input):
    title: str = Field(min_length=1, max_length=500)
    url: str = Field("", max_length=1000, description="Where it was seen, if anywhere")
    summary: str = Field("", max_length=20_000)
    language: str = Field("", max_length=35, description="BCP 47 tag")
    countries: list[Annotated[str, Field(min_length=3, max_length=3)]] = Field(
        default_factory=list, max_length=50, description="ISO 3166-1 alpha-3 codes"
    )
    hazards: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    visibility: Visibility | None = Field(
        None, description="Default: restricted to your party and the coordinator"
    )
    parties: list[Party] | None = Field(None, max_length=300)


class SignalOut(BaseModel):
    id: int
    title: str
    url: str
    source: int | None = Field(description="The source's id (null when reported by hand)")
    source_name: str
    language: str
    hazards: list[str]
    countries: list[str] = Field(description="ISO 3166-1 alpha-3 codes")
    summary: str
    published_at: datetime | None
    status: Status
    assignee_id: int | None
    reliability: str = Field(description="Admiralty scale A–F, or empty")
    credibility: int | None = Field(description="Admiralty scale 1–6")
    notes: str
    event_id: int | None
    rumour_id: int | None = Field(description="The rumour it was promoted from, if any")
    exercise: bool
    also_seen: list[dict[str, Any]] = Field(description="Copies merged into this signal")
    visibility: str
    parties: list[str]
    owner_party: str
    created_at: datetime
    updated_at: datetime


class SignalPatch(Input):
    """Only the fields given change; assignee_id, reliability, credibility and notes are
    cleared with null."""

    status: TriageStatus | None = Field(
        None,
        description="new → under_review → verified or discarded (and back to under_review); "
        "linked only by linking to an event",
    )
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    reliability: Reliability | None = None
    credibility: int | None = Field(None, ge=1, le=6)
    notes: str | None = Field(None, max_length=20_000)


class LinkIn(Input):
    """Either ``event_id`` (an existing event seen by everyone who sees the signal) or
    ``title``, ``hazard`` and ``country`` of a new event with the signal's audience."""

    event_id: int | None = Field(None, ge=1, le=MAX_ID)
    title: str | None = Field(None, min_length=1, max_length=300)
    hazard: str | None = Field(None, min_length=1, max_length=200)
    country: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    summary: str = Field("", max_length=20_000)


class LinkOut(BaseModel):
    signal_id: int
    event_id: int


class VerificationIn(Input):
    party: Party = Field(description="The party asked to verify (usually where it is located)")
    question: str = Field("", max_length=5000)


class VerificationOut(BaseModel):
    id: int
    signal_id: int
    title: str = Field(
        description="The signal's title; empty when you may not see the signal (the "
        "coordinator sees every request, not every signal)"
    )
    requester_party: str
    requested_party: str
    question: str
    created_at: datetime
    acknowledge_by: datetime = Field(description="IHR Art. 10(2): 24 hours from the request")
    respond_by: datetime = Field(description="IHR Art. 10(2): 24 hours from the request")
    acknowledged_at: datetime | None
    responded_at: datetime | None
    status: str = Field(
        description="requested, acknowledged, confirmed, not_confirmed or under_investigation"
    )
    response_status: str
    response_text: str


class ResponseIn(Input):
    status: Literal["confirmed", "not_confirmed", "under_investigation"]
    text: str = Field("", max_length=20_000, description="The information the party has")


def source_out(source: Any) -> SourceOut:
    return SourceOut.model_validate({n: getattr(source, n) for n in SourceOut.model_fields})


def signal_out(signal: Any, names: dict[int, str]) -> SignalOut:
    skip = ("source", "source_name")
    data = {n: getattr(signal, n) for n in SignalOut.model_fields if n not in skip}
    return SignalOut(
        **data,
        source=signal.source_id,
        source_name=names.get(signal.source_id or 0, ""),
    )


def request_out(request: Any, title: str) -> VerificationOut:
    opened = "acknowledged" if request.acknowledged_at else "requested"
    status = request.response_status or opened
    data = {
        n: getattr(request, n) for n in VerificationOut.model_fields if n not in ("title", "status")
    }
    return VerificationOut(**data, title=title, status=status)


def _signal_out(session: Session, signal: Any) -> SignalOut:
    return signal_out(signal, actions.source_names(session, [signal.source_id]))


# ---------------------------------------------------------------- sources


@router.post(
    "/signal-sources", status_code=201, response_model=SourceOut, summary="Add a signal source"
)
def add_source(body: SourceIn, actor: CurrentActor, db: DbDep, settings: SettingsDep) -> SourceOut:
    """Coordinators and focal points add feeds (RSS, Atom, JSON Feed) to poll every
    EOCNET_SIGNAL_POLL_SECONDS. An address reaching a loopback or private network is
    refused unless EOCNET_SIGNAL_ALLOW_PRIVATE is on."""

    def job(session: Session) -> SourceOut:
        return source_out(actions.add_source(session, actor, settings, **body.model_dump()))

    return db.run_sync(job)


@router.get("/signal-sources", response_model=list[SourceOut], summary="Signal sources")
def list_sources(actor: CurrentActor, db: DbDep) -> list[SourceOut]:
    """The sources whose items you may see, with their health."""
    with db.read() as session:
        return [source_out(s) for s in actions.sources(session, actor)]


@router.get("/signal-sources/{source_id}", response_model=SourceOut, summary="A signal source")
def get_source(source_id: Id, actor: CurrentActor, db: DbDep) -> SourceOut:
    with db.read() as session:
        return source_out(actions.access_source(session, actor, source_id))


# ---------------------------------------------------------------- signals


@router.get("/signals", response_model=list[SignalOut], summary="Signals (the triage queue)")
def list_signals(
    actor: CurrentActor,
    db: DbDep,
    status: Status | None = Query(None, description="Only signals in this triage status"),
    limit: int = Query(100, ge=1, le=500),
    before: int | None = Query(None, ge=1, le=MAX_ID, description="Ids below this (paging)"),
) -> list[SignalOut]:
    """The signals you may see, newest first."""
    with db.read() as session:
        found = actions.signals(session, actor, status=status, limit=limit, before=before)
        names = actions.source_names(session, [s.source_id for s in found])
        return [signal_out(s, names) for s in found]


@router.post("/signals", status_code=201, response_model=SignalOut, summary="Report a signal")
def report_signal(body: SignalIn, actor: CurrentActor, db: DbDep) -> SignalOut:
    """A signal reported by hand; hazards and countries its text names are added to
    those given."""

    def job(session: Session) -> SignalOut:
        signal = actions.report_signal(session, actor, actions.ReportFields(**body.model_dump()))
        return _signal_out(session, signal)

    return db.run_sync(job)


@router.post(
    "/rumours/{rumour_id}/signal",
    status_code=201,
    response_model=SignalOut,
    summary="Promote a rumour to a signal",
)
def promote_rumour(rumour_id: Id, actor: CurrentActor, db: DbDep) -> SignalOut:
    """A rumour of the rumour log becomes a signal of your party (seen by your party and
    the coordinator), to triage and verify; 409 if your party did so already."""

    def job(session: Session) -> SignalOut:
        return _signal_out(session, actions.promote_rumour(session, actor, rumour_id))

    return db.run_sync(job)


@router.get("/signals/{signal_id}", response_model=SignalOut, summary="A signal")
def get_signal(signal_id: Id, actor: CurrentActor, db: DbDep) -> SignalOut:
    with db.read() as session:
        return _signal_out(session, actions.access_signal(session, actor, signal_id))


@router.patch("/signals/{signal_id}", response_model=SignalOut, summary="Triage a signal")
def triage_signal(signal_id: Id, body: SignalPatch, actor: CurrentActor, db: DbDep) -> SignalOut:
    """Move it through triage, assign it, grade it (Admiralty scale) or note on it."""
    changes = body.model_dump(exclude_unset=True)

    def job(session: Session) -> SignalOut:
        signal = actions.access_signal(session, actor, signal_id)
        actions.triage(session, actor, signal, **changes)
        return _signal_out(session, signal)

    return db.run_sync(job)


@router.post(
    "/signals/{signal_id}/event",
    response_model=LinkOut,
    summary="Link a signal to an event (existing or new)",
)
def link_signal(
    signal_id: Id, body: LinkIn, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> LinkOut:
    """The signal becomes `linked`. A new event gets the signal's audience; an existing
    one must be seen by every party that sees the signal (a signal is never wider than
    its event)."""
    new = None
    if body.event_id is None:
        missing = [n for n in ("title", "hazard", "country") if getattr(body, n) is None]
        if missing:
            raise Invalid(
                f"{missing[0]} is needed for a new event (or give event_id)", field=missing[0]
            )
        new = actions.NewEvent(str(body.title), str(body.hazard), str(body.country), body.summary)

    def job(session: Session) -> LinkOut:
        signal = actions.access_signal(session, actor, signal_id)
        event = actions.link_to_event(
            session, actor, settings, signal, event_id=body.event_id, new=new
        )
        return LinkOut(signal_id=signal.id, event_id=event.id)

    return db.run_sync(job)


# ---------------------------------------------------------------- verification requests


@router.post(
    "/signals/{signal_id}/verification-requests",
    status_code=201,
    response_model=VerificationOut,
    summary="Ask a party to verify a signal",
)
def request_verification(
    signal_id: Id, body: VerificationIn, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> VerificationOut:
    """The requested party is to acknowledge by `acknowledge_by` and answer by
    `respond_by` (IHR Art. 10(2): 24 hours each from the request;
    EOCNET_SIGNAL_ACKNOWLEDGE_HOURS and EOCNET_SIGNAL_RESPOND_HOURS). It is added to
    the signal's audience."""

    def job(session: Session) -> VerificationOut:
        signal = actions.access_signal(session, actor, signal_id)
        request = actions.request_verification(
            session, actor, settings, signal, body.party, body.question
        )
        return request_out(request, signal.title)

    return db.run_sync(job)


@router.get(
    "/signals/{signal_id}/verification-requests",
    response_model=list[VerificationOut],
    summary="The verification requests of a signal",
)
def signal_requests(signal_id: Id, actor: CurrentActor, db: DbDep) -> list[VerificationOut]:
    """Those you may see: your party's, or all of them for the coordinator."""
    with db.read() as session:
        signal = actions.access_signal(session, actor, signal_id)
        return [
            request_out(r, signal.title)
            for r in actions.requests(session, actor, signal_id=signal.id)
        ]


@router.get(
    "/verification-requests",
    response_model=list[VerificationOut],
    summary="Verification requests",
)
def list_requests(
    actor: CurrentActor,
    db: DbDep,
    asked_of_me: bool = Query(False, description="Only those your party is asked to answer"),
) -> list[VerificationOut]:
    """Those your party made or is asked to answer (the coordinator sees all), open first."""
    with db.read() as session:
        found = actions.requests(session, actor, asked_of_me=asked_of_me)
        titles = actions.signal_titles(session, [r.signal_id for r in found], actor)
        return [request_out(r, titles.get(r.signal_id, "")) for r in found]


@router.get(
    "/verification-requests/{request_id}",
    response_model=VerificationOut,
    summary="A verification request",
)
def get_request(request_id: Id, actor: CurrentActor, db: DbDep) -> VerificationOut:
    with db.read() as session:
        request = actions.access_request(session, actor, request_id)
        return request_out(
            request,
            actions.signal_titles(session, [request.signal_id], actor).get(request.signal_id, ""),
        )


@router.post(
    "/verification-requests/{request_id}/acknowledgement",
    response_model=VerificationOut,
    summary="Acknowledge a verification request",
)
def acknowledge_request(request_id: Id, actor: CurrentActor, db: DbDep) -> VerificationOut:
    """The requested party acknowledges (empty body); again changes nothing."""

    def job(session: Session) -> VerificationOut:
        request = actions.access_request(session, actor, request_id)
        actions.acknowledge(session, actor, request)
        titles = actions.signal_titles(session, [request.signal_id], actor)
        return request_out(request, titles.get(request.signal_id, ""))

    return db.run_sync(job)


@router.post(
    "/verification-requests/{request_id}/response",
    response_model=VerificationOut,
    summary="Answer a verification request",
)
def respond_request(
    request_id: Id, body: ResponseIn, actor: CurrentActor, db: DbDep
) -> VerificationOut:
    """The requested party answers with what it knows: confirmed, not_confirmed or
    under_investigation, and text. A later answer replaces the earlier one."""

    def job(session: Session) -> VerificationOut:
        request = actions.access_request(session, actor, request_id)
        actions.respond(session, actor, request, body.status, body.text)
        titles = actions.signal_titles(session, [request.signal_id], actor)
        return request_out(request, titles.get(request.signal_id, ""))

    return db.run_sync(job)
