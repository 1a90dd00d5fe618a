"""Cross-border contact-tracing notices (personal data: need-to-know, encrypted, audited)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from eocnet.actions import chains as chain_actions
from eocnet.actions import tracing as actions
from eocnet.actions.errors import Forbidden, Invalid
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.problems import problem
from eocnet.api.schemas import Id, Input
from eocnet.db.models import TracingNotice
from eocnet.db.types import utcnow
from eocnet.interop.graphml import write_graphml
from eocnet.interop.tables import TableError, read_table, write_csv
from eocnet.queries import tracing as queries

router = APIRouter(tags=["tracing"])

Role_ = Literal["case", "contact", "co_traveller"]


class PersonIn(Input):
    role: Role_ = Field(description="case, contact or co_traveller")
    full_name: str = Field(min_length=1, max_length=300)
    nationality: str | None = Field(
        None, pattern=r"^[A-Za-z]{3}$", description="ISO 3166-1 alpha-3"
    )
    document_number: str | None = Field(
        None,
        max_length=60,
        description="Travel document. A person needs at least one of document_number, "
        "phone, email or address",
    )
    phone: str | None = Field(None, max_length=60)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    date_of_birth: date | None = None
    age: int | None = Field(None, ge=0, le=130)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=500, description="In the receiving country")
    exposure_type: str | None = Field(None, max_length=100)
    exposure_date: date | None = None
    last_exposure: date | None = Field(
        None,
        description="The last exposure to the case; follow-up runs until it plus the "
        "disease's period (else from exposure_date, travel_date or the day of sending)",
    )
    disease: str | None = Field(
        None,
        max_length=100,
        description="The disease followed (code or name of the follow-up table, e.g. "
        "measles, MERS-CoV); else the notice's disease, else the event's hazard",
    )
    exposure_place: str | None = Field(None, max_length=300)
    travel_mode: Literal["flight", "vessel", "land", "other"] | None = None
    travel_number: str | None = Field(None, max_length=40, description="Flight or vessel")
    travel_date: date | None = None
    seat: str | None = Field(None, max_length=10)
    origin: str | None = Field(None, max_length=100)
    destination: str | None = Field(None, max_length=100)
    expected_arrival: datetime | None = Field(None, description="Patient travel: when")
    receiving_facility: str | None = Field(
        None, max_length=300, description="Patient travel: the receiving facility"
    )
    condition: str | None = Field(None, max_length=500, description="Patient travel: condition")
    receiving_party: str | None = Field(
        None, pattern=r"^[A-Z]{3,8}$", description="Which addressed party traces this person"
    )


class NoticeIn(Input):
    event_id: int = Field(ge=1, le=2**63 - 1)
    parties: list[str] = Field(
        min_length=1, max_length=30, description="Parties that receive the notice (ISO3 codes)"
    )
    persons: list[PersonIn] = Field(min_length=1, max_length=actions.MAX_PERSONS)
    summary: str = Field("", max_length=2000, description="Non-personal summary (no names)")
    kind: Literal["contacts", "patient_travel"] = "contacts"
    disease: str = Field(
        "", max_length=100, description="The disease for persons that name none of their own"
    )
    source_person_id: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="The case whose contacts these are: a person of an earlier notice "
        "whom your party traces and who became a case (a link of the chain of "
        "transmission)",
    )


class PersonOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    role: str
    receiving_party: str
    outcome: str
    test_result: str
    outcome_date: date | None
    tracer_id: int | None
    disease: str = Field(description="Code of the follow-up table, or as named when unknown")
    follow_up_until: date | None = Field(
        description="The last day of follow-up: last exposure + the disease's period"
    )
    case_since: date | None = Field(
        None, description="A contact who became a case: since when (else null)"
    )
    case_classification: str = Field(
        "", description="suspected, probable or confirmed; empty while a contact"
    )


class NoticeOut(BaseModel):
    id: int
    event_id: int
    kind: str
    sender_party: str
    parties: list[str]
    summary: str
    created_at: datetime
    purge_after: datetime = Field(description="When the personal data will be deleted")
    purged_at: datetime | None
    persons_count: int
    roles: dict[str, int]
    outcomes: dict[str, int]
    source_person_id: int | None = Field(
        None, description="The case (a person of an earlier notice) whose contacts these are"
    )
    new_cases: int = Field(0, description="Listed contacts who became cases")
    persons: list[dict[str, Any]] | None = Field(
        None,
        description="With personal data, for focal points of the sending and addressed "
        "parties only (each read is audited); absent for everyone else",
    )
    statuses: list[PersonOut] = Field(
        default_factory=list, description="Follow-up per person, without personal data"
    )


class OutcomeIn(Input):
    outcome: Literal[
        "pending",
        "reached",
        "not_reached",
        "tested",
        "quarantined",
        "isolated",
        "left_country",
        "lost_to_follow_up",
    ]
    outcome_date: date | None = None
    test_result: Literal["", "positive", "negative", "pending", "not_tested"] = ""


def _out(notice: TracingNotice, persons: list[dict[str, Any]] | None) -> NoticeOut:
    return NoticeOut(
        **actions.notice_summary(notice),
        persons=persons,
        statuses=[PersonOut(**actions.person_status(p)) for p in notice.persons],
    )


@router.post(
    "/tracing-notices",
    status_code=201,
    response_model=NoticeOut,
    summary="Send a contact-tracing notice",
)
def send(body: NoticeIn, actor: CurrentActor, db: DbDep, settings: SettingsDep) -> NoticeOut:
    """By a focal point, about an event their party can see, to the parties concerned.
    The persons are encrypted at once; only the sending and addressed parties' focal
    points can read them, and only until the retention period ends."""
    persons = [
        actions.PersonIn(
            role=p.role,
            receiving_party=p.receiving_party or "",
            disease=p.disease or "",
            fields={
                k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in p.model_dump(exclude={"role", "receiving_party", "disease"}).items()
                if v is not None and v != ""
            },
        )
        for p in body.persons
    ]

    def job(session: Session) -> NoticeOut:
        notice = actions.send_notice(
            session,
            actor,
            settings,
            event_id=body.event_id,
            parties=body.parties,
            persons=persons,
            summary=body.summary,
            kind=body.kind,
            disease=body.disease,
            source_person_id=body.source_person_id,
        )
        return _out(notice, actions.read_persons(session, actor, settings, notice))

    return db.run_sync(job)


@router.get("/tracing-notices", response_model=list[NoticeOut], summary="Tracing notices")
def list_notices(actor: CurrentActor, db: DbDep) -> list[NoticeOut]:
    """Notices your party sent or received (the coordinator sees all, without persons).
    Lists never carry personal data: open a notice to read its persons."""
    with db.read() as session:
        return [_out(n, None) for n in session.scalars(queries.notices(actor))]


@router.get("/tracing-notices/{notice_id}", response_model=NoticeOut, summary="One tracing notice")
def get_notice(notice_id: Id, actor: CurrentActor, db: DbDep, settings: SettingsDep) -> NoticeOut:
    """With the persons for focal points of the sending and addressed parties (audited);
    404 for parties that are neither (the coordinator sees the summary only)."""

    def job(session: Session) -> NoticeOut:  # a read of personal data writes its audit entry
        notice = actions.access_notice(session, actor, notice_id)
        return _out(notice, actions.read_persons(session, actor, settings, notice))

    return db.run_sync(job)


@router.get(
    "/tracing-notices/{notice_id}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Export the persons as CSV",
)
def export(notice_id: Id, actor: CurrentActor, db: DbDep, settings: SettingsDep) -> Response:
    """For the tracers of the parties concerned (focal points); audited."""

    def job(session: Session) -> str:  # audited
        return actions.export_csv(
            session, actor, settings, actions.access_notice(session, actor, notice_id)
        )

    body = db.run_sync(job)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="tracing-notice-{notice_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/tracing-notices/{notice_id}/persons/{person_id}/outcome",
    response_model=PersonOut,
    summary="Record a follow-up outcome",
)
def outcome(
    notice_id: Id, person_id: Id, body: OutcomeIn, actor: CurrentActor, db: DbDep
) -> PersonOut:
    """By the receiving party. The sender sees it live on the stream (no personal data)."""

    def job(session: Session) -> PersonOut:
        notice = actions.access_notice(session, actor, notice_id)
        person = actions.record_outcome(
            session,
            actor,
            notice,
            person_id,
            outcome=body.outcome,
            outcome_date=body.outcome_date,
            test_result=body.test_result,
        )
        return PersonOut(**actions.person_status(person))

    return db.run_sync(job)


class ConvertIn(Input):
    classification: Literal["suspected", "probable", "confirmed"] = "confirmed"
    since: date | None = Field(None, description="Since when a case; today (UTC) if absent")


@router.post(
    "/tracing-notices/{notice_id}/persons/{person_id}/case",
    response_model=PersonOut,
    summary="Mark a followed contact as having become a case",
)
def convert(
    notice_id: Id, person_id: Id, body: ConvertIn, actor: CurrentActor, db: DbDep
) -> PersonOut:
    """By the party that traces the person (audited). The sending party is told at once
    (`tracing.converted` on the stream, and a push notification to its subscribed
    users), without personal data. The case's own contacts then go in a new notice with
    `source_person_id` set to this person. Marking again updates the classification."""

    def job(session: Session) -> PersonOut:
        notice = actions.access_notice(session, actor, notice_id)
        person = actions.convert_to_case(
            session,
            actor,
            notice,
            person_id,
            classification=body.classification,
            since=body.since,
        )
        return PersonOut(**actions.person_status(person))

    return db.run_sync(job)


class FollowUpIn(Input):
    status: Literal["seen", "not_reached", "symptomatic", "lost", "completed"]
    day: date | None = Field(None, description="The day followed up; today (UTC) if absent")


class FollowUpOut(BaseModel):
    notice_id: int
    person_id: int
    day: date
    status: str
    recorded_at: datetime


@router.post(
    "/tracing-notices/{notice_id}/persons/{person_id}/follow-up",
    response_model=FollowUpOut,
    summary="Record a day of follow-up",
)
def record_follow_up(
    notice_id: Id, person_id: Id, body: FollowUpIn, actor: CurrentActor, db: DbDep
) -> FollowUpOut:
    """By the receiving party's tracers: seen, not reached, symptomatic, lost or
    completed, one status a day (recording a day again replaces it), up to the
    person's `follow_up_until`. The sender sees it live (no personal data)."""

    def job(session: Session) -> FollowUpOut:
        notice = actions.access_notice(session, actor, notice_id)
        visit = actions.record_follow_up(
            session, actor, notice, person_id, status=body.status, day=body.day
        )
        return FollowUpOut(**actions.visit_status(visit))

    return db.run_sync(job)


