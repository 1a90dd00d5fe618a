"""Laboratories, support requests, their offers and specimen shipments as queries
built for an ``Actor``. The laboratory directory is seen by every signed-in user; a
support request by its audience (``actions/laboratories.audience``, here in SQL: the
network or the network and its partners as chosen, or the requesting party, the
parties it names and the coordinator); a shipment by its sending and receiving
parties and the coordinator."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from eocnet.db.audience import is_coordinator_party, list_has, network_kind
from eocnet.db.models import Laboratory, SpecimenShipment, SupportOffer, SupportRequest
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import Visibility


def laboratories(party: str | None = None) -> Select[Laboratory]:
    """The directory, by party and name; optionally one party's."""
    query = select(Laboratory).order_by(Laboratory.party_code, Laboratory.name)
    if party:
        query = query.where(Laboratory.party_code == party.upper())
    return query


def testing_for(labs: Sequence[Laboratory], agent: str) -> list[Laboratory]:
    """The laboratories of ``labs`` with a test for a pathogen whose name holds ``agent``."""
    if not agent:
        return list(labs)
    wanted = agent.casefold()
    return [lab for lab in labs if any(wanted in t["agent"].casefold() for t in lab.tests)]


def lab_names(session: Session) -> dict[int, str]:
    return {lab.id: f"{lab.name} ({lab.party_code})" for lab in session.scalars(select(Laboratory))}


def request_visible(actor: Actor) -> Any:
    """SQL: the support requests ``actor`` may see (``actions.laboratories.can_see``)."""
    me = actor.party_code
    return or_(
        SupportRequest.requesting_party == me,
        and_(
            SupportRequest.visibility == Visibility.RESTRICTED.value,
            or_(list_has(SupportRequest.parties, me), is_coordinator_party(me)),
        ),
        SupportRequest.visibility == Visibility.PARTNERS.value,
        and_(SupportRequest.visibility == Visibility.NETWORK.value, network_kind(actor)),
    )


def support_requests(actor: Actor, status: str = "") -> Select[SupportRequest]:
    query = (
        select(SupportRequest)
        .where(request_visible(actor))
        .order_by(SupportRequest.updated_at.desc(), SupportRequest.id.desc())
    )
    if status:
        query = query.where(SupportRequest.status == status)
    return query


def offers_of(session: Session, request_ids: Collection[int]) -> dict[int, list[SupportOffer]]:
    """The offers made on each of these requests, in the order made, in one statement."""
    out: dict[int, list[SupportOffer]] = {i: [] for i in request_ids}
    if request_ids:
        query = (
            select(SupportOffer)
            .where(SupportOffer.request_id.in_(list(request_ids)))
            .order_by(SupportOffer.id)
        )
        for row in session.scalars(query):
            out[row.request_id].append(row)
    return out


def shipment_visible(actor: Actor) -> Any:
    """SQL: the shipments ``actor`` may see (``actions.laboratories.access_shipment``)."""
    return or_(
        SpecimenShipment.sender_party == actor.party_code,
        SpecimenShipment.receiver_party == actor.party_code,
        is_coordinator_party(actor.party_code),
    )


def shipments(actor: Actor) -> Select[SpecimenShipment]:
    return (
        select(SpecimenShipment).where(shipment_visible(actor)).order_by(SpecimenShipment.id.desc())
    )
