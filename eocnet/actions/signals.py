"""Event-based surveillance: signal sources, the intake of their items, signals reported
by hand, triage, linking to events, and verification requests (IHR Art. 10).

Who sees what:
- a source and its items have one audience, chosen when the source is added (by
  default only the adding party and the coordinator); a signal reported by hand has
  the same default. Asking a party to verify a signal adds that party to it.
- a verification request is seen by the requesting party, the requested party and the
  coordinator, no one else (404).
- a signal linked to an event is never wider than the event: a new event gets the
  signal's audience; an existing event must be seen by everyone who sees the signal.

The rules are in ``domain/signals.py``; ``jobs/signals.py`` fetches the feeds (outside
any transaction) and hands each outcome to :func:`record_poll`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pycountry
import yaml
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, notifications
from eocnet.actions.checks import coordinators, http_url, require_writer, text
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.actions.webhooks import check_outgoing_url
from eocnet.config import Settings
from eocnet.db.audience import visible_to
from eocnet.db.models import (
    Event,
    Party,
    Rumour,
    Signal,
    SignalSource,
    User,
    VerificationRequest,
)
from eocnet.db.types import utcnow
from eocnet.domain import languages
from eocnet.domain import signals as rules
from eocnet.domain.actors import Actor
from eocnet.domain.places import is_country
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility, audience_of
from eocnet.interop.feeds import Feed
from eocnet.realtime.log import Audience, parties_key, publish

DATA = Path(__file__).resolve().parent.parent / "data" / "signals"
CONFIGURING_ROLES = frozenset({Role.COORDINATOR, Role.FOCAL_POINT})
#: How far back an item is compared with earlier titles for near-duplicates.
NEAR_DUPLICATE_WINDOW = timedelta(days=14)
#: A source being polled is not due again for this long (a poller that died mid-way).
POLL_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(days=1)
MAX_NOTES = 20_000


# ---------------------------------------------------------------- matching


@functools.cache
def matcher() -> rules.Matcher:
    """Hazards and places from ``data/signals``, with the English name of every country."""
    hazards = yaml.safe_load((DATA / "hazards.yaml").read_text(encoding="utf-8"))
    places: dict[str, dict[str, list[str]]] = yaml.safe_load(
        (DATA / "places.yaml").read_text(encoding="utf-8")
    )
    for country in pycountry.countries:
        names = places.setdefault(country.alpha_3, {}).setdefault("en", [])
        for attribute in ("name", "common_name"):
            if name := getattr(country, attribute, None):
                names.append(str(name))
    return rules.Matcher(hazards, places)


# ---------------------------------------------------------------- audiences


def _audience(row: Any) -> Audience:
    return Audience(row.visibility, row.owner_party, tuple(row.parties))


def _kinds(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Party.code, Party.kind).where(Party.active.is_(True))).all())


def _choose_audience(
    session: Session, actor: Actor, visibility: str | None, parties: list[str] | None
) -> tuple[str, list[str]]:
    """The audience asked for, or by default: the actor's party and the coordinator."""
    if visibility is None:
        visibility = Visibility.RESTRICTED
    try:
        visibility = Visibility(visibility)
    except ValueError:
        raise Invalid("visibility is network, partners or restricted", field="visibility") from None
    if parties is None:
        parties = list(coordinators(session)) if visibility == Visibility.RESTRICTED else []
    known = _kinds(session)
    chosen = sorted({p.strip().upper() for p in parties if p.strip()})
    for code in chosen:
        if code not in known:
            raise Invalid(f"no party {code!r} in the directory", field="parties")
    return visibility, [p for p in chosen if p != actor.party_code]


def _member(actor: Actor, roles: frozenset[Role]) -> bool:
    return actor.scope == "write" and any(r in roles for r in actor.roles)


def can_configure(actor: Actor) -> bool:
    """Coordinators and focal points add signal sources."""
    return _member(actor, CONFIGURING_ROLES)


# ---------------------------------------------------------------- sources


