"""The authorisation matrix, generated from the app's routes (issue 24, "the probe, kept").

Every route the app serves is classified in ``tests/probe_routes.py``; a route missing
there fails ``test_every_route_is_in_the_matrix``. For every kind of record with a
restricted record in ``tests/probe_world.py``, the people the kind's rule excludes (an
outsider party, its focal point, a dialogue partner, a read-only token, and the
coordinator where the rule leaves it out) get nothing: 404 for a read of the record,
its text absent from every answer (lists, search, exports, documents, pages, every other
route as well), 403 or 404 for a change, with no row changed, and no stream entry they
may receive that carries its text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from eocnet.db.models import SearchDocument, StreamEntry
from eocnet.realtime.log import audience_of_row
from tests.hostile import example, json_operations
from tests.probe_routes import ROUTES, RULES
from tests.probe_world import EXCLUDED, MARKER_ONLY, Tally, World, build_world

VERBS = {"read", "list", "search", "export", "stream", "form", "write"}
# answers that never carry a record (an endless stream is checked in the log instead)
SKIP = {("GET", "/api/v1/stream")}
# the route's own id names, per kind, where one name means different records
FILE_IDS = {"meeting": "meeting_file_id", "agreement": "agreement_file_id"}
ITEM_IDS = {"action_item": "action_item_id"}
# other id names that mean a different record per kind
KIND_IDS = {"verification_request": {"request_id": "verification_request_id"}}
# the step of a page's "/{step}" write route, by its first path segment
STEPS = {
    "advisories": "submit",
    "support-requests": "offers",
    "signals": "triage",
    "verification-requests": "acknowledge",
}
# required query parameters of a GET route: (query name, world id name)
QUERIES = {
    ("GET", "/api/v1/tracing/chains"): ("event_id", "event_id"),
    ("GET", "/api/v1/tracing/chains.csv"): ("event_id", "event_id"),
    ("GET", "/api/v1/tracing/chains.graphml"): ("event_id", "event_id"),
    ("GET", "/api/v1/tracing/figures"): ("event_id", "event_id"),
}


def app_routes(app) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    for context in iter_route_contexts(app.routes):
        methods = getattr(context.original_route, "methods", None) or {"MOUNT"}
        for method in sorted(methods - {"HEAD"}):
            yield method, context.path


@pytest.fixture(scope="module")
def world(database_url, shared_db) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with build_world(database_url, shared_db) as w:
        yield w


def fill(path: str, kind: str, ids: dict[str, int]) -> str:
    """The route's path with the ids of the kind's restricted record."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "file_id":
            return str(ids.get(FILE_IDS.get(kind, ""), 1))
        if name == "item_id":
            return str(ids.get(ITEM_IDS.get(kind, ""), 1))
        if name == "fmt":
            return "html" if "document" in path or "follow-up" in path else "csv"
        if name == "step":
            return STEPS.get(path.split("/")[1], "activities")
        if name == "lang":
            return "en"
        if name in ("code",):
            return "IDN"
        return str(ids.get(KIND_IDS.get(kind, {}).get(name, name), 1))

    return re.sub(r"\{([a-z_]+)(?::[a-z]+)?\}", one, path)


def test_every_route_is_in_the_matrix(world: World) -> None:
    served = set(app_routes(world.client.app))
    missing = sorted(served - set(ROUTES))
    assert not missing, f"classify these routes in tests/probe_routes.py: {missing}"
    gone = sorted(set(ROUTES) - served)
    assert not gone, f"routes in tests/probe_routes.py that the app no longer has: {gone}"
    for key, (kind, verb) in ROUTES.items():
        assert kind in RULES, (key, kind)
        assert verb in VERBS, (key, verb)


def _forbidden_markers(name: str) -> list[str]:
    return [
        m
        for kind, names in {**EXCLUDED}.items()
        if name in names or name in MARKER_ONLY.get(kind, [])
        for m in WORLD_MARKERS[kind]
    ]


WORLD_MARKERS: dict[str, list[str]] = {}


def _call(world: World, name: str, method: str, path: str, **kw):  # type: ignore[no-untyped-def]
    who = world.people[name]
    if path.startswith("/api/"):
        return world.api(who, method, path, **kw)
    if "json" in kw:
        kw = {"data": {}}
    return world.page(who, method, path, **kw)


def _leaks(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in text]


def run_gets(world: World) -> Tally:
    """Every GET route (with each kind's restricted ids in its path, and a search for
    the markers) answers the excluded people without the marked text; a read of one
    restricted record is 404."""
    WORLD_MARKERS.update(world.markers)
    tally = Tally()
    for (method, route), (kind, verb) in ROUTES.items():
        if method != "GET" or (method, route) in SKIP or route.startswith("/static"):
            continue
        path = fill(route, kind, world.ids)
        query = {"q": "ZQX"} if verb == "search" else None
        if (method, route) in QUERIES:
            param, id_name = QUERIES[(method, route)]
            query = {param: str(world.ids[id_name])}
        for name in sorted({n for names in EXCLUDED.values() for n in names}):
            r = _call(world, name, method, path, params=query)
            category = "access: API reads" if path.startswith("/api/") else "access: pages"
            tally.tried[category] += 1
            if r.status_code >= 500:
                tally.fail(tally.server_errors, category, f"{name} {path}: {r.status_code}")
                continue
            leaked = _leaks(r.text, _forbidden_markers(name))
            if leaked:
                tally.fail(tally.leaks, category, f"{name} {path}: {r.status_code} shows {leaked}")
            if (
                verb == "read"
                and kind in EXCLUDED
                and name in EXCLUDED[kind]
                and name not in MARKER_ONLY.get(kind, [])
                and r.status_code not in (404, 403)
            ):
                tally.fail(tally.leaks, category, f"{name} {path}: {r.status_code}, not 404")
            if (
                verb == "read"
                and kind in EXCLUDED
                and name in EXCLUDED[kind]
                and r.status_code == 403
                and path.startswith("/api/")
                and _readable_role(world, name, path)
            ):
                tally.fail(tally.mismatches, category, f"{name} {path}: 403, not 404")
    return tally