@router.get(
    "/tracing-notices/{notice_id}/follow-up",
    response_model=list[FollowUpOut],
    summary="The daily follow-up of a notice's persons",
)
def list_follow_up(notice_id: Id, actor: CurrentActor, db: DbDep) -> list[FollowUpOut]:
    """Every recorded day of every person, by person and day; no personal data, so
    for everyone who sees the notice."""
    with db.read() as session:
        notice = actions.access_notice(session, actor, notice_id)
        return [
            FollowUpOut(**actions.visit_status(v))
            for v in actions.follow_up_visits(session, notice)
        ]


@router.get(
    "/tracing/due",
    response_model=list[dict[str, Any]],
    summary="Who is due for follow-up today (the tracer's list)",
)
def due(
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
    day: Annotated[date | None, Query(description="The day; today (UTC) if absent")] = None,
) -> list[dict[str, Any]]:
    """For the receiving party: a tracer's assigned persons (a focal point's: all of the
    party's) under follow-up that day, soonest end first, with their personal data (the
    read is audited), the day's status if recorded (`today`), the last status and the
    days left. Persons whose follow-up ended as lost or completed drop off the next day."""

    def job(session: Session) -> list[dict[str, Any]]:  # a read of personal data: audited
        return actions.due_list(session, actor, settings, day or utcnow().date())

    return db.run_sync(job)