def add_source(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    url: str,
    name: str,
    language: str,
    reliability: str = "F",
    visibility: str | None = None,
    parties: list[str] | None = None,
) -> SignalSource:
    if not _member(actor, CONFIGURING_ROLES):
        raise Forbidden("coordinators and focal points configure signal sources")
    url = http_url(url, "url", required=True)
    check_outgoing_url(
        url, settings, allow_private=settings.signal_allow_private, field="url",
        what="signal sources",
    )  # fmt: skip
    language = languages.normal_tag(text(language, "language", 35, required=True))
    if problem := languages.language_problem(language):
        raise Invalid(problem, field="language")
    reliability = reliability.strip().upper()
    if reliability not in rules.RELIABILITY:
        raise Invalid("reliability is one of A to F (Admiralty scale)", field="reliability")
    chosen, others = _choose_audience(session, actor, visibility, parties)
    taken = session.scalar(
        select(SignalSource.id).where(
            SignalSource.owner_party == actor.party_code, SignalSource.url == url
        )
    )
    if taken is not None:
        raise Conflict(f"your party already has this source (source {taken})", field="url")
    now = utcnow()
    source = SignalSource(
        url=url,
        name=text(name, "name", 200, required=True),
        language=language,
        reliability=reliability,
        visibility=chosen,
        parties=others,
        parties_key=parties_key(others),
        owner_party=actor.party_code,
        created_by=actor.user_id,
        created_at=now,
        next_poll_at=now,
    )
    session.add(source)
    session.flush()
    audit.record(
        session, actor, "signal_source.add", "signal_source", source.id,
        details={"url": url, "name": source.name, "visibility": chosen, "parties": others},
    )  # fmt: skip
    publish(
        session,
        "signal_source.added",
        _audience(source),
        {"id": source.id, "name": source.name, "url": url, "language": language},
    )
    return source


def sources(session: Session, actor: Actor) -> list[SignalSource]:
    query = select(SignalSource).where(visible_to(SignalSource, actor)).order_by(SignalSource.id)
    return list(session.scalars(query))


def access_source(session: Session, actor: Actor, source_id: int) -> SignalSource:
    source = session.get(SignalSource, source_id)
    if source is None or not _audience(source).allows(
        actor.party_code, actor.party_kind, actor.user_id
    ):
        raise NotFound(f"no signal source {source_id}")
    return source


# ---------------------------------------------------------------- polling (for jobs/signals.py)


@dataclass(frozen=True)
class PollWork:
    source_id: int
    url: str
    etag: str
    last_modified: str


def any_due(session: Session, now: datetime) -> bool:
    found = session.scalar(
        select(SignalSource.id)
        .where(SignalSource.active.is_(True), SignalSource.next_poll_at <= now)
        .limit(1)
    )
    return found is not None


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[PollWork]:
    """The sources due for a poll, each leased (not due again for POLL_LEASE) so that two
    job runners never poll the same source at once."""
    due = list(
        session.scalars(
            select(SignalSource)
            .where(SignalSource.active.is_(True), SignalSource.next_poll_at <= now)
            .order_by(SignalSource.next_poll_at)
            .limit(limit)
        )
    )
    for source in due:
        source.next_poll_at = now + POLL_LEASE
    return [PollWork(s.id, s.url, s.etag, s.last_modified) for s in due]


@dataclass
class PollOutcome:
    """What fetching a source gave: ``ok`` with a feed, ``not_modified`` (HTTP 304), or
    ``error`` with a message."""

    status: str
    feed: Feed | None = None
    etag: str = ""
    last_modified: str = ""
    error: str = ""


def record_poll(
    session: Session, settings: Settings, source_id: int, now: datetime, outcome: PollOutcome
) -> int:
    """Record a poll's outcome on its source and take in its new items; returns how many
    new signals it made. Errors back off: the wait doubles after each, up to a day."""
    source = session.get(SignalSource, source_id)
    if source is None:
        return 0
    every = timedelta(seconds=settings.signal_poll_seconds)
    source.last_polled_at = now
    if outcome.status == "error":
        source.error_count += 1
        source.health = "failing"
        source.last_error = outcome.error[:500]
        source.next_poll_at = now + min(every * 2 ** min(source.error_count, 20), MAX_BACKOFF)
        return 0
    source.error_count = 0
    source.health = "ok"
    source.last_error = ""
    source.last_success_at = now
    source.next_poll_at = now + every
    if outcome.status == "not_modified" or outcome.feed is None:
        return 0
    source.etag = outcome.etag[:300]
    source.last_modified = outcome.last_modified[:100]
    source.malformed_count += outcome.feed.malformed
    made = take_in(session, source, outcome.feed, now)
    source.items_count += made
    return made


