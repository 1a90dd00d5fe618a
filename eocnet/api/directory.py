"""Parties of the network and their EOCs' 24/7 contact points."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eocnet.actions import directory
from eocnet.actions.errors import NotFound
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import ContactOut, FocalPointOut, PartyDetailOut, PartyOut
from eocnet.db.models import Party

router = APIRouter(tags=["directory"])


def party_out(party: Party) -> PartyOut:
    return PartyOut(
        code=party.code,
        name=party.name,
        kind=party.kind,
        eoc_name=party.eoc_name,
        time_zone=party.time_zone,
        languages=party.languages,
        contacts=[
            ContactOut(kind=c.kind, value=c.value, label=c.label, always_on=c.always_on)
            for c in party.contacts
        ],
    )


@router.get("/parties", response_model=list[PartyOut], summary="List the parties")
def list_parties(
    actor: CurrentActor,
    db: DbDep,
    kind: Literal["member", "coordinator", "partner", "organisation"] | None = None,
) -> list[PartyOut]:
    """Every active party of the network with its EOC and 24/7 contact points."""
    with db.read() as session:
        query = (
            select(Party)
            .options(selectinload(Party.contacts))
            .where(Party.active.is_(True))
            .order_by(Party.kind, Party.code)
        )
        if kind:
            query = query.where(Party.kind == kind)
        return [party_out(p) for p in session.execute(query).scalars()]


@router.get("/parties/{code}", response_model=PartyDetailOut, summary="One party")
def get_party(code: str, actor: CurrentActor, db: DbDep) -> PartyDetailOut:
    """A party with its EOC, contact points and, for network members, its focal points."""
    with db.read() as session:
        party = session.get(Party, code.upper())
        if party is None or not party.active:
            raise NotFound(f"no party {code!r}")
        out = PartyDetailOut(**party_out(party).model_dump())
        users = directory.visible_focal_points(session, actor, party.code)
        if users is not None:
            out.focal_points = [
                FocalPointOut(name=u.name, email=u.email, phone=u.phone) for u in users
            ]
        return out
