"""The live stream over a real server process: delivery, privacy, exact resume, reload,
state reconstruction (Zulip-style), restarts, and two server processes."""

import threading

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from eocnet.actions import events as event_actions
from eocnet.actions.users import actor_for
from eocnet.config import Settings
from eocnet.db.models import StreamEntry, User
from tests.live import LiveServer, collect

ALERT = {
    "title": "Measles in arrivals",
    "hazard": "Measles",
    "country": "IDN",
    "visibility": "network",
    "alert": True,
    "alert_reasons": ["serious", "may_spread_to_other_countries"],
}


def _ready_id(server, person) -> int:
    got = collect(server.url, person.headers, until=lambda es: es[-1].event == "ready")
    return got[-1].id


def test_post_and_acknowledge_are_streamed(live_server, make_person):
    idn, tha = make_person("IDN", "officer"), make_person("THA", "officer")
    start = _ready_id(live_server, tha)
    event = httpx.post(live_server.url + "/api/v1/events", json=ALERT, headers=idn.headers).json()
    httpx.post(
        f"{live_server.url}/api/v1/events/{event['id']}/acknowledgements", headers=tha.headers
    )
    got = collect(
        live_server.url,
        tha.headers,
        params={"last_event_id": str(start)},
        until=lambda es: any(e.event == "event.acknowledged" for e in es),
    )
    kinds = [e.event for e in got]
    assert kinds[0] == "ready" and "event.created" in kinds and "event.acknowledged" in kinds
    created = next(e for e in got if e.event == "event.created")
    assert created.data["id"] == event["id"] and created.data["title"] == ALERT["title"]
    ids = [e.id for e in got[1:]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_no_credentials_no_stream(live_server):
    assert httpx.get(live_server.url + "/api/v1/stream").status_code == 401


def test_stream_respects_visibility(live_server, make_person):
    idn, khm, tha = (make_person(c, "officer") for c in ("IDN", "KHM", "THA"))
    start = _ready_id(live_server, tha)
    httpx.post(
        live_server.url + "/api/v1/events",
        headers=idn.headers,
        json={**ALERT, "title": "secret bilateral", "visibility": "restricted", "parties": ["KHM"]},
    )
    marker = httpx.post(
        live_server.url + "/api/v1/events",
        headers=idn.headers,
        json={**ALERT, "title": "public marker"},
    ).json()
    got = collect(
        live_server.url,
        tha.headers,
        params={"last_event_id": str(start)},
        until=lambda es: any(
            e.event == "event.created" and e.data["id"] == marker["id"] for e in es
        ),
    )
    titles = [e.data["title"] for e in got if e.event == "event.created"]
    assert titles == ["public marker"]
    khm_got = collect(
        live_server.url,
        khm.headers,
        params={"last_event_id": str(start)},
        until=lambda es: sum(e.event == "event.created" for e in es) == 2,
    )
    assert [e.data["title"] for e in khm_got if e.event == "event.created"] == [
        "secret bilateral",
        "public marker",
    ]


def test_resume_with_last_event_id_has_no_gap_and_no_duplicate(live_server, make_person):
    idn, tha = make_person("IDN", "officer"), make_person("THA", "officer")
    cid = httpx.post(
        live_server.url + "/api/v1/channels", json={"name": "duty"}, headers=idn.headers
    ).json()["id"]
    start = _ready_id(live_server, tha)
    sent = []
    for i in range(30):
        sent.append(
            httpx.post(
                f"{live_server.url}/api/v1/channels/{cid}/messages",
                json={"body": f"m{i}"},
                headers=idn.headers,
            ).json()["id"]
        )
    # read the first 10, "disconnect", then resume from the last id seen
    first = collect(
        live_server.url,
        tha.headers,
        params={"last_event_id": str(start)},
        until=lambda es: sum(e.event == "message.created" for e in es) == 10,
    )
    last_seen = first[-1].id
    rest = collect(
        live_server.url,
        {**tha.headers, "Last-Event-ID": str(last_seen)},
        until=lambda es: sum(e.event == "message.created" for e in es) == 20,
    )
    bodies = [e.data["body"] for e in first + rest if e.event == "message.created"]
    assert bodies == [f"m{i}" for i in range(30)]


def test_unknown_last_event_id_asks_for_reload(live_server, make_person):
    tha = make_person("THA", "officer")
    got = collect(
        live_server.url, {**tha.headers, "Last-Event-ID": "999999999"}, until=lambda es: True
    )
    assert got[0].event == "reload"
    bad = httpx.get(
        live_server.url + "/api/v1/stream", headers={**tha.headers, "Last-Event-ID": "abc"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "Last-Event-ID"


def _state(url, person):
    events = httpx.get(url + "/api/v1/events?limit=200", headers=person.headers).json()["items"]
    return {
        e["id"]: {
            "title": e["title"],
            "status": e["status"],
            "acks": sorted(a["party"] for a in e["acknowledgements"]),
            "cases": e["cases_confirmed"],
        }
        for e in events
    }


def _apply(state, entry):
    if entry.event in ("event.created", "event.updated"):
        d = entry.data
        state[d["id"]] = {
            "title": d["title"],
            "status": d["status"],
            "acks": sorted(a["party"] for a in d["acknowledgements"]),
            "cases": d["cases_confirmed"],
        }
    elif entry.event == "event.acknowledged":
        acks = state[entry.data["event_id"]]["acks"]
        if entry.data["party"] not in acks:
            acks.append(entry.data["party"])
            acks.sort()


def test_stream_rebuilds_state_across_disconnects_and_restart(live_server, make_person):
    """Apply the stream to a stale copy of the state; it must equal the state fetched afresh,
    with disconnects and a server restart in between."""
    idn, tha, khm = (make_person(c, "officer") for c in ("IDN", "THA", "KHM"))
    watcher = make_person("VNM", "officer")
    httpx.post(live_server.url + "/api/v1/events", json=ALERT, headers=idn.headers)
    stale = _state(live_server.url, watcher)
    cursor = _ready_id(live_server, watcher)
    for round_ in range(3):
        ev = httpx.post(
            live_server.url + "/api/v1/events",
            headers=idn.headers,
            json={**ALERT, "title": f"round {round_}"},
        ).json()
        for who in (tha, khm):
            httpx.post(
                f"{live_server.url}/api/v1/events/{ev['id']}/acknowledgements", headers=who.headers
            )
        httpx.patch(
            f"{live_server.url}/api/v1/events/{ev['id']}",
            headers=idn.headers,
            json={"status": "verified", "figures": {"cases_confirmed": round_ + 1}},
        )
        if round_ == 1:
            live_server.stop()
            live_server.start()
        got = collect(
            live_server.url,
            {**watcher.headers, "Last-Event-ID": str(cursor)},
            until=lambda es: any(
                e.event == "event.updated" and e.data["title"] == f"round {round_}" for e in es
            ),
        )
        for entry in got:
            _apply(stale, entry)
        cursor = got[-1].id
    assert stale == _state(live_server.url, watcher)


def test_rolled_back_write_is_never_announced(db, make_person):
    person = make_person("IDN", "officer")
    woken: list[int] = []
    db.stream_listeners.append(woken.append)
    with db.read() as s:
        before = s.execute(select(func.count()).select_from(StreamEntry)).scalar_one()
    try:
        with pytest.raises(RuntimeError), db.transaction() as session:
            user = session.get(User, person.id)
            event_actions.create_event(
                session,
                actor_for(user),
                event_actions.EventFields(title="x", hazard="y", country="IDN"),
                Settings(),
            )
            raise RuntimeError("something failed after the event was written")
        with db.transaction() as session:
            user = session.get(User, person.id)
            event_actions.create_event(
                session,
                actor_for(user),
                event_actions.EventFields(title="kept", hazard="y", country="IDN"),
                Settings(),
            )
    finally:
        db.stream_listeners.remove(woken.append)
    with db.read() as s:
        after = s.execute(select(func.count()).select_from(StreamEntry)).scalar_one()
    assert after == before + 1 and len(woken) == 1


def test_two_server_processes_share_the_stream(db, database_url, make_person):
    """Post through one process, receive through the other (PostgreSQL: LISTEN/NOTIFY;
    SQLite: the other process notices on its next poll)."""
    idn, tha = make_person("IDN", "officer"), make_person("THA", "officer")
    a, b = LiveServer(database_url), LiveServer(database_url)
    try:
        start = _ready_id(b, tha)
        result: list = []

        def listen():
            result.extend(
                collect(
                    b.url,
                    tha.headers,
                    params={"last_event_id": str(start)},
                    until=lambda es: any(e.event == "event.created" for e in es),
                )
            )

        thread = threading.Thread(target=listen)
        thread.start()
        posted = httpx.post(a.url + "/api/v1/events", json=ALERT, headers=idn.headers).json()
        thread.join(timeout=20)
        assert [e.data["id"] for e in result if e.event == "event.created"] == [posted["id"]]
    finally:
        a.stop()
        b.stop()


def test_trimmed_log_tells_old_clients_to_reload(db, database_url, make_person, settings):
    from datetime import timedelta

    from eocnet.db.types import utcnow
    from eocnet.jobs import retention

    idn, tha = make_person("IDN", "officer"), make_person("THA", "officer")
    server = LiveServer(database_url)
    try:
        first = _ready_id(server, tha)
        for i in range(3):
            httpx.post(
                server.url + "/api/v1/events",
                headers=idn.headers,
                json={**ALERT, "title": f"old {i}"},
            )
    finally:
        server.stop()
    later = utcnow() + timedelta(days=settings.stream_retention_days + 1)
    assert retention.trim_stream(db, settings, later) >= 2
    with db.read() as s:
        left = s.execute(select(func.count()).select_from(StreamEntry)).scalar_one()
    assert left == 1  # the newest stays, so ids go on from there
    server = LiveServer(database_url)
    try:
        got = collect(
            server.url, {**tha.headers, "Last-Event-ID": str(first)}, until=lambda es: True
        )
        assert got[0].event == "reload"
        fresh = _ready_id(server, tha)
        posted = httpx.post(
            server.url + "/api/v1/events", headers=idn.headers, json={**ALERT, "title": "new"}
        ).json()
        after = collect(
            server.url,
            {**tha.headers, "Last-Event-ID": str(fresh)},
            until=lambda es: any(e.event == "event.created" for e in es),
        )
        created = [e for e in after if e.event == "event.created"]
        assert created[0].data["id"] == posted["id"] and created[0].id > fresh
    finally:
        server.stop()