def _same_audience(row: Any) -> Any:
    return and_(
        Signal.owner_party == row.owner_party,
        Signal.visibility == row.visibility,
        Signal.parties_key == row.parties_key,
    )


def take_in(session: Session, source: SignalSource, feed: Feed, now: datetime) -> int:
    """New items of a feed become signals of the source's audience; an item whose link
    (normalised, rules.link_key) or title (rules.near_duplicate) is already a signal of
    that audience is not taken again: a changed item updates its signal while still
    new, another source's copy is kept on the signal (``also_seen``)."""
    items = feed.items
    if not items:
        return 0
    keys = {rules.link_key(i.link) for i in items}
    by_link: dict[str, Signal] = {
        s.url_key: s
        for s in session.scalars(
            select(Signal).where(_same_audience(source), Signal.url_key.in_(keys))
        )
    }
    recent = rules.TitleIndex()
    for earlier in session.execute(
        select(Signal.title_key, Signal.id)
        .where(_same_audience(source), Signal.created_at >= now - NEAR_DUPLICATE_WINDOW)
        .order_by(Signal.id.desc())
        .limit(5000)
    ):
        recent.add(earlier.title_key, earlier.id)
    match = matcher()
    made: list[Signal] = []
    for item in items:
        key = rules.link_key(item.link)
        words = rules.title_key(item.title)
        known: Signal | int | None = by_link.get(key)
        if known is None:
            known = recent.find(words)
        if known is not None:
            if isinstance(known, int):
                known = session.get(Signal, known)
            if known is not None:
                _seen_again(known, source, item.link, item.title, item.summary)
            continue
        found = match.match(item.title, item.summary)
        signal = Signal(
            source_id=source.id,
            title=item.title,
            summary=item.summary,
            url=item.link,
            url_key=key,
            title_key=words,
            published_at=item.published,
            language=_language(item.language) or source.language,
            hazards=found.hazards,
            countries=found.countries,
            countries_key=parties_key(found.countries),
            status=rules.SignalStatus.NEW,
            assignee_id=None,
            reliability=source.reliability,
            credibility=None,
            event_id=None,
            exercise=False,
            also_seen=[],
            notes="",
            visibility=source.visibility,
            parties=list(source.parties),
            parties_key=source.parties_key,
            owner_party=source.owner_party,
            created_at=now,
            updated_at=now,
        )
        made.append(signal)
        by_link[key] = signal
        recent.add(words, signal)
    if made:
        session.add_all(made)
        session.flush()
        for signal in made:
            publish(session, "signal.received", _audience(signal), signal_data(signal))
    return len(made)


def _language(tag: str) -> str:
    tag = languages.normal_tag(tag) if tag.strip() else ""
    return "" if not tag or languages.language_problem(tag) else tag


def _seen_again(signal: Signal, source: SignalSource, link: str, title: str, summary: str) -> None:
    if signal.source_id == source.id and rules.link_key(signal.url) == rules.link_key(link):
        if signal.status == rules.SignalStatus.NEW and (
            signal.title != title or signal.summary != summary
        ):
            found = matcher().match(title, summary)
            signal.title, signal.summary = title, summary
            signal.title_key = rules.title_key(title)
            signal.hazards = sorted(set(signal.hazards) | set(found.hazards))
            signal.countries = sorted(set(signal.countries) | set(found.countries))
            signal.countries_key = parties_key(signal.countries)
            signal.updated_at = utcnow()
        return
    if any(
        seen.get("source_id") == source.id and seen.get("url") == link for seen in signal.also_seen
    ):
        return
    signal.also_seen = [*signal.also_seen, {"source_id": source.id, "url": link, "title": title}]


