"""The public site (no login): published advisories and fact checks per country
and language, their Atom feeds, and the CAP 1.2 messages with an Atom index as
alert hubs expect.

Everything here is read from what was published (CAP messages as issued, fact
checks as published); drafts, reviews and rumours have no path to it, nor do drills
(CAP status Exercise or Test) and Restricted messages (``AdvisoryMessage.public``).
Pages are light: one small stylesheet, one small script (``public-time.js``, which
rewrites each time into the reader's own zone), no third-party asset.

Times are written by the server in the advisory's own zone (that of the countries of
its areas when they share one, else UTC), always with the zone named, so that a page
read without the script still says which clock it means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet import __version__
from eocnet.actions import advisories, fact_checks
from eocnet.db.models import AdvisoryMessage, FactCheck, Party
from eocnet.domain import languages
from eocnet.domain.fact_checks import VERDICTS
from eocnet.domain.places import country_name
from eocnet.interop import atom
from eocnet.render import i18n
from eocnet.render.i18n import language_context
from eocnet.render.markdown import to_html
from eocnet.web.auth import db_of
from eocnet.web.rendering import LANG_COOKIE, TEMPLATES, settings_of

router = APIRouter(prefix="/public", include_in_schema=False)
CAP_MEDIA = "application/cap+xml"
ATOM_MEDIA = "application/atom+xml"


@dataclass
class PublicAdvisory:
    id: int
    message: AdvisoryMessage
    text: dict[str, Any]
    languages: list[str]
    countries: list[str]
    cancelled: bool
    expired: bool
    #: the IANA zone the page writes its times in (the areas' zone, or UTC)
    zone: str = "UTC"
    #: CAP <audience> and <areaDesc> in the language shown
    audience: str = ""
    where: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        return not (self.cancelled or self.expired)


@dataclass
class PublicFactCheck:
    check: FactCheck
    text: dict[str, Any]
    languages: list[str]


def _site_name(session: Session) -> str:
    name = session.scalar(select(Party.name).where(Party.kind == "coordinator"))
    return f"{name} — eocnet" if name else "eocnet"


def _zones(session: Session) -> dict[str, str]:
    """Each party's time zone (a member state's code is its country's)."""
    return {code: zone for code, zone in session.execute(select(Party.code, Party.time_zone))}


def area_zone(countries: list[str], zones: dict[str, str]) -> str:
    """The zone of an advisory's areas: the one their countries share, else UTC."""
    found = {zones.get(c, "") for c in countries}
    if len(found) == 1:
        (zone,) = found
        try:
            ZoneInfo(zone)
            return zone
        except (ValueError, KeyError):
            pass
    return "UTC"


def _advisory(
    message: AdvisoryMessage, lang: str, now: datetime, zones: dict[str, str] | None = None
) -> PublicAdvisory:
    snapshot = message.content
    expires = snapshot.get("expires_at")
    text = languages.pick(snapshot["translations"], lang)
    countries = sorted({c for a in snapshot["areas"] for c in a["countries"]})
    names = text.get("area_descriptions") or []
    return PublicAdvisory(
        id=message.advisory_id,
        message=message,
        text=text,
        languages=[t["language"] for t in snapshot["translations"]],
        countries=countries,
        cancelled=message.msg_type == "Cancel",
        expired=expires is not None and datetime.fromisoformat(expires) < now,
        zone=area_zone(countries, zones or {}),
        audience=text.get("audience") or snapshot.get("audience", ""),
        where=tuple(
            names[i] if i < len(names) and names[i] else a["description"]
            for i, a in enumerate(snapshot["areas"])
        ),
    )


def public_time(value: datetime | str | None, zone: str = "UTC") -> Markup:
    """A time in ``zone`` with the zone named ("2026-12-01 14:00 WIB, Asia/Jakarta"), in
    a <time> element that public-time.js rewrites into the reader's own zone."""
    if value is None or value == "":
        return Markup("")
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        tz = ZoneInfo(zone)
    except (ValueError, KeyError):
        zone, tz = "UTC", ZoneInfo("UTC")
    local = when.astimezone(tz)
    label = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")
    if zone != "UTC":
        label += f", {zone}"
    return Markup('<time datetime="{}" data-local>{}</time>').format(
        when.astimezone(UTC).isoformat(), label
    )


TEMPLATES.env.filters["public_time"] = public_time


def _fact_check(check: FactCheck, lang: str) -> PublicFactCheck:
    snapshot = check.published
    return PublicFactCheck(
        check=check,
        text=languages.pick(snapshot["translations"], lang),
        languages=[t["language"] for t in snapshot["translations"]],
    )


def _content_languages(session: Session) -> set[str]:
    found: set[str] = set()
    for message in advisories.public_messages(session):
        found.update(t["language"] for t in message.content["translations"])
    for check in fact_checks.public_checks(session):
        found.update(t["language"] for t in check.published["translations"])
    return found


