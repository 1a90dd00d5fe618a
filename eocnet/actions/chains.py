"""Chains of transmission (Go.Data's "chains of transmission"): the cases and contacts
of an event's tracing notices as a graph of who exposed whom, where and when, across
notices and events: a contact who became a case (:func:`tracing.convert_to_case`) and
the notice listing that case's own contacts (``source_person_id``) join two notices.

Each party sees the people it may see: names come only from
:func:`tracing.read_persons` (so every read is audited), everyone else is an anonymous
node labelled with its role and party. Only notices the actor's party sent or received
(all of them for the coordinator) are drawn; a source case from a notice the actor does
not see appears anonymously."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, tracing
from eocnet.actions.errors import NotFound
from eocnet.config import Settings
from eocnet.db.models import Event, TracedPerson, TracingNotice
from eocnet.domain import follow_up
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import can_see


@dataclass
class Node:
    id: str  # "p<person id>", or "n<notice id>" for a notice's unnamed index case
    kind: str  # case, contact, co_traveller, index
    party: str  # the party that traces the person (the sender for an index case)
    label: str  # the name for those who may read it, else role and party
    named: bool
    notice_id: int
    event_id: int
    disease: str = ""
    case_since: str = ""  # a contact who became a case
    follow_up_until: str = ""

    @property
    def is_case(self) -> bool:
        return self.kind in ("case", "index") or bool(self.case_since)


@dataclass
class Edge:
    source: str
    target: str
    notice_id: int
    event_id: int
    when: str  # the last exposure (from the follow-up end when the name is not seen)
    where: str  # the place or the flight, for those who may read the person
    kind: str = "exposed"  # or "same_person": a source case listed again as a case


@dataclass
class Chains:
    event_id: int
    notices: list[int]
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def timeline(self) -> list[dict[str, str]]:
        """Exposures and conversions in order of date, labelled as the nodes are."""
        label = {n.id: n.label for n in self.nodes}
        items = [
            {
                "day": e.when,
                "what": "exposed",
                "source": label[e.source],
                "target": label[e.target],
                "where": e.where,
                "notice": str(e.notice_id),
            }
            for e in self.edges
            if e.when and e.kind == "exposed"
        ]
        items += [
            {
                "day": n.case_since,
                "what": "became_case",
                "source": "",
                "target": n.label,
                "where": "",
                "notice": str(n.notice_id),
            }
            for n in self.nodes
            if n.case_since
        ]
        return sorted(items, key=lambda i: (i["day"], i["what"], i["target"]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "notices": self.notices,
            "nodes": [n.__dict__ for n in self.nodes],
            "edges": [e.__dict__ for e in self.edges],
            "timeline": self.timeline(),
        }


def _exposure_day(person: TracedPerson, fields: dict[str, Any] | None) -> str:
    if fields:
        for name in ("last_exposure", "exposure_date", "travel_date"):
            if fields.get(name):
                return str(fields[name])[:10]
    if person.follow_up_until is None:
        return ""
    rule = follow_up.find(person.disease)
    days = rule.follow_up_days if rule else follow_up.DEFAULT_DAYS
    return (person.follow_up_until - timedelta(days=days)).isoformat()


def _party(person: TracedPerson, notice: TracingNotice | None) -> str:
    if person.receiving_party:
        return person.receiving_party
    if notice is not None and len(notice.parties) == 1:
        return notice.parties[0]
    return ""


def _anonymous(role: str, party: str) -> str:
    return f"{role.replace('_', ' ')} · {party or '?'}"


def event_chains(session: Session, actor: Actor, settings: Settings, event_id: int) -> Chains:
    """The chains through the event's notices, followed across notices and events
    through the source cases, within what the actor may see."""
    event = session.get(Event, event_id)
    if event is None or not can_see(
        actor.party_code, actor.party_kind, event.visibility, event.parties, event.owner_party
    ):
        raise NotFound(f"no event {event_id}")
    visible = {n.id: n for n in tracing.visible_notices(session, actor, limit=5000)}
    chosen = {nid for nid, n in visible.items() if n.event_id == event_id}
    owner: dict[int, int] = {}  # person id -> notice id, for the chosen notices
    while True:
        for nid in chosen:
            owner.update({p.id: nid for p in visible[nid].persons})
        grown = set(chosen)
        for nid, n in visible.items():
            if n.source_person_id in owner:
                grown.add(nid)  # lists the contacts of a case of the chosen notices
        sources = {visible[nid].source_person_id for nid in chosen} - {None}
        for person in session.scalars(select(TracedPerson).where(TracedPerson.id.in_(sources))):
            if person.notice_id in visible:
                grown.add(person.notice_id)  # the notice where the source case was a contact
        if grown == chosen:
            break
        chosen = grown
    chains = Chains(event_id, sorted(chosen))
    nodes: dict[str, Node] = {}
    readable: dict[int, dict[str, Any]] = {}
    people: dict[int, TracedPerson] = {}
    for nid in chains.notices:
        notice = visible[nid]
        for shown in tracing.read_persons(session, actor, settings, notice) or []:
            readable[int(shown["id"])] = shown
        for person in notice.persons:
            people[person.id] = person
            fields = readable.get(person.id)
            party = _party(person, notice)
            nodes[f"p{person.id}"] = Node(
                id=f"p{person.id}",
                kind=person.role,
                party=party,
                label=str(fields["full_name"]) if fields else _anonymous(person.role, party),
                named=bool(fields),
                notice_id=nid,
                event_id=notice.event_id,
                disease=person.disease,
                case_since=person.case_since.isoformat() if person.case_since else "",
                follow_up_until=(
                    person.follow_up_until.isoformat() if person.follow_up_until else ""
                ),
            )
    for nid in chains.notices:
        notice = visible[nid]
        cases = [p for p in notice.persons if p.role == "case"]
        exposers: list[str] = [f"p{p.id}" for p in cases]
        source_id = notice.source_person_id
        if source_id is not None:
            key = f"p{source_id}"
            if key not in nodes:  # from a notice the actor does not see: anonymous
                source = session.get(TracedPerson, source_id)
                if source is not None:
                    party = _party(source, session.get(TracingNotice, source.notice_id))
                    nodes[key] = Node(
                        id=key,
                        kind="case",
                        party=party,
                        label=_anonymous("case", party),
                        named=False,
                        notice_id=source.notice_id,
                        event_id=0,
                        disease=source.disease,
                    )
            if key in nodes:
                if exposers:
                    chains.edges += [
                        Edge(key, e, nid, notice.event_id, "", "", "same_person") for e in exposers
                    ]
                else:
                    exposers = [key]
        if not exposers:
            key = f"n{nid}"
            nodes[key] = Node(
                id=key,
                kind="index",
                party=notice.sender_party,
                label=_anonymous("index case", notice.sender_party),
                named=False,
                notice_id=nid,
                event_id=notice.event_id,
            )
            exposers = [key]
        for person in notice.persons:
            if person.role == "case":
                continue
            fields = readable.get(person.id)
            where = ""
            if fields:
                where = str(fields.get("exposure_place") or fields.get("travel_number") or "")
            for exposer in exposers:
                chains.edges.append(
                    Edge(
                        exposer,
                        f"p{person.id}",
                        nid,
                        notice.event_id,
                        _exposure_day(person, fields),
                        where,
                    )
                )
    chains.nodes = list(nodes.values())
    return chains


def export(session: Session, actor: Actor, settings: Settings, event_id: int, fmt: str) -> Chains:
    """The chains for an export file; audited as an export of personal data (the reads
    of the persons are audited too, by :func:`tracing.read_persons`)."""
    chains = event_chains(session, actor, settings, event_id)
    audit.record(
        session,
        actor,
        "tracing.export_chains",
        "event",
        event_id,
        details={
            "format": fmt,
            "notices": chains.notices,
            "named": sorted(int(n.id[1:]) for n in chains.nodes if n.named),
        },
    )
    return chains


def csv_rows(chains: Chains) -> tuple[list[str], list[list[Any]]]:
    """One row per link: who exposed whom, where and when."""
    nodes = {n.id: n for n in chains.nodes}
    columns = [
        "source",
        "source_label",
        "source_party",
        "target",
        "target_label",
        "target_party",
        "target_role",
        "target_case_since",
        "link",
        "notice_id",
        "event_id",
        "when",
        "where",
    ]
    rows = []
    for e in chains.edges:
        s, t = nodes[e.source], nodes[e.target]
        rows.append(
            [
                e.source,
                s.label,
                s.party,
                e.target,
                t.label,
                t.party,
                t.kind,
                t.case_since,
                e.kind,
                e.notice_id,
                e.event_id,
                e.when,
                e.where,
            ]
        )
    return columns, rows
