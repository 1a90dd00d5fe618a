"""The demo network: the ASEAN parties and one user per role, sharing a generated
password, with sample data in every part so that the pages are not empty.

The data are files, eocnet/data/demo/*.yaml; this package loads them through the
actions, in one write job (``db.run_sync(load_demo, settings)``). What is generated
(years of weekly surveillance with seeded random counts, the PDF of a meeting's
minutes) is generated in surveillance.py and samples.py from the files' parameters."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import directory, users
from eocnet.auth import passwords
from eocnet.config import Settings
from eocnet.db.models import DemoCredential, Party, User
from eocnet.demo.files import Demo, read

DOMAIN = str(read("network")["domain"])
MAIN_DEMO_USER = f"officer.idn@{DOMAIN}"

__all__ = ["DOMAIN", "MAIN_DEMO_USER", "demo_credentials", "demo_users", "load_demo"]


@dataclass(frozen=True)
class DemoUser:
    email: str
    party: str
    roles: tuple[str, ...]
    name: str


def demo_users(
    member_codes: list[str], partner_codes: list[str], coordinator: str
) -> list[DemoUser]:
    """The demo's people (network.yaml) for the parties of the network."""
    of = {"members": member_codes, "partners": partner_codes, "coordinator": [coordinator]}
    return [
        DemoUser(
            f"{person['email'].format(code=c.lower(), CODE=c)}@{DOMAIN}",
            c,
            tuple(person["roles"]),
            person["name"].format(code=c.lower(), CODE=c),
        )
        for person in read("network")["users"]
        for c in of[person["of"]]
    ]


def new_demo_password() -> str:
    words = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
    return f"demo-{words}"


def is_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def load_demo(session: Session, settings: Settings) -> str | None:
    """Load the demo network into an empty database.

    Returns the generated demo password, or None when the database already has users.
    """
    from eocnet.demo import samples, surveillance  # the actions they call, only when loading

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
    network = read("network")
    for person in demo_users(members, partners, coordinator):
        users.create_user(
            session,
            None,
            email=person.email,
            party_code=person.party,
            roles=list(person.roles),
            password=password,
            name=person.name,
            language=network["languages"].get(person.party, "en"),
        )
        session.add(DemoCredential(email=person.email, password=password))
    demo = Demo(session, settings, DOMAIN)
    if set(network["samples_need_members"]) <= set(members):
        samples.exchange(demo, read("exchange"))
        samples.risk_communication(demo, read("risk_communication"))
        samples.coordination(demo, read("coordination"))
    surveillance.load(demo, read("surveillance"), members, coordinator)
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