# ---------------------------------------------------------------- signals


def signal_data(signal: Signal) -> dict[str, Any]:
    return {
        "id": signal.id,
        "title": signal.title,
        "url": signal.url,
        "source_id": signal.source_id,
        "language": signal.language,
        "hazards": list(signal.hazards),
        "countries": list(signal.countries),
        "status": signal.status,
        "assignee_id": signal.assignee_id,
        "reliability": signal.reliability,
        "credibility": signal.credibility,
        "event_id": signal.event_id,
        "exercise": signal.exercise,
    }


@dataclass
class ReportFields:
    title: str
    url: str = ""
    summary: str = ""
    language: str = ""
    countries: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    visibility: str | None = None
    parties: list[str] | None = None


def report_signal(session: Session, actor: Actor, f: ReportFields) -> Signal:
    """A signal reported by hand (an officer heard of something); hazards and countries
    given are kept, and those its text names are added."""
    require_writer(actor, "report signals")
    title = text(f.title, "title", 500, required=True)
    url = http_url(f.url, "url")
    summary = text(f.summary, "summary", 20_000)
    language = languages.normal_tag(f.language) if f.language.strip() else ""
    if language and (problem := languages.language_problem(language)):
        raise Invalid(problem, field="language")
    countries = sorted({c.strip().upper() for c in f.countries if c.strip()})
    for code in countries:
        if not is_country(code):
            raise Invalid(f"{code!r} is not an ISO 3166-1 alpha-3 code", field="countries")
    hazards = sorted({text(h, "hazards", 100) for h in f.hazards if h.strip()})
    chosen, others = _choose_audience(session, actor, f.visibility, f.parties)
    key = rules.link_key(url)
    if key:
        taken = session.scalar(
            select(Signal.id).where(
                Signal.url_key == key,
                Signal.owner_party == actor.party_code,
                Signal.status != rules.SignalStatus.DISCARDED,
            )
        )
        if taken is not None:
            raise Conflict(f"this link is already signal {taken}", field="url")
    found = matcher().match(title, summary)
    now = utcnow()
    countries = sorted(set(countries) | set(found.countries))
    signal = Signal(
        title=title,
        summary=summary,
        url=url,
        url_key=key,
        title_key=rules.title_key(title),
        language=language,
        hazards=sorted(set(hazards) | set(found.hazards)),
        countries=countries,
        countries_key=parties_key(countries),
        status=rules.SignalStatus.NEW,
        visibility=chosen,
        parties=others,
        parties_key=parties_key(others),
        owner_party=actor.party_code,
        reported_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(signal)
    session.flush()
    audit.record(
        session, actor, "signal.report", "signal", signal.id,
        details={"title": title, "visibility": chosen, "parties": others},
    )  # fmt: skip
    publish(session, "signal.received", _audience(signal), signal_data(signal))
    return signal


def promote_rumour(session: Session, actor: Actor, rumour_id: int) -> Signal:
    """A rumour of the rumour log becomes a signal of the actor's party, to triage and
    verify like any other (the rumour stays in the log)."""
    rumour = session.get(Rumour, rumour_id) if not actor.is_partner else None
    if rumour is None:
        raise NotFound(f"no rumour {rumour_id}")
    taken = session.scalar(
        select(Signal.id).where(
            Signal.rumour_id == rumour.id, Signal.owner_party == actor.party_code
        )
    )
    if taken is not None:
        raise Conflict(f"this rumour is already signal {taken}")
    claim = rumour.claim
    summary = claim if len(claim) > 500 else ""
    if rumour.seen_where:
        summary = f"{summary}\n\n{rumour.seen_where}".strip()
    signal = report_signal(
        session,
        actor,
        ReportFields(
            title=claim[:500],
            url=rumour.url,
            summary=summary,
            language=rumour.language,
            countries=[rumour.country],
        ),
    )
    signal.rumour_id = rumour.id
    audit.record(
        session, actor, "signal.from_rumour", "signal", signal.id,
        details={"rumour_id": rumour.id},
    )  # fmt: skip
    return signal


def signals(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[Signal]:
    """The signals the actor may see, newest first (``before``: an id, to page on)."""
    query = select(Signal).where(visible_to(Signal, actor))
    if status:
        try:
            query = query.where(Signal.status == rules.SignalStatus(status))
        except ValueError:
            known = ", ".join(s.value for s in rules.SignalStatus)
            raise Invalid(f"status is one of {known}", field="status") from None
    if before is not None:
        query = query.where(Signal.id < before)
    return list(session.scalars(query.order_by(Signal.id.desc()).limit(limit)))


def can_see(actor: Actor, signal: Signal) -> bool:
    return _audience(signal).allows(actor.party_code, actor.party_kind, actor.user_id)


def access_signal(session: Session, actor: Actor, signal_id: int) -> Signal:
    signal = session.get(Signal, signal_id)
    if signal is None or not can_see(actor, signal):
        raise NotFound(f"no signal {signal_id}")
    return signal


def can_triage(actor: Actor, signal: Signal) -> bool:
    """The coordinator triages every signal it sees; a member state's officers and focal
    points triage their own party's (a party asked to verify answers the request, it
    does not triage the asker's signal)."""
    if actor.scope != "write" or actor.is_partner:
        return False
    if actor.is_coordinator:
        return True
    return actor.party_code == signal.owner_party and any(
        actor.has_role(r) for r in (Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR)
    )


def source_names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(SignalSource.id, SignalSource.name).where(SignalSource.id.in_(wanted))
    )
    return {int(i): str(n) for i, n in rows}


def signal_titles(
    session: Session, ids: Sequence[int], actor: Actor | None = None
) -> dict[int, str]:
    """The titles of these signals; with ``actor``, only of those the actor may see (the
    coordinator sees every verification request, not every signal: a signal restricted
    to the two parties is named by its number only)."""
    if not ids:
        return {}
    query = select(Signal.id, Signal.title).where(Signal.id.in_(set(ids)))
    if actor is not None:
        query = query.where(visible_to(Signal, actor))
    return {int(i): str(t) for i, t in session.execute(query)}


UNSET: Any = object()


def triage(
    session: Session,
    actor: Actor,
    signal: Signal,
    *,
    status: str | None = None,
    assignee_id: int | None = UNSET,
    reliability: str | None = UNSET,
    credibility: int | None = UNSET,
    notes: str | None = UNSET,
) -> Signal:
    """Move a signal through triage, assign it, grade it or note on it; each change
    audited and announced (``signal.triaged`` names the fields)."""
    if not can_triage(actor, signal):
        raise Forbidden("the coordinator and the signal's own party triage it")
    changed: dict[str, Any] = {}
    if status is not None and status != signal.status:
        if problem := rules.transition_problem(signal.status, status):
            raise Invalid(problem, field="status")
        changed["status"] = status
    if assignee_id is not UNSET and assignee_id != signal.assignee_id:
        if assignee_id is not None:
            user = session.get(User, assignee_id)
            if (
                user is None
                or not user.is_active
                or not _audience(signal).allows(user.party_code, user.party.kind, user.id)
            ):
                raise Invalid(f"no user {assignee_id} who may see this signal", field="assignee_id")
        changed["assignee_id"] = assignee_id
    if reliability is not UNSET and (reliability or "") != signal.reliability:
        value = (reliability or "").strip().upper()
        if value and value not in rules.RELIABILITY:
            raise Invalid("reliability is one of A to F (Admiralty scale)", field="reliability")
        changed["reliability"] = value
    if credibility is not UNSET and credibility != signal.credibility:
        if credibility is not None and credibility not in rules.CREDIBILITY:
            raise Invalid("credibility is 1 to 6 (Admiralty scale)", field="credibility")
        changed["credibility"] = credibility
    if notes is not UNSET and (notes or "") != signal.notes:
        changed["notes"] = text(notes or "", "notes", MAX_NOTES)
    if not changed:
        return signal
    for name, value in changed.items():
        setattr(signal, name, value)
    signal.updated_at = utcnow()
    audit.record(
        session, actor, "signal.triage", "signal", signal.id,
        details={k: v for k, v in changed.items() if k != "notes"}
        | ({"notes": "changed"} if "notes" in changed else {}),
    )  # fmt: skip
    publish(
        session,
        "signal.triaged",
        _audience(signal),
        signal_data(signal) | {"changed": sorted(changed)},
    )
    return signal


@dataclass
class NewEvent:
    title: str
    hazard: str
    country: str
    summary: str = ""


def _seers(kinds: dict[str, str], row: Any) -> set[str]:
    return set(audience_of(row.visibility, row.parties, row.owner_party, kinds))


def link_to_event(
    session: Session,
    actor: Actor,
    settings: Settings,
    signal: Signal,
    *,
    event_id: int | None = None,
    new: NewEvent | None = None,
) -> Event:
    """Link a signal to an existing event it announces, or to a new event made from it
    with the signal's audience; the signal becomes ``linked``."""
    if not can_triage(actor, signal):
        raise Forbidden("the coordinator and the signal's own party link it")
    if signal.status not in rules.LINKABLE:
        raise Invalid(f"a signal that is {signal.status} cannot be linked", field="status")
    if (event_id is None) == (new is None):
        raise Invalid("give either event_id or the new event's title, hazard and country",
                      field="event_id")  # fmt: skip
    kinds = _kinds(session)
    if event_id is not None:
        event = events.access_event(session, actor, event_id)
        if not _seers(kinds, signal) <= _seers(kinds, event):
            raise Invalid(
                "some parties that see the signal do not see this event; share the event "
                "with them first, or link to a new event",
                field="event_id",
            )
    else:
        assert new is not None
        parties = sorted((set(signal.parties) | {signal.owner_party}) - {actor.party_code})
        if signal.visibility == Visibility.RESTRICTED and not parties:
            raise Invalid(
                "only your party sees this signal, and an event is shared with at least one "
                "other party: ask a party to verify it first, or link to an existing event",
                field="event_id",
            )
        event = events.create_event(
            session,
            actor,
            events.EventFields(
                title=new.title,
                hazard=new.hazard,
                country=new.country.strip().upper(),
                summary=new.summary or signal.summary[:5000],
                visibility=signal.visibility,
                parties=parties,
            ),
            settings,
        )
        if not _seers(kinds, event) <= _seers(kinds, signal) | {actor.party_code}:
            raise Invalid("the new event would be seen wider than the signal", field="event_id")
    signal.event_id = event.id
    signal.status = rules.SignalStatus.LINKED
    signal.updated_at = utcnow()
    audit.record(session, actor, "signal.link", "signal", signal.id, details={"event_id": event.id})
    publish(session, "signal.linked", _audience(signal), signal_data(signal))
    return event


# ---------------------------------------------------------------- verification requests


def _request_audience(session: Session, request: VerificationRequest) -> Audience:
    return Audience(
        Visibility.RESTRICTED,
        request.requester_party,
        tuple(sorted({request.requested_party, *coordinators(session)})),
    )


def request_data(request: VerificationRequest, title: str) -> dict[str, Any]:
    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": request.id,
        "signal_id": request.signal_id,
        "title": title,
        "requester_party": request.requester_party,
        "requested_party": request.requested_party,
        "created_at": request.created_at.isoformat(),
        "acknowledge_by": request.acknowledge_by.isoformat(),
        "respond_by": request.respond_by.isoformat(),
        "acknowledged_at": when(request.acknowledged_at),
        "responded_at": when(request.responded_at),
        "response_status": request.response_status,
    }


