"""Every page on a phone (390×844): no sideways scrolling, the main heading near the top.

The pages are the application's own GET routes, so a new page is covered as soon as
it exists: each path parameter gets a sample record from the demo network (and a few
records made here), and a route that is not a page people read is listed in
``NOT_PAGES`` with the reason. A route in neither place fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select

from eocnet import demo
from eocnet.actions import logins, users
from eocnet.app import create_app
from eocnet.db import models as m
from eocnet.httpkit.cookies import SESSION_COOKIE
from tests.conftest import SECRET
from tests.helpers import totp_code

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HEADING_TOP = 200  # px from the top of the page

#: Routes that are not pages to read, with the reason.
NOT_PAGES = {
    "/healthz": "health check (JSON)",
    "/readyz": "readiness check (JSON)",
    "/login": "logged-out page: checked in test_logged_out_pages",
    "/login/2fa": "half-logged-in page: checked in test_logged_out_pages",
    "/events/fragment": "fragment re-fetched into /events",
    "/events/{event_id}/acks": "fragment re-fetched into the event page",
    "/events/{event_id}/thread": "fragment re-fetched into the event page",
    "/channels/{channel_id}/messages": "fragment re-fetched into the channel page",
    "/tracing/fragment": "fragment re-fetched into /tracing",
    "/tracing/{notice_id}/people": "fragment re-fetched into the notice page",
    "/tracing/chains/{event_id}": "fragment loaded into the event page (chains of transmission)",
    "/surveillance/fragment": "fragment re-fetched into /surveillance",
    "/surveillance/curve/fragment": "fragment re-fetched into the curve page",
    "/surveillance/rt.{fmt}": "download (CSV/JSON)",
    "/surveillance/curve.{fmt}": "download (CSV/JSON)",
    "/reports/{report_id}/progress": "fragment polled while a report is built",
    "/public/cap/{identifier}.xml": "CAP XML document",
    "/public/feeds/cap.atom": "Atom feed",
    "/public/feeds/advisories.{lang}.atom": "Atom feed",
    "/public/feeds/fact-checks.{lang}.atom": "Atom feed",
    "/meetings/{meeting_id}/files/{file_id}": "file download",
    "/agreements/{agreement_id}/documents/{file_id}": "file download",
    "/agreements/{agreement_id}/timeline.svg": "image",
    "/agreements/{agreement_id}/indicators/{indicator_id}.svg": "image",
    "/connectivity/chart.svg": "image",
    "/region/map.json": "map data (GeoJSON)",
    "/manifest.webmanifest": "web app manifest",
    "/sw.js": "service worker script",
}

#: Pages neither an officer nor the coordinator opens, and who opens them instead.
OTHER_VIEWERS = {"/audit": "admin"}

#: Where each path parameter takes its sample from: a model whose ids are tried in
#: order until one is a page the viewer may open.
SAMPLES: dict[str, Any] = {
    "event_id": m.Event,
    "channel_id": m.Channel,
    "notice_id": m.TracingNotice,
    "assessment_id": m.RiskAssessment,
    "advisory_id": m.Advisory,
    "fact_check_id": m.FactCheck,
    "request_id": m.SupportRequest,
    "item_id": None,  # two models share the name: by route below
    "pledge_id": m.Pledge,
    "meeting_id": m.Meeting,
    "mechanism_id": m.Mechanism,
    "agreement_id": m.Agreement,
    "report_id": m.Report,
    "signal_id": m.Signal,
}
ITEM_MODELS = {"/stockpiles/{item_id}": m.StockItem, "/actions/{item_id}": m.ActionItem}


def page_routes(app: Any) -> list[str]:
    """Every GET path of the application outside the API."""

    def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            else:
                yield prefix, route

    found = []
    for prefix, route in walk(app.router.routes):
        path = prefix + getattr(route, "path", "")
        if "GET" in (getattr(route, "methods", None) or ()) and not path.startswith("/api/"):
            found.append(path)
    return sorted(set(found))


def _enable_totp(session: Any, user: m.User) -> None:
    secret = users.begin_totp_enrolment(session, user, SECRET)
    users.confirm_totp_enrolment(session, user, totp_code(secret), SECRET)


@pytest.fixture
def network(db, settings, make_person, live_server):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        demo.load_demo(session, settings)
    officer = make_person("IDN", "officer")
    focal = make_person("IDN", "officer", "focal_point")
    coordinator = make_person("ASEC", "coordinator")
    admin = make_person("ASEC", "admin")
    cookies = {}
    with db.transaction() as session:
        for name, person in (("officer", officer), ("coordinator", coordinator), ("admin", admin)):
            user = session.get(m.User, person.id)
            if name != "officer":  # their roles need a second factor
                _enable_totp(session, user)
            cookies[name] = logins.start_web_session(
                session, settings, user, second_factor_done=True
            )
        event_id = session.scalar(
            select(m.Event.id).where(m.Event.visibility != "restricted").order_by(m.Event.id)
        )
        # a failing signal source, its long address and error in the table
        session.add(
            m.SignalSource(
                url="https://news.example/feeds/health-and-disease-outbreaks-in-the-region.xml",
                name="District health news (regional edition, all provinces)",
                language="id",
                visibility="network",
                owner_party="IDN",
                health="failing",
                error_count=3,
                last_error="connection refused by news.example:443 after 3 attempts; "
                "the feed is read again later",
                created_by=focal.id,
            )
        )
    # records the demo does not have: a risk assessment, a tracing notice, a report,
    # a signal with a verification request
    api = httpx.Client(base_url=live_server.url + "/api/v1", timeout=60)
    r = api.post(
        f"/events/{event_id}/risk-assessments",
        headers=officer.headers,
        json={
            "title": "Spread within the region",
            "hazard_assessment": "h",
            "exposure_assessment": "e",
            "context_assessment": "c",
            "likelihood": "likely",
            "consequences": "moderate",
            "confidence": "moderate",
            "sharing": "network",
        },
    )
    assert r.status_code == 201, r.text
    r = api.post(
        "/tracing-notices",
        headers=focal.headers,
        json={
            "event_id": event_id,
            "parties": ["KHM"],
            "summary": "One co-traveller.",
            "persons": [
                {
                    "role": "co_traveller",
                    "full_name": "Sok Dara",
                    "nationality": "KHM",
                    "phone": "+855 12 345 678",
                    "travel_mode": "flight",
                    "travel_number": "QZ7521",
                    "travel_date": "2026-11-20",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    r = api.post("/reports", headers=officer.headers, json={"kind": "sitrep", "event_id": event_id})
    assert r.status_code == 201, r.text
    r = api.post(
        "/signals",
        headers=officer.headers,
        json={
            "title": "Cluster of fever with rash reported near the border crossing",
            "url": "https://news.example/2026/11/fever-cluster-near-the-border-crossing",
            "summary": "A district news site reports twelve people with fever and rash.",
            "language": "en",
            "countries": ["IDN"],
            "visibility": "network",
        },
    )
    assert r.status_code == 201, r.text
    r = api.post(
        f"/signals/{r.json()['id']}/verification-requests",
        headers=officer.headers,
        json={"party": "KHM", "question": "Is the cluster known to the district health office?"},
    )
    assert r.status_code == 201, r.text
    api.close()
    return cookies


def _samples(db, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The addresses to try for a route, its parameters filled with sample ids."""
    # a parameter may carry a converter: {signal_id:int}
    parts = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    names = [part.partition(":")[0] for part in parts]
    if not names:
        return [path]
    assert len(names) == 1, f"{path}: add a sample for several parameters"
    name = names[0]
    if name == "code":
        return [path.replace("{code}", "IDN")]
    model = ITEM_MODELS.get(path) if name == "item_id" else SAMPLES.get(name)
    assert model is not None, f"no sample for {path}: add one to SAMPLES or list it in NOT_PAGES"
    with db.read() as session:
        ids = session.scalars(select(model.id).order_by(model.id).limit(8)).all()
    assert ids, f"no {model.__name__} to show {path}"
    return [path.replace("{" + parts[0] + "}", str(i)) for i in ids]


