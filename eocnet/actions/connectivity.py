"""Focal-point connectivity checks, as the IHR contact-point tests do: the
network asks each member state's 24/7 contact points to acknowledge a message,
and records how long each took.

A round sends, for each member state, an in-app message to the party's users
and an e-mail to each of its e-mail contact points (through the outbox). Anyone
of that party acknowledges on the page or through the API; the first
acknowledgement counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, notifications
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db.models import ConnectivityCheck, ConnectivityProbe, ContactPoint, Party
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish


def start(session: Session, actor: Actor | None, base_url: str) -> ConnectivityCheck:
    """A new round (by the coordinator, or by the schedule when ``actor`` is None)."""
    if actor is not None and not actor.is_coordinator:
        raise Forbidden("the coordinator runs connectivity checks")
    now = utcnow()
    check = ConnectivityCheck(started_at=now, started_by=actor.user_id if actor else None)
    session.add(check)
    session.flush()
    members = session.scalars(
        select(Party).where(Party.kind == "member", Party.active.is_(True)).order_by(Party.code)
    ).all()
    for party in members:
        probe = ConnectivityProbe(check_id=check.id, party_code=party.code, sent_at=now)
        session.add(probe)
        session.flush()
        link = f"{base_url.rstrip('/')}/connectivity"
        publish(
            session,
            "connectivity.probe",
            Audience(Visibility.RESTRICTED, party.code, (party.code,)),
            {"id": probe.id, "check_id": check.id, "party": party.code, "url": link},
        )
        for contact in session.scalars(
            select(ContactPoint).where(
                ContactPoint.party_code == party.code, ContactPoint.kind == "email"
            )
        ):
            notifications.queue_email(
                session,
                contact.value,
                f"[eocnet] Connectivity check {check.id}: please acknowledge",
                "This is a test of the network's 24/7 contact points.\n\n"
                f"Please acknowledge it now: sign in and open {link}\n"
                "The time to acknowledge is recorded for your EOC.\n",
            )
    audit.record(
        session,
        actor,
        "connectivity.started",
        "connectivity_check",
        check.id,
        actor_label="schedule",
        details={"parties": [p.code for p in members]},
    )
    return check


def acknowledge(session: Session, actor: Actor, probe_id: int) -> ConnectivityProbe:
    probe = session.get(ConnectivityProbe, probe_id)
    if probe is None or probe.party_code != actor.party_code:
        raise NotFound(f"no connectivity probe {probe_id} for your party")
    if actor.scope != "write" or actor.is_partner:
        raise Forbidden("a member state's officer acknowledges")
    if probe.acknowledged_at is not None:
        raise Invalid("already acknowledged", field="probe")
    probe.acknowledged_at = utcnow()
    probe.acknowledged_by = actor.user_id
    session.flush()
    seconds = (probe.acknowledged_at - probe.sent_at).total_seconds()
    audit.record(
        session, actor, "connectivity.acknowledged", "connectivity_probe", probe.id,
        details={"seconds": round(seconds)},
    )  # fmt: skip
    publish(
        session,
        "connectivity.acknowledged",
        Audience(Visibility.NETWORK, probe.party_code),
        {"id": probe.id, "party": probe.party_code, "seconds": round(seconds)},
    )
    return probe


def pending_for(session: Session, party: str) -> list[ConnectivityProbe]:
    return list(
        session.scalars(
            select(ConnectivityProbe)
            .where(
                ConnectivityProbe.party_code == party,
                ConnectivityProbe.acknowledged_at.is_(None),
            )
            .order_by(ConnectivityProbe.id.desc())
        )
    )


@dataclass
class Result:
    check_id: int
    started_at: datetime
    party: str
    minutes: float | None  # None: not acknowledged


def results(session: Session, limit_checks: int = 12) -> list[Result]:
    """The last rounds, oldest first, one row per party and round."""
    checks = list(
        session.scalars(
            select(ConnectivityCheck).order_by(ConnectivityCheck.id.desc()).limit(limit_checks)
        )
    )
    ids = [c.id for c in checks]
    started = {c.id: c.started_at for c in checks}
    probes = session.scalars(
        select(ConnectivityProbe)
        .where(ConnectivityProbe.check_id.in_(ids))
        .order_by(ConnectivityProbe.check_id, ConnectivityProbe.party_code)
    )
    return [
        Result(
            p.check_id,
            started[p.check_id],
            p.party_code,
            round((p.acknowledged_at - p.sent_at).total_seconds() / 60, 1)
            if p.acknowledged_at
            else None,
        )
        for p in probes
    ]


def last_started(session: Session) -> datetime | None:
    return session.scalar(
        select(ConnectivityCheck.started_at).order_by(ConnectivityCheck.id.desc())
    )


def start_if_due(session: Session, settings: Settings, now: datetime) -> int:
    """The scheduler's check: start a round when the last one is older than
    EOCNET_CONNECTIVITY_CHECK_DAYS (0: never). Returns 1 if one was started."""
    if settings.connectivity_check_days <= 0:
        return 0
    last = last_started(session)
    if last is not None and now - last < timedelta(days=settings.connectivity_check_days):
        return 0
    start(session, None, settings.base_url)
    return 1