def _language(request: Request, available: list[str]) -> str:
    """?lang= first (remembered in a cookie), then the cookie, then the
    browser's Accept-Language among the languages there is something in."""
    asked = request.query_params.get("lang", "")
    if asked and languages.language_problem(languages.normal_tag(asked)) is None:
        return languages.normal_tag(asked)
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie and languages.language_problem(cookie) is None:
        return cookie
    return i18n.negotiate(
        request.headers.get("accept-language"), settings_of(request).default_language, available
    )


def _language_name(tag: str) -> str:
    return i18n.language_info(tag).name


def _available(session: Session) -> list[str]:
    """The languages to offer: those with published content, and the site's own."""
    return sorted(_content_languages(session) | set(i18n.available()))


def _page(
    request: Request, template: str, lang: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    info = i18n.language_info(lang)
    ctx = {
        **language_context(lang),
        "rtl": info.rtl,
        "language_name": _language_name,
        "country_name": country_name,
        "markdown": to_html,
        "ui_languages": i18n.languages(),
        "path": request.url.path,
        "version": __version__,
        "direction": lambda tag: "rtl" if i18n.language_info(tag).rtl else "ltr",
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, ctx, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _matches(query: str, *texts: str) -> bool:
    query = query.casefold().strip()
    return not query or any(query in (t or "").casefold() for t in texts)


@router.get("/")
def index(request: Request, country: str = "", q: str = "") -> Response:
    country = country.strip().upper()[:3]
    q = q[:200]
    with db_of(request).read() as session:
        available = _available(session)
        lang = _language(request, available)
        now = datetime.now(UTC)
        zones = _zones(session)
        items = [_advisory(m, lang, now, zones) for m in advisories.public_messages(session)]
        checks = [_fact_check(c, lang) for c in fact_checks.public_checks(session)]
        countries = sorted(
            {c for a in items for c in a.countries} | {c for f in checks for c in f.check.countries}
        )
        site = _site_name(session)
    if country:
        items = [a for a in items if country in a.countries]
        checks = [f for f in checks if country in f.check.countries]
    if q:
        items = [
            a
            for a in items
            if _matches(q, a.text["headline"], a.text["body"], a.message.content["event_type"])
        ]
        checks = [f for f in checks if _matches(q, f.text["claim"], f.text["explanation"])]
    return _page(
        request,
        "public/index.html",
        lang,
        {
            "site": site,
            "current": [a for a in items if a.current],
            "past": [a for a in items if not a.current],
            "checks": checks,
            "countries": countries,
            "country": country,
            "q": q,
            "available": available,
        },
    )


@router.get("/advisories/{advisory_id}")
def advisory_page(request: Request, advisory_id: int) -> Response:
    with db_of(request).read() as session:
        available = _available(session)
        lang = _language(request, available)
        history = advisories.public_history(session, advisory_id)
        message = history[-1] if history else None
        site = _site_name(session)
        if message is None:
            context = {"site": site, "available": available}
            return _page(request, "public/not_found.html", lang, context, 404)
        item = _advisory(message, lang, datetime.now(UTC), _zones(session))
    return _page(
        request,
        "public/advisory.html",
        lang,
        {
            "site": site,
            "available": available,
            "a": item,
            "snapshot": message.content,
            "history": history,
        },
    )


def _claim_review(request: Request, item: PublicFactCheck, site: str) -> Markup:
    """schema.org ClaimReview (what search engines show for fact checks), as
    JSON-LD; '<' is escaped so the text cannot close the script element."""
    check = item.check
    verdict = check.verdict
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{settings_of(request).base_url.rstrip('/')}/public/fact-checks/{check.id}",
        "datePublished": check.published_at.date().isoformat() if check.published_at else None,
        "inLanguage": item.text["language"],
        "claimReviewed": item.text["claim"],
        "author": {"@type": "Organization", "name": site},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": VERDICTS[verdict],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": verdict.replace("_", " ").capitalize(),
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": [s["url"] for s in check.published.get("sources", [])][:5],
        },
    }
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 (JSON with markup characters escaped)


@router.get("/fact-checks/{fact_check_id}")
def fact_check_page(request: Request, fact_check_id: int) -> Response:
    with db_of(request).read() as session:
        available = _available(session)
        lang = _language(request, available)
        check = session.get(FactCheck, fact_check_id)
        site = _site_name(session)
        if check is None or check.status != "published":
            context = {"site": site, "available": available}
            return _page(request, "public/not_found.html", lang, context, 404)
        item = _fact_check(check, lang)
        json_ld = _claim_review(request, item, site)
    return _page(
        request,
        "public/fact_check.html",
        lang,
        {
            "site": site,
            "available": available,
            "f": item,
            "json_ld": json_ld,
            "sources": check.published["sources"],
        },
    )


# ---------------------------------------------------------------- CAP and feeds


@router.get("/cap/{identifier}.xml")
def cap_message(request: Request, identifier: str) -> Response:
    with db_of(request).read() as session:
        message = advisories.message_by_identifier(session, identifier, public_only=True)
        if message is None:
            return Response("no such CAP message\n", status_code=404, media_type="text/plain")
        xml = message.xml
    return Response(xml, media_type=CAP_MEDIA, headers={"Cache-Control": "public, max-age=300"})


