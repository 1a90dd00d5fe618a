"""The rumour log and fact checks.

Officers of member states log rumours (never public; seen by the member states
and the coordinator, not by partners). Rumours making the same claim are
grouped; the coordinator answers the important groups with a fact check, which
is public once published. What the public sees is the text as published
(``FactCheck.published``), so a later edit shows only when published again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, search_index
from eocnet.actions.checks import http_url, links, text
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.db.models import FactCheck, FactCheckTranslation, Rumour
from eocnet.db.types import utcnow
from eocnet.domain import fact_checks as rules
from eocnet.domain import languages
from eocnet.domain.actors import Actor
from eocnet.domain.places import is_country
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish

MAX_TEXT = 20_000


@dataclass
class RumourFields:
    claim: str
    country: str
    first_seen: date
    seen_where: str = ""
    url: str = ""
    language: str = ""
    reach: int | None = None


@dataclass
class FactCheckTranslationFields:
    language: str
    claim: str
    explanation: str = ""


@dataclass
class FactCheckFields:
    verdict: str
    translations: list[FactCheckTranslationFields]
    sources: list[dict[str, str]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    event_id: int | None = None
    rumour_ids: list[int] = field(default_factory=list)


def _member(actor: Actor) -> bool:
    return rules.keeps_rumour_log(actor)


def log_rumour(session: Session, actor: Actor, f: RumourFields) -> Rumour:
    if not _member(actor):
        raise Forbidden("officers of the member states and the coordinator log rumours")
    country = f.country.strip().upper()
    if not is_country(country):
        raise Invalid(f"{f.country!r} is not an ISO 3166-1 alpha-3 code", field="country")
    language = languages.normal_tag(f.language) if f.language.strip() else ""
    if language and (problem := languages.language_problem(language)):
        raise Invalid(problem, field="language")
    if f.reach is not None and f.reach < 0:
        raise Invalid("reach cannot be negative", field="reach")
    if f.first_seen > utcnow().date():
        raise Invalid("first seen cannot be in the future", field="first_seen")
    url = http_url(f.url, "url")
    rumour = Rumour(
        claim=text(f.claim, "claim", 5000, required=True),
        seen_where=text(f.seen_where, "seen_where", 300),
        url=url,
        language=language,
        country=country,
        first_seen=f.first_seen,
        reach=f.reach,
        party=actor.party_code,
        reported_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(rumour)
    session.flush()
    audit.record(session, actor, "rumour.logged", "rumour", rumour.id, details={"country": country})
    publish(
        session,
        "rumour.logged",
        Audience(Visibility.NETWORK, actor.party_code),
        {"id": rumour.id, "country": country, "claim": rumour.claim[:200]},
    )
    return rumour


def rumours(session: Session, actor: Actor, *, open_only: bool = False) -> list[Rumour]:
    if not _member(actor):
        raise Forbidden("the rumour log is for the member states and the coordinator")
    query = select(Rumour).order_by(Rumour.first_seen.desc(), Rumour.id.desc())
    if open_only:
        query = query.where(Rumour.fact_check_id.is_(None))
    return list(session.scalars(query))


@dataclass
class RumourGroup:
    rumours: list[Rumour]

    @property
    def claim(self) -> str:
        return self.rumours[0].claim

    @property
    def reach(self) -> int:
        return sum(r.reach or 0 for r in self.rumours)

    @property
    def countries(self) -> list[str]:
        return sorted({r.country for r in self.rumours})

    @property
    def first_seen(self) -> date:
        return min(r.first_seen for r in self.rumours)

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rumours]


def groups(session: Session, actor: Actor) -> list[RumourGroup]:
    """Unanswered rumours grouped by claim, the most important first (more
    reports, more countries, more reach)."""
    items = rumours(session, actor, open_only=True)
    grouped = [
        RumourGroup([items[i] for i in indexes])
        for indexes in rules.group([r.claim for r in items])
    ]
    return sorted(grouped, key=lambda g: (-len(g.rumours), -len(g.countries), -g.reach))


# ---------------------------------------------------------------- fact checks


def can_see(actor: Actor, check: FactCheck) -> bool:
    return check.status == "published" or _member(actor)


def access(session: Session, actor: Actor, fact_check_id: int) -> FactCheck:
    check = session.get(FactCheck, fact_check_id)
    if check is None or not can_see(actor, check):
        raise NotFound(f"no fact check {fact_check_id}")
    return check


def _audience(check: FactCheck) -> Audience:
    if check.status == "published":
        return Audience(Visibility.PARTNERS, check.owner_party)
    return Audience(Visibility.NETWORK, check.owner_party)


def content(check: FactCheck) -> dict[str, Any]:
    return {
        "id": check.id,
        "verdict": check.verdict,
        "sources": check.sources,
        "countries": check.countries,
        "translations": [
            {"language": t.language, "claim": t.claim, "explanation": t.explanation}
            for t in check.translations
        ],
    }


def _apply(session: Session, actor: Actor, check: FactCheck, f: FactCheckFields) -> None:
    if f.verdict not in rules.VERDICTS:
        raise Invalid(f"verdict must be one of {', '.join(rules.VERDICTS)}", field="verdict")
    if not f.translations:
        raise Invalid("write the fact check in at least one language", field="translations")
    rows: dict[str, FactCheckTranslation] = {t.language: t for t in check.translations}
    keep: list[FactCheckTranslation] = []
    for i, t in enumerate(f.translations):
        where = f"translations[{i}]"
        tag = languages.normal_tag(t.language)
        if problem := languages.language_problem(tag):
            raise Invalid(problem, field=f"{where}.language")
        if any(k.language == tag for k in keep):
            raise Invalid(f"two translations in {tag}", field=f"{where}.language")
        row = rows.get(tag) or FactCheckTranslation(language=tag)
        row.claim = text(t.claim, f"{where}.claim", 5000, required=True)
        row.explanation = text(t.explanation, f"{where}.explanation", MAX_TEXT)
        keep.append(row)
    sources = links(f.sources, "sources", "a source")
    countries = sorted({c.strip().upper() for c in f.countries if c.strip()})
    for code in countries:
        if not is_country(code):
            raise Invalid(f"{code!r} is not an ISO 3166-1 alpha-3 code", field="countries")
    if f.event_id is not None:
        try:
            events.access_event(session, actor, f.event_id)
        except NotFound:
            raise Invalid(f"no event {f.event_id}", field="event_id") from None
    check.verdict = f.verdict
    check.translations = keep
    check.sources = sources
    check.countries = countries
    check.countries_key = ",".join(["", *countries, ""])
    check.event_id = f.event_id


def _link_rumours(session: Session, check: FactCheck, rumour_ids: list[int]) -> None:
    for rumour_id in rumour_ids:
        rumour = session.get(Rumour, rumour_id)
        if rumour is None:
            raise Invalid(f"no rumour {rumour_id}", field="rumour_ids")
        rumour.fact_check_id = check.id


def index(session: Session, check: FactCheck) -> None:
    """The fact check's search document: claims and explanations in every language."""
    texts = check.translations
    search_index.index(
        session,
        "fact_check",
        check.id,
        title=texts[0].claim[:300] if texts else "",
        body="\n".join(f"{t.claim}\n{t.explanation}" for t in texts),
        audience=_audience(check),
        created_at=check.created_at,
        status=check.status,
    )