def request_verification(
    session: Session,
    actor: Actor,
    settings: Settings,
    signal: Signal,
    party: str,
    question: str = "",
) -> VerificationRequest:
    """Ask ``party`` (usually where the signal is located) to verify the signal: it is
    to acknowledge and to answer within EOCNET_SIGNAL_ACKNOWLEDGE_HOURS and
    EOCNET_SIGNAL_RESPOND_HOURS of the request (IHR Art. 10(2): 24 hours each). The
    requested party is added to the signal's audience, so that it sees what it is asked."""
    require_writer(actor, "ask for verification")
    if actor.is_partner:
        raise Forbidden("the member states and the coordinator ask for verification")
    code = party.strip().upper()
    target = session.get(Party, code)
    if target is None or not target.active:
        raise Invalid(f"no party {party!r} in the directory", field="party")
    if code == actor.party_code:
        raise Invalid("a party does not ask itself to verify", field="party")
    if signal.status not in (rules.SignalStatus.NEW, rules.SignalStatus.UNDER_REVIEW):
        raise Invalid(f"a signal that is {signal.status} is not sent for verification",
                      field="party")  # fmt: skip
    now = utcnow()
    clock = rules.verification_clock(
        now, settings.signal_acknowledge_hours, settings.signal_respond_hours
    )
    request = VerificationRequest(
        signal_id=signal.id,
        requester_party=actor.party_code,
        requested_party=code,
        requested_by=actor.user_id,
        question=text(question, "question", 5000),
        created_at=now,
        acknowledge_by=clock.acknowledge_by,
        respond_by=clock.respond_by,
        exercise=signal.exercise,
    )
    session.add(request)
    changed = []
    if code != signal.owner_party and code not in signal.parties:
        signal.parties = sorted({*signal.parties, code})
        signal.parties_key = parties_key(signal.parties)
        changed.append("parties")
    if signal.status == rules.SignalStatus.NEW:
        signal.status = rules.SignalStatus.UNDER_REVIEW
        changed.append("status")
    signal.updated_at = now
    session.flush()
    audit.record(
        session, actor, "verification.request", "verification_request", request.id,
        details={"signal_id": signal.id, "party": code},
    )  # fmt: skip
    if changed:
        publish(
            session, "signal.triaged", _audience(signal), signal_data(signal) | {"changed": changed}
        )
    publish(
        session,
        "verification.requested",
        _request_audience(session, request),
        request_data(request, _title(session, request)),
    )
    return request


