"""Reading the CAP sources the operator configures (EOCNET_CAP_FEEDS): each URL
is a CAP message, or an Atom or RSS feed linking to CAP messages (as alert hubs
publish them). New valid messages become draft advisories of
EOCNET_CAP_FEEDS_PARTY (the coordinator by default), to be reviewed like any
other; invalid ones are logged with the validator's messages and skipped.

The operator chose these addresses, so they are fetched as given (redirects
followed); each response is capped in size and time.
"""

from __future__ import annotations

import logging
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urljoin

from lxml import etree
from sqlalchemy import select

from eocnet.actions import advisories, schedule
from eocnet.actions.errors import ActionError, Conflict
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Party
from eocnet.domain import cap
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.interop import safe_xml

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
MAX_MESSAGES_PER_FEED = 50
TIMEOUT = 20.0
ATOM = "http://www.w3.org/2005/Atom"


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "eocnet CAP reader"})  # noqa: S310 (operator-configured http(s) URL, checked by links())
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        data = bytes(response.read(MAX_BYTES + 1))
    if len(data) > MAX_BYTES:
        raise ValueError(f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB")
    return data


def links(document: bytes, base: str) -> list[str] | None:
    """The CAP message links of an Atom or RSS feed; None when the document is
    not a feed (then it is taken as a CAP message)."""
    root = safe_xml.parse(document)
    name = etree.QName(root)
    found: list[str] = []
    if name.namespace == ATOM and name.localname == "feed":
        for link in root.iterfind(f"{{{ATOM}}}entry/{{{ATOM}}}link"):
            href = link.get("href", "")
            kind = link.get("type", "")
            if href and (
                kind in ("application/cap+xml", "application/xml") or href.endswith(".xml")
            ):
                found.append(urljoin(base, href))
    elif name.localname == "rss":
        for item in root.iterfind("channel/item"):
            href = (item.findtext("link") or "").strip()
            if href:
                found.append(urljoin(base, href))
    elif name.namespace == cap.NAMESPACE:
        return None
    else:
        return None
    return [u for u in dict.fromkeys(found) if u.startswith(("https://", "http://"))]


def _actor(db: Database, settings: Settings) -> Actor | None:
    with db.read() as session:
        query = select(Party)
        if settings.cap_feeds_party:
            query = query.where(Party.code == settings.cap_feeds_party.upper())
        else:
            query = query.where(Party.kind == "coordinator")
        party = session.scalars(query.limit(1)).first()
        if party is None:
            log.error("CAP feeds: no party %r to import for", settings.cap_feeds_party)
            return None
        return Actor(
            user_id=0,
            email="cap-feeds@eocnet",
            party_code=party.code,
            party_kind=party.kind,
            roles=(Role.OFFICER,),
        )


def import_message(db: Database, actor: Actor, data: bytes, source: str) -> bool:
    try:
        advisory_id = db.run_sync(lambda session: advisories.import_cap(session, actor, data).id)
        log.info("CAP feeds: %s became draft advisory %s", source, advisory_id)
        return True
    except Conflict:
        return False  # imported on an earlier round
    except ActionError as exc:
        details = "; ".join(e["detail"] for e in (exc.errors or [])) or exc.detail
        log.warning("CAP feeds: %s refused: %s", source, details)
        return False


def run(db: Database, settings: Settings, now: datetime, force: bool = False) -> int:
    """One round over the configured sources, at most every
    EOCNET_CAP_FEEDS_INTERVAL_MINUTES for the whole deployment (the shared schedule,
    actions/schedule.py; ``force`` reads them now); returns how many drafts were made."""
    urls = settings.cap_feeds.split()
    if not urls:
        return 0
    every = timedelta(minutes=settings.cap_feeds_interval_minutes)
    if not force and not db.run_sync(schedule.claim, "cap_feeds", now, every):
        return 0
    actor = _actor(db, settings)
    if actor is None:
        return 0
    made = 0
    for url in urls:
        try:
            document = fetch(url)
            targets = links(document, url)
        except (OSError, ValueError) as exc:
            log.warning("CAP feeds: cannot read %s: %s", url, exc)
            continue
        if targets is None:
            made += import_message(db, actor, document, url)
            continue
        for target in targets[:MAX_MESSAGES_PER_FEED]:
            try:
                made += import_message(db, actor, fetch(target), target)
            except (OSError, ValueError) as exc:
                log.warning("CAP feeds: cannot read %s: %s", target, exc)
    return made
