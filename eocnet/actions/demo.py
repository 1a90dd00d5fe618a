"""The demo network: the ASEAN parties and one user per role, sharing a generated password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import directory, users
from eocnet.auth import passwords
from eocnet.db.models import DemoCredential, Party, User

MAIN_DEMO_USER = "officer.idn@eocnet.example"
DOMAIN = "eocnet.example"


@dataclass(frozen=True)
class DemoUser:
    email: str
    party: str
    roles: tuple[str, ...]
    name: str


def demo_users(
    member_codes: list[str], partner_codes: list[str], coordinator: str
) -> list[DemoUser]:
    people = [
        DemoUser(f"officer.{c.lower()}@{DOMAIN}", c, ("officer",), f"Duty officer {c}")
        for c in member_codes
    ]
    people += [
        DemoUser(f"focal.{c.lower()}@{DOMAIN}", c, ("officer", "focal_point"), f"Focal point {c}")
        for c in member_codes
    ]
    people += [
        DemoUser(f"partner.{c.lower()}@{DOMAIN}", c, ("partner",), f"Partner liaison {c}")
        for c in partner_codes
    ]
    people.append(
        DemoUser(f"coordinator@{DOMAIN}", coordinator, ("coordinator",), "Regional coordinator")
    )
    people.append(DemoUser(f"admin@{DOMAIN}", coordinator, ("admin",), "Network administrator"))
    return people


def new_demo_password() -> str:
    words = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
    return f"demo-{words}"


def is_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def load_demo(session: Session) -> str | None:
    """Load the demo network into an empty database.

    Returns the generated demo password, or None when the database already has users.
    """
    if not is_empty(session):
        return None
    if session.execute(select(func.count()).select_from(Party)).scalar_one() == 0:
        directory.load_network(
            session, None, directory.read_network_file(directory.DEFAULT_NETWORK)
        )
    parties = session.execute(select(Party).where(Party.active.is_(True))).scalars().all()
    members = [p.code for p in parties if p.kind == "member"]
    partners = [p.code for p in parties if p.kind in ("partner", "organisation")]
    coordinator = next(p.code for p in parties if p.kind == "coordinator")
    password = new_demo_password()
    passwords.check_strength(password)
    for person in demo_users(members, partners, coordinator):
        users.create_user(
            session,
            None,
            email=person.email,
            party_code=person.party,
            roles=list(person.roles),
            password=password,
            name=person.name,
            language="id" if person.party == "IDN" else "en",
        )
        session.add(DemoCredential(email=person.email, password=password))
    return password


def demo_credentials(session: Session) -> tuple[str, str] | None:
    """The main demo login, if its generated password is still unchanged."""
    row = session.get(DemoCredential, MAIN_DEMO_USER)
    user = users.find_by_email(session, MAIN_DEMO_USER)
    if (
        row is None
        or user is None
        or not passwords.verify_password(user.password_hash, row.password)
    ):
        return None
    return row.email, row.password