def can_see_request(actor: Actor, request: VerificationRequest) -> bool:
    return (
        actor.party_code
        in (
            request.requester_party,
            request.requested_party,
        )
        or actor.party_kind == "coordinator"
    )


def access_request(session: Session, actor: Actor, request_id: int) -> VerificationRequest:
    request = session.get(VerificationRequest, request_id)
    if request is None or not can_see_request(actor, request):
        raise NotFound(f"no verification request {request_id}")
    return request


def requests(
    session: Session, actor: Actor, *, signal_id: int | None = None, asked_of_me: bool = False
) -> list[VerificationRequest]:
    """The verification requests the actor may see (``asked_of_me``: those its party is
    asked to answer), open ones first, newest first."""
    query = select(VerificationRequest)
    if asked_of_me:
        query = query.where(VerificationRequest.requested_party == actor.party_code)
    elif actor.party_kind != "coordinator":
        query = query.where(
            or_(
                VerificationRequest.requested_party == actor.party_code,
                VerificationRequest.requester_party == actor.party_code,
            )
        )
    if signal_id is not None:
        query = query.where(VerificationRequest.signal_id == signal_id)
    query = query.order_by(
        VerificationRequest.responded_at.is_not(None), VerificationRequest.id.desc()
    ).limit(500)
    return list(session.scalars(query))