class FiguresOut(BaseModel):
    listed: int = Field(description="Contacts and co-travellers (the cases are not followed)")
    due_days: int = Field(description="Days of follow-up due so far")
    seen_days: int = Field(description="Of those, the days the person was seen")
    seen_daily_pct: float | None
    completed: int
    completed_pct: float | None
    lost: int
    lost_pct: float | None
    new_cases: int = Field(description="Listed contacts who became cases")
    new_cases_pct: float | None


class AllFiguresOut(BaseModel):
    day: date
    total: FiguresOut
    notices: dict[str, FiguresOut] = Field(description="By notice id")
    events: dict[str, FiguresOut] = Field(description="By event id")
    parties: dict[str, FiguresOut] = Field(
        description='By receiving party ("" for persons not yet given to a party)'
    )


@router.get("/tracing/figures", response_model=AllFiguresOut, summary="Follow-up figures")
def figures(
    actor: CurrentActor,
    db: DbDep,
    event_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    day: Annotated[date | None, Query(description="The day; today (UTC) if absent")] = None,
) -> AllFiguresOut:
    """Seen daily %, completed %, lost % and new cases among the listed contacts %, per
    notice, per event and per receiving party, over the notices your party sent or
    received (the coordinator: every notice). No personal data."""
    with db.read() as session:
        notices = list(session.scalars(queries.notices(actor, limit=5000, event_id=event_id)))
        return AllFiguresOut(**actions.follow_up_figures(session, notices, day or utcnow().date()))


