"""The rumour log (member states and the coordinator only) and fact checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import fact_checks as actions
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import Id, Input
from eocnet.db.models import FactCheck
from eocnet.domain.actors import Actor
from eocnet.queries import fact_checks as queries

router = APIRouter(tags=["rumours and fact checks"])


class RumourIn(Input):
    claim: str = Field(min_length=1, max_length=5000, description="The claim, as it circulates")
    country: str = Field(min_length=3, max_length=3, description="Where it was seen (ISO3)")
    first_seen: date
    seen_where: str = Field("", max_length=300, description="e.g. a messaging group, a website")
    url: str = Field("", max_length=1000)
    language: str = Field("", max_length=35, description="BCP 47 tag")
    reach: int | None = Field(None, ge=0, le=10**12, description="Views or shares, if known")


class RumourOut(BaseModel):
    id: int
    claim: str
    country: str
    first_seen: date
    seen_where: str
    url: str
    language: str
    reach: int | None
    party: str
    fact_check_id: int | None
    created_at: datetime


class RumourGroupOut(BaseModel):
    claim: str = Field(description="The first claim of the group")
    reports: int
    countries: list[str]
    reach: int
    first_seen: date
    rumour_ids: list[int]


class SourceIn(Input):
    title: str = Field("", max_length=300)
    url: str = Field(max_length=1000)


class FactCheckTranslationIn(Input):
    language: str = Field(min_length=2, max_length=35, description="BCP 47 tag")
    claim: str = Field(min_length=1, max_length=5000)
    explanation: Annotated[str, Field(max_length=20_000)] = Field(
        "", description="Markdown; raw HTML is not rendered"
    )


class FactCheckIn(Input):
    verdict: str = Field(description="false, misleading, missing_context, unproven or true")
    translations: list[FactCheckTranslationIn] = Field(min_length=1, max_length=40)
    sources: list[SourceIn] = Field(default_factory=list, max_length=30)
    countries: list[Annotated[str, Field(max_length=3)]] = Field(
        default_factory=list, max_length=300
    )
    event_id: int | None = Field(None, ge=1, le=2**63 - 1)
    rumour_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, max_length=1000, description="Rumours this answers"
    )


class FactCheckOut(BaseModel):
    id: int
    status: str = Field(description="draft, published or withdrawn")
    verdict: str
    translations: list[dict[str, str]]
    sources: list[dict[str, str]]
    countries: list[str]
    event_id: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    rumour_ids: list[int]


def _rumour(r: Any) -> RumourOut:
    return RumourOut.model_validate({n: getattr(r, n) for n in RumourOut.model_fields})


def _check_outs(session: Session, actor: Actor, checks: Sequence[FactCheck]) -> list[FactCheckOut]:
    """The fact checks as answered; the rumours they answer (not shown to partners)
    read for all of them in one statement."""
    linked = queries.rumour_ids_of(session, [c.id for c in checks]) if not actor.is_partner else {}
    return [
        FactCheckOut(
            **{
                n: getattr(check, n)
                for n in FactCheckOut.model_fields
                if n not in ("translations", "rumour_ids")
            },
            translations=[
                {"language": t.language, "claim": t.claim, "explanation": t.explanation}
                for t in check.translations
            ],
            rumour_ids=linked.get(check.id, []),
        )
        for check in checks
    ]


def _check_out(session: Session, actor: Actor, check: FactCheck) -> FactCheckOut:
    return _check_outs(session, actor, [check])[0]


def _fields(body: FactCheckIn) -> actions.FactCheckFields:
    data = body.model_dump()
    return actions.FactCheckFields(
        verdict=data["verdict"],
        translations=[actions.FactCheckTranslationFields(**t) for t in data["translations"]],
        sources=data["sources"],
        countries=data["countries"],
        event_id=data["event_id"],
        rumour_ids=data["rumour_ids"],
    )


@router.post("/rumours", status_code=201, response_model=RumourOut, summary="Log a rumour")
def log_rumour(body: RumourIn, actor: CurrentActor, db: DbDep) -> RumourOut:
    """Officers of the member states and the coordinator log claims they see
    circulating. Rumours are never public and partners do not see them."""

    def job(session: Session) -> RumourOut:
        return _rumour(
            actions.log_rumour(session, actor, actions.RumourFields(**body.model_dump()))
        )

    return db.run_sync(job)


@router.get("/rumours", response_model=list[RumourOut], summary="The rumour log")
def list_rumours(actor: CurrentActor, db: DbDep) -> list[RumourOut]:
    with db.read() as session:
        return [_rumour(r) for r in actions.rumours(session, actor)]


@router.get(
    "/rumours/groups",
    response_model=list[RumourGroupOut],
    summary="Unanswered rumours grouped by claim, most important first",
)
def rumour_groups(actor: CurrentActor, db: DbDep) -> list[RumourGroupOut]:
    with db.read() as session:
        return [
            RumourGroupOut(
                claim=g.claim,
                reports=len(g.rumours),
                countries=g.countries,
                reach=g.reach,
                first_seen=g.first_seen,
                rumour_ids=g.ids,
            )
            for g in actions.groups(session, actor)
        ]


@router.post(
    "/fact-checks", status_code=201, response_model=FactCheckOut, summary="Draft a fact check"
)
def create_fact_check(body: FactCheckIn, actor: CurrentActor, db: DbDep) -> FactCheckOut:
    """The coordinator answers a claim: verdict, explanation, sources, translations."""

    def job(session: Session) -> FactCheckOut:
        return _check_out(session, actor, actions.create(session, actor, _fields(body)))

    return db.run_sync(job)


@router.get("/fact-checks", response_model=list[FactCheckOut], summary="Fact checks")
def list_fact_checks(actor: CurrentActor, db: DbDep) -> list[FactCheckOut]:
    """Partners see published fact checks only."""
    with db.read() as session:
        return _check_outs(session, actor, list(session.scalars(queries.fact_checks(actor))))


@router.get("/fact-checks/{fact_check_id}", response_model=FactCheckOut, summary="A fact check")
def get_fact_check(fact_check_id: Id, actor: CurrentActor, db: DbDep) -> FactCheckOut:
    with db.read() as session:
        return _check_out(session, actor, actions.access(session, actor, fact_check_id))


@router.put("/fact-checks/{fact_check_id}", response_model=FactCheckOut, summary="Edit")
def edit_fact_check(
    fact_check_id: Id, body: FactCheckIn, actor: CurrentActor, db: DbDep
) -> FactCheckOut:
    """A published fact check shows the change once published again."""

    def job(session: Session) -> FactCheckOut:
        check = actions.access(session, actor, fact_check_id)
        return _check_out(session, actor, actions.edit(session, actor, check, _fields(body)))

    return db.run_sync(job)


@router.post("/fact-checks/{fact_check_id}/publish", response_model=FactCheckOut, summary="Publish")
def publish_fact_check(fact_check_id: Id, actor: CurrentActor, db: DbDep) -> FactCheckOut:
    """On the public site and feeds, with schema.org ClaimReview markup."""

    def job(session: Session) -> FactCheckOut:
        check = actions.access(session, actor, fact_check_id)
        return _check_out(session, actor, actions.publish_check(session, actor, check))

    return db.run_sync(job)


@router.post(
    "/fact-checks/{fact_check_id}/withdraw", response_model=FactCheckOut, summary="Withdraw"
)
def withdraw_fact_check(fact_check_id: Id, actor: CurrentActor, db: DbDep) -> FactCheckOut:
    def job(session: Session) -> FactCheckOut:
        check = actions.access(session, actor, fact_check_id)
        return _check_out(session, actor, actions.withdraw(session, actor, check))

    return db.run_sync(job)