def _measure(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const h1 = document.querySelector('h1');
          return {
            width: document.documentElement.scrollWidth,
            inner: window.innerWidth,
            top: h1 ? h1.getBoundingClientRect().top + window.scrollY : null,
            // what sticks out, outside any box that scrolls by itself (to name it)
            wide: [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
              .filter(e => {
                for (let a = e.parentElement; a; a = a.parentElement) {
                  if (getComputedStyle(a).overflowX !== 'visible') return false;
                }
                return true;
              })
              .slice(0, 4).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className),
          };
        }"""
    )


def _check(page: Any, url: str) -> str | None:
    """None if the page is fine on the phone, else what is wrong."""
    response = page.goto(url)
    if response is None or response.status != 200:
        return "status " + str(response.status if response else None)
    page.wait_for_load_state("load")
    got = _measure(page)
    problems = []
    if got["width"] > got["inner"]:
        problems.append(f"{got['width']} px wide ({', '.join(got['wide'])})")
    if got["top"] is None:
        problems.append("no h1")
    elif got["top"] > HEADING_TOP:
        problems.append(f"h1 at {got['top']:.0f} px")
    return "; ".join(problems) or None


def test_the_route_list_is_complete(settings, db):  # type: ignore[no-untyped-def]
    routes = page_routes(create_app(settings, db))
    assert "/events/{event_id}" in routes and "/" in routes
    assert not set(NOT_PAGES) - set(routes), "NOT_PAGES names routes that are gone"


def test_every_page_fits_a_phone(browser, live_server, db, settings, network):  # type: ignore[no-untyped-def]
    routes = [r for r in page_routes(create_app(settings, db)) if r not in NOT_PAGES]
    failures = []
    for who, cookie in network.items():
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        for route in routes:
            if who != OTHER_VIEWERS.get(route, who if who in ("officer", "coordinator") else ""):
                continue
            errors = {}
            for address in _samples(db, route):
                problem = _check(page, live_server.url + address)
                if problem is None:
                    break
                errors[address] = problem
            else:
                failures.append(f"{who} {route}: {errors}")
        if who == "officer":  # the menu opens on a tap and leads to the pages
            page.goto(live_server.url + "/")
            assert not page.is_visible("#nav-links a[href='/events']")
            page.click("#menu-button")
            page.click("#nav-links a[href='/events']")
            page.wait_for_url("**/events")
        context.close()
    assert not failures, "\n".join(failures)


def test_logged_out_pages(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for address in ("/login", "/public/"):
        assert _check(page, live_server.url + address) is None, address
    context.close()