EventQuery = Annotated[int, Query(ge=1, le=2**63 - 1, description="The event")]


@router.get(
    "/tracing/chains",
    response_model=dict[str, Any],
    summary="Chains of transmission through an event's tracing notices",
)
def chains(
    event_id: EventQuery, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> dict[str, Any]:
    """Who exposed whom, where and when: `nodes` (persons: `p<id>`; a notice's unnamed
    index case: `n<id>`), `edges` and a `timeline`, across notices and events (a
    contact who became a case links the notice of their own contacts). Names and
    places only for the persons you may read (audited); everyone else is an anonymous
    node labelled with role and party. Only notices your party sent or received."""

    def job(session: Session) -> dict[str, Any]:  # reads personal data: audited
        return chain_actions.event_chains(session, actor, settings, event_id).as_dict()

    return db.run_sync(job)


def _chains_file(
    db: Any, actor: Any, settings: Any, event_id: int, fmt: str
) -> chain_actions.Chains:
    def job(session: Session) -> chain_actions.Chains:  # an audited export
        return chain_actions.export(session, actor, settings, event_id, fmt)

    result: chain_actions.Chains = db.run_sync(job)
    return result


@router.get(
    "/tracing/chains.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Export the chains of transmission as CSV",
)
def chains_csv(
    event_id: EventQuery, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> Response:
    """One row per link (who exposed whom, where, when), with the same visibility as
    `GET /tracing/chains`; audited as an export of personal data."""
    columns, rows = chain_actions.csv_rows(_chains_file(db, actor, settings, event_id, "csv"))
    return Response(
        write_csv(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="chains-event-{event_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/tracing/chains.graphml",
    response_class=Response,
    responses={200: {"content": {"application/graphml+xml": {}}}},
    summary="Export the chains of transmission as GraphML",
)
def chains_graphml(
    event_id: EventQuery, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> Response:
    """The graph for Gephi, Cytoscape, yEd or igraph, with the same visibility as
    `GET /tracing/chains`; audited as an export of personal data."""
    found = _chains_file(db, actor, settings, event_id, "graphml")
    body = write_graphml([n.__dict__ for n in found.nodes], [e.__dict__ for e in found.edges])
    return Response(
        body,
        media_type="application/graphml+xml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="chains-event-{event_id}.graphml"',
            "Cache-Control": "no-store",
        },
    )


class AssignIn(Input):
    tracer_id: int = Field(ge=1, le=2**63 - 1, description="A user of your party")


@router.post(
    "/tracing-notices/{notice_id}/persons/{person_id}/assign",
    response_model=PersonOut,
    summary="Assign a person to a tracer",
)
def assign(
    notice_id: Id, person_id: Id, body: AssignIn, actor: CurrentActor, db: DbDep
) -> PersonOut:
    """By the receiving party's focal point; the tracer then reads that person (audited)."""

    def job(session: Session) -> PersonOut:
        notice = actions.access_notice(session, actor, notice_id)
        person = actions.assign_tracer(session, actor, notice, person_id, body.tracer_id)
        return PersonOut(**actions.person_status(person))

    return db.run_sync(job)


@router.post(
    "/tracing-notices/{notice_id}/purge", status_code=204, summary="Delete the personal data now"
)
def purge_now(notice_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    """When tracing is done, a focal point of the sending or an addressed party may delete
    the persons before the retention period ends; the summary and counts stay."""

    def job(session: Session) -> None:
        notice = actions.access_notice(session, actor, notice_id)
        if not actions.may_read_persons(actor, notice):
            raise Forbidden("a focal point of a party to the notice deletes it")
        actions.purge(session, utcnow(), notice_id=notice.id)

    db.run_sync(job)
    db.checkpoint_wal()  # the deleted key and ciphertexts leave the database files now
    return Response(status_code=204)


class ManifestOut(BaseModel):
    columns: list[str]
    mapping: dict[str, str] = Field(description="Column header -> person field used")
    rows: int
    valid: int
    errors: list[dict[str, Any]] = Field(description="Each invalid row: row, field, detail")
    notice: NoticeOut | None = Field(None, description="The notice, when one was created")


@router.post(
    "/tracing-notices/manifest",
    response_model=ManifestOut,
    responses={201: {"model": ManifestOut, "description": "The notice was created"}},
    summary="Send a notice from a passenger manifest (CSV or XLSX)",
)
def from_manifest(
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, one person per row")],
    event_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    parties: Annotated[str, Form(description="Receiving parties, comma-separated")],
    mapping: Annotated[
        str,
        Form(
            description='JSON {"column header": "person field"}; '
            "empty to match headers to field names"
        ),
    ] = "",
    role: Annotated[Literal["case", "contact", "co_traveller"], Form()] = "co_traveller",
    summary: Annotated[str, Form(max_length=2000)] = "",
    disease: Annotated[
        str,
        Form(
            max_length=100,
            description="The disease followed, for rows without a disease column "
            "(else the event's hazard)",
        ),
    ] = "",
    source_person_id: Annotated[
        int | None,
        Form(
            ge=1,
            le=2**63 - 1,
            description="The case (a person of an earlier notice) whose contacts these are",
        ),
    ] = None,
    drop_invalid: Annotated[bool, Form(description="Send the valid rows, drop the rest")] = False,
    dry_run: Annotated[bool, Form(description="Only check the file; save nothing")] = False,
) -> JSONResponse:
    """Step 1 (`dry_run=true`): see the columns, the mapping and a per-row error report.
    Step 2: send. Nothing is saved while any row is invalid, unless `drop_invalid=true`."""
    try:
        headers, rows = read_table(
            file.file.read(), file.filename or "", max_rows=actions.MAX_PERSONS
        )
    except TableError as exc:
        raise Invalid(str(exc), field="file") from None
    try:
        chosen = json.loads(mapping) if mapping.strip() else actions.default_mapping(headers)
    except json.JSONDecodeError:
        raise Invalid("mapping must be a JSON object", field="mapping") from None
    if not isinstance(chosen, dict):
        raise Invalid("mapping must be a JSON object", field="mapping")
    receiving = [p for p in parties.replace(";", ",").split(",") if p.strip()]
    check = actions.check_manifest(headers, rows, chosen, receiving, role)
    report = {
        "columns": headers,
        "mapping": chosen,
        "rows": len(rows),
        "valid": len(check.persons),
        "errors": check.errors,
        "notice": None,
    }
    if dry_run:
        return JSONResponse(report)
    if check.errors and not drop_invalid:
        return problem(
            422,
            f"{len(check.errors)} of {len(rows)} rows are invalid; fix them or "
            "send with drop_invalid=true. Nothing was saved.",
            title="Invalid rows",
            kind="validation",
            errors=check.errors,
        )
    if not check.persons:
        raise Invalid("no valid row to send", field="file")

    def job(session: Session) -> dict[str, Any]:
        notice = actions.send_notice(
            session,
            actor,
            settings,
            event_id=event_id,
            parties=receiving,
            persons=check.persons,
            summary=summary,
            disease=disease,
            source_person_id=source_person_id,
        )
        return _out(notice, None).model_dump(mode="json")

    report["notice"] = db.run_sync(job, alone=len(check.persons) > 1000)
    return JSONResponse(report, status_code=201)