def _announce(session: Session, actor: Actor, check: FactCheck, what: str) -> None:
    index(session, check)
    audit.record(
        session,
        actor,
        f"fact_check.{what}",
        "fact_check",
        check.id,
        details={"status": check.status},
    )
    first = check.translations[0] if check.translations else None
    publish(
        session,
        f"fact_check.{what}",
        _audience(check),
        {
            "id": check.id,
            "verdict": check.verdict,
            "status": check.status,
            "claim": first.claim[:200] if first else "",
        },
    )


def create(session: Session, actor: Actor, f: FactCheckFields) -> FactCheck:
    if not actor.is_coordinator:
        raise Forbidden("the network's coordinator writes fact checks")
    now = utcnow()
    check = FactCheck(
        status="draft",
        owner_party=actor.party_code,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    _apply(session, actor, check, f)
    session.add(check)
    session.flush()
    _link_rumours(session, check, f.rumour_ids)
    _announce(session, actor, check, "drafted")
    return check


def edit(session: Session, actor: Actor, check: FactCheck, f: FactCheckFields) -> FactCheck:
    """Change the text; a published fact check shows the change once published again."""
    if not actor.is_coordinator:
        raise Forbidden("the network's coordinator edits fact checks")
    _apply(session, actor, check, f)
    _link_rumours(session, check, f.rumour_ids)
    check.updated_at = utcnow()
    session.flush()
    _announce(session, actor, check, "edited")
    return check


def publish_check(session: Session, actor: Actor, check: FactCheck) -> FactCheck:
    if not actor.is_coordinator:
        raise Forbidden("the network's coordinator publishes fact checks")
    check.status = "published"
    check.published_at = check.updated_at = utcnow()
    check.published = {**content(check), "published_at": check.published_at.isoformat()}
    session.flush()
    _announce(session, actor, check, "published")
    return check


def withdraw(session: Session, actor: Actor, check: FactCheck) -> FactCheck:
    if not actor.is_coordinator:
        raise Forbidden("the network's coordinator withdraws fact checks")
    if check.status != "published":
        raise Invalid("only a published fact check can be withdrawn", field="status")
    check.status = "withdrawn"
    check.updated_at = utcnow()
    session.flush()
    _announce(session, actor, check, "withdrawn")
    return check


def public_checks(session: Session) -> list[FactCheck]:
    return list(
        session.scalars(
            select(FactCheck)
            .where(FactCheck.status == "published")
            .order_by(FactCheck.published_at.desc())
        )
    )
