"""Checks several actions share: text within limits, links (title and http(s)
address without spaces, quotes or control characters), party codes known to the
directory, and who may write."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

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


URL_LIMIT = 1000
# Characters RFC 3986 never allows unencoded and that end an address in HTML or a
# request line; whitespace and control characters are refused as well (url_problem).
_NOT_IN_URLS = frozenset('"<>\\`')


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a usable http(s) address, or None. Spaces, quotes and
    control characters are refused rather than encoded: an address is copied as it
    was given into links, feeds and HTTP request lines (where urllib refuses it)."""
    for ch in value:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            return "the address contains a space or a control character"
        if ch in _NOT_IN_URLS:
            return f"the address contains {ch!r}; encode it as %{ord(ch):02X}"
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        return "the address cannot be read"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "the address must be http:// or https:// with a host"
    return None


def http_url(value: str, name: str, required: bool = False) -> str:
    """An http(s) address, trimmed; empty unless ``required``."""
    value = text(value, name, URL_LIMIT, required=required)
    if value and (problem := url_problem(value)):
        raise Invalid(problem, field=name)
    return value


def links(items: list[dict[str, str]], name: str, what: str = "a link") -> list[dict[str, str]]:
    """Links as {title, url}: the address must be http(s); the title defaults to it."""
    out = []
    for i, item in enumerate(items):
        field = f"{name}[{i}].url"
        url = str(item.get("url", "")).strip()
        if not url:
            raise Invalid(f"{what} must be an http(s) address", field=field)
        url = http_url(url, field)
        title = text(str(item.get("title", "")), f"{name}[{i}].title", 300) or url
        out.append({"title": title, "url": url})
    return out


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