def _require_requested(actor: Actor, request: VerificationRequest, what: str) -> None:
    if actor.party_code != request.requested_party:
        raise Forbidden(f"only the requested party {what}")
    require_writer(actor, what)


def _title(session: Session, request: VerificationRequest) -> str:
    """The signal's title for the request's stream entries, whose audience (the two
    parties and the coordinator) may be wider than the signal's: empty unless every
    party of that audience sees the signal."""
    signal = session.get(Signal, request.signal_id)
    if signal is None:
        return ""
    kinds = _kinds(session)
    parties = {request.requester_party, request.requested_party, *coordinators(session)}
    seen = all(_audience(signal).allows(p, kinds.get(p, "member"), 0) for p in parties)
    return signal.title if seen else ""


def acknowledge(
    session: Session, actor: Actor, request: VerificationRequest
) -> VerificationRequest:
    """The requested party acknowledges the request; a second acknowledgement changes nothing."""
    _require_requested(actor, request, "acknowledges")
    if request.acknowledged_at is not None:
        return request
    request.acknowledged_at = utcnow()
    request.acknowledged_by = actor.user_id
    audit.record(
        session, actor, "verification.acknowledge", "verification_request", request.id,
        details={"late": request.acknowledged_at > request.acknowledge_by},
    )  # fmt: skip
    publish(
        session,
        "verification.acknowledged",
        _request_audience(session, request),
        request_data(request, _title(session, request)),
    )
    return request


