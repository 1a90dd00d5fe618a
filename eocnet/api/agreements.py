"""Cooperation agreements, joint action plans, indicators and progress reports;
and the focal-point connectivity checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import agreements as actions
from eocnet.actions import connectivity, files
from eocnet.api.csv_export import CSV_RESPONSES, csv_response
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.files import FileIn, FileOut, file_out, upload_of
from eocnet.api.schemas import MAX_ID, Id, Input, from_row
from eocnet.db.models import Agreement
from eocnet.domain.coordination import COOPERATION_AREAS
from eocnet.httpkit.files import download
from eocnet.queries import agreements as queries

router = APIRouter(tags=["cooperation agreements"])
Area = Literal[COOPERATION_AREAS]  # type: ignore[valid-type]


class DocumentIn(Input):
    title: str = Field("", max_length=300)
    url: str = Field(max_length=1000)


class AgreementIn(Input):
    title: str = Field(min_length=1, max_length=300)
    parties: list[Annotated[str, Field(max_length=8)]] = Field(min_length=2, max_length=30)
    signed_on: date | None = None
    expires_on: date | None = None
    areas: list[Area] = Field(default_factory=list, max_length=20)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50)
    summary: str = Field("", max_length=20_000)
    shared_with_network: bool = Field(
        False, description="Seen by the whole network, not only its parties and the coordinator"
    )


class ActivityIn(Input):
    term: Literal["short", "medium", "long"]
    title: str = Field(min_length=1, max_length=300)
    lead_party: str = Field(min_length=2, max_length=8)
    starts_on: date
    ends_on: date
    budget: float | None = Field(None, ge=0, le=1e13)
    currency: str = Field("", max_length=3, description="ISO 4217, with a budget")
    status: Literal["planned", "in_progress", "done", "delayed", "cancelled"] = "planned"


class ActivityOut(BaseModel):
    id: int
    term: str
    title: str
    lead_party: str
    starts_on: date
    ends_on: date
    budget: float | None
    currency: str
    status: str


class IndicatorIn(Input):
    name: str = Field(min_length=1, max_length=300)
    baseline: float = Field(0.0, ge=-1e12, le=1e12)
    target: float = Field(ge=-1e12, le=1e12)
    unit: str = Field("", max_length=40)
    period: Literal["month", "quarter", "year"] = "quarter"


class ReportIn(Input):
    period: str = Field(min_length=4, max_length=10, description="2026-11, 2026-Q4 or 2026")
    value: float = Field(ge=-1e12, le=1e12)
    note: str = Field("", max_length=5000)


class ReportOut(BaseModel):
    party_code: str
    period: str
    value: float
    note: str
    reported_at: datetime


class IndicatorOut(BaseModel):
    id: int
    name: str
    baseline: float
    target: float
    unit: str
    period: str
    reports: list[ReportOut]
    progress: float | None = Field(
        description="Latest period's total, as % of the way from baseline to target"
    )


class AgreementOut(BaseModel):
    id: int
    title: str
    parties: list[str]
    signed_on: date | None
    expires_on: date | None
    areas: list[str]
    documents: list[dict[str, str]]
    summary: str
    shared_with_network: bool
    activities: list[ActivityOut]
    indicators: list[IndicatorOut]


def _outs(session: Session, rows: Sequence[Agreement]) -> list[AgreementOut]:
    """The agreements as answered: plans, indicators and values read once for all."""
    ids = [a.id for a in rows]
    plans = queries.activities_of(session, ids)
    indicators = queries.indicators_of(session, ids)
    values = queries.reports_of(session, [i.id for each in indicators.values() for i in each])
    return [
        from_row(
            AgreementOut,
            agreement,
            activities=[from_row(ActivityOut, a) for a in plans[agreement.id]],
            indicators=[
                from_row(
                    IndicatorOut,
                    indicator,
                    reports=[from_row(ReportOut, r) for r in values[indicator.id]],
                    progress=queries.progress(indicator, values[indicator.id]),
                )
                for indicator in indicators[agreement.id]
            ],
        )
        for agreement in rows
    ]


def _out(session: Session, agreement: Agreement) -> AgreementOut:
    return _outs(session, [agreement])[0]


def _fields(body: AgreementIn) -> actions.AgreementFields:
    data = body.model_dump()
    return actions.AgreementFields(**data)


@router.post("/agreements", status_code=201, response_model=AgreementOut, summary="Record one")
def create(body: AgreementIn, actor: CurrentActor, db: DbDep) -> AgreementOut:
    """A signatory party or the coordinator records an agreement; it is seen by
    its parties and the coordinator unless shared with the network."""

    def job(session: Session) -> AgreementOut:
        return _out(session, actions.create(session, actor, _fields(body)))

    return db.run_sync(job)


@router.get("/agreements", response_model=list[AgreementOut], summary="Agreements you can see")
def list_agreements(actor: CurrentActor, db: DbDep) -> list[AgreementOut]:
    with db.read() as session:
        return _outs(session, list(session.scalars(queries.agreements(actor))))


@router.get("/agreements.csv", response_class=Response, responses=CSV_RESPONSES, summary="CSV")
def agreements_csv(actor: CurrentActor, db: DbDep) -> Response:
    """One row per activity (the plans of every agreement you can see)."""
    columns = [
        "agreement_id", "agreement", "parties", "signed_on", "expires_on", "term", "activity",
        "lead_party", "starts_on", "ends_on", "budget", "currency", "status",
    ]  # fmt: skip
    rows: list[list[object]] = []
    with db.read() as session:
        found = list(session.scalars(queries.agreements(actor)))
        plans = queries.activities_of(session, [a.id for a in found])
        for a in found:
            head: list[object] = [a.id, a.title, " ".join(a.parties), a.signed_on, a.expires_on]
            plan = plans[a.id]
            for act in plan:
                rows.append(
                    [*head, act.term, act.title, act.lead_party, act.starts_on, act.ends_on,
                     act.budget, act.currency, act.status]
                )  # fmt: skip
            if not plan:
                rows.append([*head, *[""] * 8])
    return csv_response("agreements", columns, rows)


@router.get("/agreements/{agreement_id}", response_model=AgreementOut, summary="An agreement")
def get_agreement(agreement_id: Id, actor: CurrentActor, db: DbDep) -> AgreementOut:
    with db.read() as session:
        return _out(session, actions.access(session, actor, agreement_id))


@router.put("/agreements/{agreement_id}", response_model=AgreementOut, summary="Edit one")
def edit(agreement_id: Id, body: AgreementIn, actor: CurrentActor, db: DbDep) -> AgreementOut:
    def job(session: Session) -> AgreementOut:
        agreement = actions.access(session, actor, agreement_id)
        return _out(session, actions.edit(session, actor, agreement, _fields(body)))

    return db.run_sync(job)


@router.post(
    "/agreements/{agreement_id}/documents",
    status_code=201,
    response_model=FileOut,
    summary="Add a document (the signed text, annexes)",
)
def add_document(
    agreement_id: Id, body: FileIn, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> FileOut:
    """PDF, images, CSV or plain text up to the attachment size limit; a signatory party
    or the coordinator. Everyone who sees the agreement can download it."""
    upload = upload_of(body)

    def job(session: Session) -> FileOut:
        agreement = actions.access(session, actor, agreement_id)
        row = actions.attach_document(
            session, actor, agreement, upload, settings.attachment_max_bytes
        )
        return file_out(row)

    return db.run_sync(job)


@router.get(
    "/agreements/{agreement_id}/documents", response_model=list[FileOut], summary="Its documents"
)
def documents(agreement_id: Id, actor: CurrentActor, db: DbDep) -> list[FileOut]:
    with db.read() as session:
        actions.access(session, actor, agreement_id)
        return [file_out(f) for f in files.listing(session, "agreement", agreement_id)]


@router.get(
    "/agreements/{agreement_id}/documents/{file_id}",
    response_class=Response,
    summary="Download a document",
)
def document(agreement_id: Id, file_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    with db.read() as session:
        actions.access(session, actor, agreement_id)
        return download(files.one(session, "agreement", agreement_id, file_id))


@router.post(
    "/agreements/{agreement_id}/activities",
    status_code=201,
    response_model=AgreementOut,
    summary="Add an activity to the joint action plan",
)
def add_activity(
    agreement_id: Id, body: ActivityIn, actor: CurrentActor, db: DbDep
) -> AgreementOut:
    def job(session: Session) -> AgreementOut:
        agreement = actions.access(session, actor, agreement_id)
        actions.add_activity(session, actor, agreement, actions.ActivityFields(**body.model_dump()))
        return _out(session, agreement)

    return db.run_sync(job)


@router.put(
    "/agreements/{agreement_id}/activities/{activity_id}",
    response_model=AgreementOut,
    summary="Update an activity",
)
def edit_activity(
    agreement_id: Id,
    activity_id: Annotated[int, Field(ge=1, le=MAX_ID)],
    body: ActivityIn,
    actor: CurrentActor,
    db: DbDep,
) -> AgreementOut:
    def job(session: Session) -> AgreementOut:
        agreement = actions.access(session, actor, agreement_id)
        row = actions.activity(session, agreement, activity_id)
        fields = actions.ActivityFields(**body.model_dump())
        actions.edit_activity(session, actor, agreement, row, fields)
        return _out(session, agreement)

    return db.run_sync(job)


@router.post(
    "/agreements/{agreement_id}/indicators",
    status_code=201,
    response_model=AgreementOut,
    summary="Define an indicator",
)
def add_indicator(
    agreement_id: Id, body: IndicatorIn, actor: CurrentActor, db: DbDep
) -> AgreementOut:
    def job(session: Session) -> AgreementOut:
        agreement = actions.access(session, actor, agreement_id)
        fields = actions.IndicatorFields(**body.model_dump())
        actions.add_indicator(session, actor, agreement, fields)
        return _out(session, agreement)

    return db.run_sync(job)


@router.post(
    "/agreements/{agreement_id}/indicators/{indicator_id}/reports",
    status_code=201,
    response_model=AgreementOut,
    summary="Report progress on an indicator",
)
def report(
    agreement_id: Id,
    indicator_id: Annotated[int, Field(ge=1, le=MAX_ID)],
    body: ReportIn,
    actor: CurrentActor,
    db: DbDep,
) -> AgreementOut:
    """Each signatory party reports its own value once per period."""

    def job(session: Session) -> AgreementOut:
        agreement = actions.access(session, actor, agreement_id)
        actions.report(session, actor, agreement, indicator_id, body.period, body.value, body.note)
        return _out(session, agreement)

    return db.run_sync(job)


# ---------------------------------------------------------------- connectivity


class ProbeOut(BaseModel):
    id: int
    check_id: int
    party_code: str
    sent_at: datetime
    acknowledged_at: datetime | None


class ResultOut(BaseModel):
    check_id: int
    started_at: datetime
    party: str
    minutes: float | None = Field(description="Minutes to acknowledge; null if never")


@router.post(
    "/connectivity-checks",
    status_code=201,
    response_model=list[ResultOut],
    tags=["connectivity"],
    summary="Start a focal-point connectivity check",
)
def start_check(actor: CurrentActor, db: DbDep, settings: SettingsDep) -> list[ResultOut]:
    """The coordinator asks every member state's contact points to acknowledge
    (in-app and by e-mail); the jobs also start one every
    EOCNET_CONNECTIVITY_CHECK_DAYS."""

    def job(session: Session) -> list[ResultOut]:
        check = connectivity.start(session, actor, settings.base_url)
        rows = [r for r in connectivity.results(session) if r.check_id == check.id]
        return [ResultOut(**vars(r)) for r in rows]

    return db.run_sync(job)


@router.get(
    "/connectivity-checks/pending",
    response_model=list[ProbeOut],
    tags=["connectivity"],
    summary="Checks waiting for your party's acknowledgement",
)
def pending(actor: CurrentActor, db: DbDep) -> list[ProbeOut]:
    with db.read() as session:
        return [from_row(ProbeOut, p) for p in connectivity.pending_for(session, actor.party_code)]


@router.post(
    "/connectivity-checks/probes/{probe_id}/acknowledgement",
    response_model=ProbeOut,
    tags=["connectivity"],
    summary="Acknowledge a connectivity check",
)
def acknowledge(probe_id: Id, actor: CurrentActor, db: DbDep) -> ProbeOut:
    def job(session: Session) -> ProbeOut:
        return from_row(ProbeOut, connectivity.acknowledge(session, actor, probe_id))

    return db.run_sync(job)


@router.get(
    "/connectivity-checks/results",
    response_model=list[ResultOut],
    tags=["connectivity"],
    summary="Each party's response times in the last rounds",
)
def results(actor: CurrentActor, db: DbDep) -> list[ResultOut]:
    with db.read() as session:
        return [ResultOut(**vars(r)) for r in connectivity.results(session)]


@router.get(
    "/connectivity-checks/results.csv",
    response_class=Response,
    responses=CSV_RESPONSES,
    tags=["connectivity"],
    summary="CSV",
)
def results_csv(actor: CurrentActor, db: DbDep) -> Response:
    columns = ["check_id", "started_at", "party", "minutes"]
    with db.read() as session:
        rows = [[getattr(r, c) for c in columns] for r in connectivity.results(session)]
    return csv_response("connectivity-checks", columns, rows)