def _absolute(request: Request, path: str) -> str:
    return settings_of(request).base_url.rstrip("/") + path


def _atom(body: bytes) -> Response:
    return Response(body, media_type=ATOM_MEDIA, headers={"Cache-Control": "public, max-age=60"})


@router.get("/feeds/cap.atom")
def cap_index(request: Request) -> Response:
    """The current CAP messages (not cancelled, not expired), newest first."""
    with db_of(request).read() as session:
        now = datetime.now(UTC)
        items = [_advisory(m, "en", now) for m in advisories.public_messages(session)]
        site = _site_name(session)
    current = [a for a in items if a.current]
    entries = [
        atom.Entry(
            id=_absolute(request, f"/public/cap/{a.message.identifier}.xml"),
            title=a.text["headline"],
            updated=a.message.sent_at,
            published=a.message.sent_at,
            summary=a.message.content["event_type"],
            links=[
                atom.Link(
                    _absolute(request, f"/public/cap/{a.message.identifier}.xml"), type=CAP_MEDIA
                )
            ],
            categories=[a.message.content["category"]],
        )
        for a in current
    ]
    updated = max((a.message.sent_at for a in current), default=now)
    return _atom(
        atom.feed(
            id=_absolute(request, "/public/feeds/cap.atom"),
            title=f"{site}: CAP 1.2 alerts",
            updated=updated,
            author=site,
            links=[atom.Link(_absolute(request, "/public/feeds/cap.atom"), rel="self")],
            entries=entries,
        )
    )


@router.get("/feeds/advisories.{lang}.atom")
def advisories_feed(request: Request, lang: str) -> Response:
    """Advisories in one language (those written in it; others fall back to
    English), including updates and cancellations, newest first."""
    lang = languages.normal_tag(lang)
    if languages.language_problem(lang):
        return Response("unknown language\n", status_code=404, media_type="text/plain")
    with db_of(request).read() as session:
        items = [_advisory(m, lang, datetime.now(UTC)) for m in advisories.public_messages(session)]
        site = _site_name(session)
    entries = []
    for a in items:
        url = _absolute(request, f"/public/advisories/{a.id}?lang={a.text['language']}")
        status = {"Cancel": "cancelled", "Update": "updated"}.get(a.message.msg_type, "")
        entries.append(
            atom.Entry(
                id=_absolute(request, f"/public/advisories/{a.id}"),
                title=a.text["headline"] + (f" ({status})" if status else ""),
                updated=a.message.sent_at,
                language=a.text["language"],
                links=[
                    atom.Link(url, type="text/html"),
                    atom.Link(
                        _absolute(request, f"/public/cap/{a.message.identifier}.xml"),
                        rel="related",
                        type=CAP_MEDIA,
                    ),
                ],
                content_html=str(to_html(a.text["body"]))
                + (
                    f"<p>{Markup.escape(a.text['instruction'])}</p>"
                    if a.text["instruction"]
                    else ""
                ),
                categories=[a.message.content["event_type"]],
            )
        )
    return _atom(
        atom.feed(
            id=_absolute(request, f"/public/feeds/advisories.{lang}.atom"),
            title=f"{site}: advisories ({_language_name(lang)})",
            updated=max((a.message.sent_at for a in items), default=datetime.now(UTC)),
            author=site,
            language=lang,
            links=[
                atom.Link(_absolute(request, f"/public/feeds/advisories.{lang}.atom"), rel="self"),
                atom.Link(_absolute(request, f"/public/?lang={lang}"), type="text/html"),
            ],
            entries=entries,
        )
    )


@router.get("/feeds/fact-checks.{lang}.atom")
def fact_checks_feed(request: Request, lang: str) -> Response:
    lang = languages.normal_tag(lang)
    if languages.language_problem(lang):
        return Response("unknown language\n", status_code=404, media_type="text/plain")
    with db_of(request).read() as session:
        items = [_fact_check(c, lang) for c in fact_checks.public_checks(session)]
        site = _site_name(session)
    translate = language_context(lang)["term"]
    entries = [
        atom.Entry(
            id=_absolute(request, f"/public/fact-checks/{f.check.id}"),
            title=f"{translate(f.check.verdict)}: {f.text['claim'][:200]}",
            updated=f.check.published_at or f.check.updated_at,
            published=f.check.published_at,
            language=f.text["language"],
            links=[
                atom.Link(
                    _absolute(
                        request, f"/public/fact-checks/{f.check.id}?lang={f.text['language']}"
                    ),
                    type="text/html",
                )
            ],
            content_html=str(to_html(f.text["explanation"])),
            categories=[f.check.verdict],
        )
        for f in items
    ]
    return _atom(
        atom.feed(
            id=_absolute(request, f"/public/feeds/fact-checks.{lang}.atom"),
            title=f"{site}: fact checks ({_language_name(lang)})",
            updated=max(
                (f.check.published_at or f.check.updated_at for f in items),
                default=datetime.now(UTC),
            ),
            author=site,
            language=lang,
            links=[
                atom.Link(_absolute(request, f"/public/feeds/fact-checks.{lang}.atom"), rel="self")
            ],
            entries=entries,
        )
    )