def respond(
    session: Session, actor: Actor, request: VerificationRequest, status: str, answer: str
) -> VerificationRequest:
    """The requested party answers: confirmed, not_confirmed or under_investigation, with
    the information it has. Answering acknowledges too; a later answer (say, confirmed
    after under_investigation) replaces the earlier one, which the audit trail keeps."""
    _require_requested(actor, request, "answers")
    try:
        status = rules.ResponseStatus(status)
    except ValueError:
        known = ", ".join(s.value for s in rules.ResponseStatus)
        raise Invalid(f"status is one of {known}", field="status") from None
    answer = text(answer, "text", 20_000)
    now = utcnow()
    if request.acknowledged_at is None:
        request.acknowledged_at, request.acknowledged_by = now, actor.user_id
    request.responded_at = now
    request.responded_by = actor.user_id
    request.response_status = status
    request.response_text = answer
    audit.record(
        session, actor, "verification.respond", "verification_request", request.id,
        details={"status": status, "late": now > request.respond_by, "text": answer[:500]},
    )  # fmt: skip
    publish(
        session,
        "verification.answered",
        _request_audience(session, request),
        request_data(request, _title(session, request)),
    )
    return request


def _overdue(now: datetime) -> Any:
    return and_(
        VerificationRequest.responded_at.is_(None),
        or_(
            and_(
                VerificationRequest.acknowledged_at.is_(None),
                VerificationRequest.acknowledge_by <= now,
                VerificationRequest.reminder_stage < 1,
            ),
            and_(VerificationRequest.respond_by <= now, VerificationRequest.reminder_stage < 2),
        ),
    )


def any_overdue(session: Session, now: datetime) -> bool:
    found = session.scalar(select(VerificationRequest.id).where(_overdue(now)).limit(1))
    return found is not None


def remind_overdue(session: Session, settings: Settings, now: datetime) -> int:
    """Announce each verification request that passed a deadline of IHR Art. 10 (first
    the acknowledgement, then the answer), once per deadline, to its audience, and
    e-mail the requested party's focal points; returns how many were announced."""
    due = list(
        session.scalars(
            select(VerificationRequest)
            .where(_overdue(now))
            .order_by(VerificationRequest.id)
            .limit(200)
        )
    )
    titles = signal_titles(session, [r.signal_id for r in due])
    for request in due:
        late_ack = request.acknowledged_at is None and request.reminder_stage < 1
        stage = "acknowledge" if late_ack else "respond"
        request.reminder_stage = 1 if late_ack else 2
        title = titles.get(request.signal_id, "")
        if settings.smtp_host:
            focal_points = session.scalars(
                select(User).where(
                    User.party_code == request.requested_party, User.is_active.is_(True)
                )
            )
            link = f"{settings.base_url.rstrip('/')}/verification-requests"
            what = "acknowledge" if late_ack else "answer"
            for user in focal_points:
                if Role.FOCAL_POINT.value in user.roles:
                    notifications.queue_email(
                        session,
                        user.email,
                        f"[eocnet] OVERDUE: verification request to {what}: {title}",
                        f"{request.requester_party} asked {request.requested_party} to verify "
                        f"a signal (IHR Art. 10):\n\n{title}\n\nThe time to {what} has "
                        f"passed. Open: {link}\n",
                    )
        publish(
            session,
            "verification.overdue",
            _request_audience(session, request),
            request_data(request, _title(session, request)) | {"overdue": stage},
        )
    return len(due)