def test_every_get_hides_restricted_records_from_those_excluded(world: World) -> None:
    tally = run_gets(world)
    assert sum(tally.tried.values()) > 1000
    assert not tally.failures, "\n".join(tally.failures)


def _readable_role(world: World, name: str, path: str) -> bool:
    """Whether the person's role may read this kind of record at all (then a hidden
    record must answer 404, not 403)."""
    owner_like = {"outsider": "owner", "outsider_fp": "owner_fp", "outsider_readonly": "owner"}
    twin = owner_like.get(name)
    if twin is None:
        return False
    return world.api(world.people[twin], "GET", path).status_code == 200


def test_the_owners_see_their_records(world: World) -> None:
    """Positive control: the record's own party reads each restricted record."""
    ids = world.ids
    for who, path in [
        ("owner", f"/api/v1/events/{ids['event_id']}"),
        ("listed", f"/api/v1/events/{ids['event_id']}"),
        ("owner", f"/api/v1/risk-assessments/{ids['assessment_id']}"),
        ("listed_fp", f"/api/v1/tracing-notices/{ids['notice_id']}"),
        ("listed", f"/api/v1/channels/{ids['channel_id']}/messages"),
        ("listed", f"/api/v1/meetings/{ids['meeting_id']}"),
        ("coordinator", f"/api/v1/meetings/{ids['meeting_id']}"),
        ("listed", f"/api/v1/agreements/{ids['agreement_id']}"),
        ("coordinator", f"/api/v1/advisories/{ids['advisory_id']}"),
        ("listed", f"/api/v1/support-requests/{ids['request_id']}"),
        ("owner", f"/api/v1/signals/{ids['signal_id']}"),
        ("listed", f"/api/v1/signals/{ids['signal_id']}"),
        ("listed", f"/api/v1/signal-sources/{ids['source_id']}"),
        ("listed", f"/api/v1/verification-requests/{ids['verification_request_id']}"),
        ("coordinator", f"/api/v1/verification-requests/{ids['verification_request_id']}"),
        ("listed", f"/signals/{ids['signal_id']}"),
        ("owner", f"/events/{ids['event_id']}"),
        ("listed", f"/meetings/{ids['meeting_id']}"),
    ]:
        r = _call(world, who, "GET", path)
        assert r.status_code == 200, (who, path, r.status_code)
        assert "ZQX" in r.text, (who, path)


def run_writes(world: World) -> Tally:
    """Every write route of a kind with a restricted record, by each person the kind's
    rule excludes and by a read-only token of the owner's party, with a body valid by
    the schema: 403 or 404 (422 only where the body is refused before the record is
    looked up), and no row changed."""
    WORLD_MARKERS.update(world.markers)
    tally = Tally()
    spec = world.client.app.openapi()
    bodies = {(m, p): example(spec, schema) for m, p, schema in json_operations(spec)}
    for (method, route), (kind, verb) in ROUTES.items():
        if verb != "write" or kind not in EXCLUDED or "{" not in route:
            continue
        path = fill(route, kind, world.ids)
        # a read-only token limits what the token may do, not its user's page session
        readonly = ["owner_readonly"] if path.startswith("/api/") else []
        for name in [*EXCLUDED[kind], *readonly]:
            if name in MARKER_ONLY.get(kind, []):
                continue
            before = world.counts()
            r = _call(world, name, method, path, json=bodies.get((method, route), {}))
            category = "access: API writes" if path.startswith("/api/") else "access: page writes"
            tally.tried[category] += 1
            allowed = {403, 404, 422} if path.startswith("/api/") else {403, 404, 422, 400}
            where = f"{name} {method} {path}: {r.status_code}"
            if r.status_code >= 500:
                tally.fail(tally.server_errors, category, where)
            elif r.status_code not in allowed:
                tally.fail(tally.leaks, category, f"{where} {r.text[:120]}")
            after = world.counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                tally.fail(tally.leaks, category, f"{where} changed {changed}")
    return tally


def test_writes_to_restricted_records_are_refused_and_change_nothing(world: World) -> None:
    tally = run_writes(world)
    assert sum(tally.tried.values()) > 100
    assert not tally.failures, "\n".join(tally.failures)


def run_log(world: World) -> Tally:
    """No stream entry or search document an excluded person may receive carries the
    text of a record they may not see."""
    WORLD_MARKERS.update(world.markers)
    tally = Tally()
    with world.db.read() as session:
        entries = session.scalars(select(StreamEntry)).all()
        documents = session.scalars(select(SearchDocument)).all()
        assert entries and documents
        for name in sorted({n for names in EXCLUDED.values() for n in names}):
            who = world.people[name]
            markers = _forbidden_markers(name)
            for row in [*entries, *documents]:
                category = f"access: {'stream' if isinstance(row, StreamEntry) else 'search'}"
                tally.tried[category] += 1
                if not audience_of_row(row).allows(who.party, who.party_kind, who.id):
                    continue
                data = json.dumps(
                    {c.name: str(getattr(row, c.name)) for c in row.__table__.columns}
                )
                if _leaks(data, markers):
                    what = f"{name}: {type(row).__name__} {row.id} {data[:160]}"
                    tally.fail(tally.leaks, category, what)
    return tally


def test_stream_and_search_never_reach_those_excluded(world: World) -> None:
    tally = run_log(world)
    assert not tally.failures, "\n".join(tally.failures)
