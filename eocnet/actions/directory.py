"""Loading a network's parties and their EOCs from a network file."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.errors import Invalid
from eocnet.db.models import ContactPoint, Party, User
from eocnet.domain.actors import Actor
from eocnet.domain.parties import NetworkFileError, NetworkSpec, parse_network
from eocnet.domain.roles import Permission, Role

DEFAULT_NETWORK = Path(__file__).resolve().parent.parent / "data" / "network-asean.yaml"


def read_network_file(path: Path) -> NetworkSpec:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror}", field="file") from None
    except yaml.YAMLError as exc:
        raise Invalid(f"{path} is not valid YAML: {exc}", field="file") from None
    try:
        return parse_network(raw)
    except NetworkFileError as exc:
        raise Invalid(f"{path}: {exc}", field="file") from None


def load_network(session: Session, actor: Actor | None, network: NetworkSpec) -> dict[str, int]:
    """Create or update every party of ``network``; parties no longer listed are deactivated.

    Returns counts of created, updated and deactivated parties.
    """
    existing = {p.code: p for p in session.execute(select(Party)).scalars()}
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    listed = set()
    for spec in network.parties:
        listed.add(spec.code)
        party = existing.get(spec.code)
        if party is None:
            party = Party(code=spec.code)
            session.add(party)
            counts["created"] += 1
        else:
            counts["updated"] += 1
        party.name = spec.name
        party.kind = spec.kind.value
        party.eoc_name = spec.eoc_name
        party.time_zone = spec.time_zone
        party.languages = list(spec.languages)
        party.active = True
        party.network_version = network.version
        party.contacts = [
            ContactPoint(kind=c.kind.value, value=c.value, label=c.label, always_on=c.always_on)
            for c in spec.contacts
        ]
    for code, party in existing.items():
        if code not in listed and party.active:
            party.active = False
            counts["deactivated"] += 1
    session.flush()
    audit.record(
        session,
        actor,
        "directory.load",
        "network",
        network.name,
        details={"version": network.version, **counts},
    )
    return counts


def coordinator_code(session: Session) -> str | None:
    return session.execute(
        select(Party.code).where(Party.kind == "coordinator", Party.active.is_(True))
    ).scalar_one_or_none()


def visible_focal_points(session: Session, actor: Actor, party_code: str) -> list[User] | None:
    """The active focal points of a party, or None when the actor may not see them
    (partners see other parties' EOCs but not their focal points' contacts)."""
    if not (actor.can(Permission.VIEW_FOCAL_POINTS) or actor.party_code == party_code):
        return None
    users = session.execute(
        select(User)
        .where(User.party_code == party_code, User.is_active.is_(True))
        .order_by(User.name)
    ).scalars()
    return [u for u in users if Role.FOCAL_POINT.value in u.roles]
