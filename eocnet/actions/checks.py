"""Checks several actions share: text within limits, links (title and http(s)
address), party codes known to the directory, and who may write."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions.errors import Forbidden, Invalid
from eocnet.db.models import Party
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role

WRITING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR, Role.ADMIN})


def text(value: str, name: str, limit: int, required: bool = False) -> str:
    """The text trimmed; refused when empty (if required) or longer than ``limit``."""
    value = (value or "").strip()
    label = name.split(".")[-1].replace("_", " ")
    if required and not value:
        raise Invalid(f"{label} is empty", field=name)
    if len(value) > limit:
        raise Invalid(f"{label} is longer than {limit:,} characters", field=name)
    return value


def links(items: list[dict[str, str]], name: str, what: str = "a link") -> list[dict[str, str]]:
    """Links as {title, url}: the address must be http(s); the title defaults to it."""
    out = []
    for i, item in enumerate(items):
        url = str(item.get("url", "")).strip()
        if not url.startswith(("https://", "http://")):
            raise Invalid(f"{what} must be an http(s) address", field=f"{name}[{i}].url")
        title = text(str(item.get("title", "")), f"{name}[{i}].title", 300) or url
        out.append({"title": title, "url": url[:1000]})
    return out


def http_url(value: str, name: str) -> str:
    value = text(value, name, 1000)
    if value and not value.startswith(("https://", "http://")):
        raise Invalid("the link must be an http(s) address", field=name)
    return value


def coordinators(session: Session) -> tuple[str, ...]:
    return tuple(session.scalars(select(Party.code).where(Party.kind == "coordinator")))


def require_writer(actor: Actor, what: str) -> None:
    if actor.scope != "write" or not any(r in WRITING_ROLES for r in actor.roles):
        raise Forbidden(f"your role cannot {what}")


def check_parties(session: Session, codes: list[str], name: str = "parties") -> list[str]:
    """The codes, upper-cased and sorted, each a party of the directory."""
    known = set(session.scalars(select(Party.code)))
    out = sorted({c.strip().upper() for c in codes if c.strip()})
    for code in out:
        if code not in known:
            raise Invalid(f"no party {code!r} in the directory", field=name)
    return out
