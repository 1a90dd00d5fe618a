"""Event-based surveillance: feeds polled from a real server on loopback (RSS, Atom and
JSON Feed in several languages, with duplicates, a changed item, malformed entries and
an unreachable period), the API contract, triage, verification requests with their
IHR Art. 10 clocks, and who must not see any of it."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from eocnet.actions import signals as actions
from eocnet.db.models import AuditEntry, Signal, SignalSource, StreamEntry
from eocnet.db.types import utcnow
from eocnet.domain import signals as rules
from eocnet.interop import feeds
from eocnet.jobs import signals as job


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"signal_allow_private": True})


class FeedServer:
    """Feeds by path, each with its ETag; a path in ``down`` drops the connection."""

    def __init__(self) -> None:
        self.feeds: dict[str, tuple[bytes, str, str]] = {}
        self.down: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("If-None-Match", "")))
                if self.path in server.down or self.path not in server.feeds:
                    if self.path in server.down:
                        self.close_connection = True
                        return
                    self.send_response(404)
                    self.end_headers()
                    return
                body, kind, etag = server.feeds[self.path]
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: str, kind: str, etag: str = "") -> str:
        self.feeds[path] = (body.encode(), kind, etag)
        return self.base + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed_server():  # type: ignore[no-untyped-def]
    server = FeedServer()
    yield server
    server.stop()


def rss(language: str, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title>{f'<link>{link}</link>' if link else ''}"
        f"<description>{t}</description><pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example/</link><language>{language}</language>{body}"
        "</channel></rss>"
    )


def atom(language: str, entries: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<entry><id>urn:x:{i}</id><title>{t}</title><link href='{link}'/>"
        f"<updated>2026-11-30T08:00:00Z</updated><summary>{t}</summary></entry>"
        for i, (t, link) in enumerate(entries)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="{language}"><title>Berita</title><id>urn:x</id>'
        f"<updated>2026-11-30T08:00:00Z</updated>{body}</feed>"
    )


def json_feed(language: str, items: list[dict[str, str]]) -> str:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "ข่าว", "language": language,
         "items": items}, ensure_ascii=False,
    )  # fmt: skip


EN = [
    ("Dengue outbreak in Cambodia: 300 cases in Phnom Penh", "https://news.example/en/dengue"),
    (  # the same item again, with tracking parameters
        "Dengue outbreak in Cambodia: 300 cases in Phnom Penh",
        "https://www.news.example/en/dengue/?utm_source=rss&amp;utm_medium=feed",
    ),
    ("Avian influenza H5N1 found in poultry, Viet Nam", "https://news.example/en/h5n1"),
    ("An item without a link", ""),  # malformed
    ("", "javascript:alert(1)"),  # malformed
]
ID = [
    ("Kasus campak meningkat di Jawa Barat, Indonesia", "https://berita.example/campak"),
    ("Flu burung terdeteksi di Bali", "https://berita.example/flu-burung"),
    ("", "https://berita.example/kosong"),  # malformed: no title
]
TH = [
    {"id": "1", "url": "https://khao.example/1", "title": "พบผู้ป่วยไข้เลือดออกเพิ่มขึ้นในกรุงเทพ"},
    {"id": "2", "title": "ไม่มีลิงก์"},  # malformed: no link
]
VI = [
    ("Bùng phát dịch sởi tại Hà Nội", "https://tin.example/soi"),
    ("Cúm gia cầm A/H5N1 tại Việt Nam", "https://tin.example/cum"),
]


def add_source(client, person, url, name, language, **extra):  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/signal-sources",
        headers=person.headers,
        json={"url": url, "name": name, "language": language, **extra},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def poll(db, settings, at: datetime) -> int:  # type: ignore[no-untyped-def]
    return job.run(db, settings, at)


def source(db, source_id):  # type: ignore[no-untyped-def]
    with db.read() as session:
        row = session.get(SignalSource, source_id)
        session.expunge(row)
        return row


def new_signals(client, person):  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/signals?status=new", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_feeds_in_several_languages_arrive_once(client, db, settings, make_person, feed_server):
    coordinator = make_person("ASEC", "coordinator")
    en = add_source(
        client,
        coordinator,
        feed_server.serve("/en.rss", rss("en", EN), "application/rss+xml", etag='"en-1"'),
        "News EN",
        "en",
    )
    id_ = add_source(
        client,
        coordinator,
        feed_server.serve("/id.atom", atom("id", ID), "application/atom+xml", etag='"id-1"'),
        "Berita",
        "id",
    )
    th = add_source(
        client,
        coordinator,
        feed_server.serve("/th.json", json_feed("th", TH), "application/feed+json"),
        "Khao",
        "th",
    )
    vi = add_source(client, coordinator, feed_server.serve(
        "/vi.rss", rss("vi", VI), "application/rss+xml"), "Tin", "vi", reliability="B")  # fmt: skip

    t0 = utcnow()
    assert poll(db, settings, t0) == 7
    items = {i["title"]: i for i in new_signals(client, coordinator)}
    assert len(items) == 7
    dengue = items["Dengue outbreak in Cambodia: 300 cases in Phnom Penh"]
    assert set(dengue) >= {"id", "title", "url", "source", "language", "hazards", "countries"}
    assert (dengue["source"], dengue["language"], dengue["hazards"], dengue["countries"]) == (
        en, "en", ["dengue"], ["KHM"],
    )  # fmt: skip
    assert items["Avian influenza H5N1 found in poultry, Viet Nam"]["hazards"] == [
        "avian_influenza"
    ]
    assert items["Avian influenza H5N1 found in poultry, Viet Nam"]["countries"] == ["VNM"]
    measles_id = items["Kasus campak meningkat di Jawa Barat, Indonesia"]
    assert (measles_id["hazards"], measles_id["countries"], measles_id["language"]) == (
        ["measles"], ["IDN"], "id",
    )  # fmt: skip
    assert items["Flu burung terdeteksi di Bali"]["countries"] == ["IDN"]
    thai = items["พบผู้ป่วยไข้เลือดออกเพิ่มขึ้นในกรุงเทพ"]
    assert (thai["hazards"], thai["countries"], thai["source"]) == (["dengue"], ["THA"], th)
    assert items["Bùng phát dịch sởi tại Hà Nội"]["countries"] == ["VNM"]
    assert items["Bùng phát dịch sởi tại Hà Nội"]["hazards"] == ["measles"]
    assert items["Cúm gia cầm A/H5N1 tại Việt Nam"]["reliability"] == "B"
    # malformed entries are counted on their source, and shown
    counts = {s["id"]: s for s in client.get(
        "/api/v1/signal-sources", headers=coordinator.headers).json()}  # fmt: skip
    assert [counts[s]["malformed_count"] for s in (en, id_, th, vi)] == [2, 1, 1, 0]
    assert all(counts[s]["health"] == "ok" for s in (en, id_, th, vi))

    # second round: the English feed has not changed (304), the Atom feed changed an item
    # and repeats the English item and its own under another link; the Vietnamese is down
    feed_server.serve("/id.atom", atom("id", [
        ("Kasus campak meningkat tajam di Jawa Barat, Indonesia", "https://berita.example/campak"),
        ("Flu burung terdeteksi di Bali!", "https://berita.example/flu-burung-2"),
        ("Dengue outbreak in Cambodia: 300 cases in Phnom Penh", "https://news.example/en/dengue"),
    ]), "application/atom+xml", etag='"id-2"')  # fmt: skip
    feed_server.down.add("/vi.rss")
    t1 = t0 + timedelta(seconds=settings.signal_poll_seconds + 1)
    assert poll(db, settings, t1) == 0
    assert ("/en.rss", '"en-1"') in feed_server.requests  # a conditional request
    items = {i["id"]: i for i in new_signals(client, coordinator)}
    assert len(items) == 7
    assert items[measles_id["id"]]["title"] == (
        "Kasus campak meningkat tajam di Jawa Barat, Indonesia"
    )
    merged = client.get(f"/api/v1/signals/{dengue['id']}", headers=coordinator.headers).json()
    assert merged["also_seen"] == [{"source_id": id_, "url": "https://news.example/en/dengue",
                                    "title": dengue["title"]}]  # fmt: skip
    down = source(db, vi)
    assert (down.health, down.error_count) == ("failing", 1)
    assert down.next_poll_at == t1 + timedelta(seconds=2 * settings.signal_poll_seconds)
    assert down.last_error

    # while backing off the source is not polled; then it is, and nothing arrives twice
    feed_server.down.clear()
    t2 = t1 + timedelta(seconds=settings.signal_poll_seconds + 1)
    poll(db, settings, t2)
    assert source(db, vi).last_polled_at == t1
    t3 = t1 + timedelta(seconds=2 * settings.signal_poll_seconds + 1)
    assert poll(db, settings, t3) == 0
    assert (source(db, vi).health, source(db, vi).error_count) == ("ok", 0)
    with db.read() as session:
        assert len(session.scalars(select(Signal)).all()) == 7


def test_a_feed_that_is_not_a_feed_is_an_error_and_nothing_crashes(
    client, db, settings, make_person, feed_server
):
    coordinator = make_person("ASEC", "coordinator")
    broken = add_source(client, coordinator, feed_server.serve(
        "/x", "<html><body>not a feed</body></html>", "text/html"), "Broken", "en")  # fmt: skip
    doctype = add_source(client, coordinator, feed_server.serve(
        "/d", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><rss><channel><item><title>&e;'
        "</title><link>https://a.example/</link></item></channel></rss>", "application/xml"),
        "Doctype", "en")  # fmt: skip
    json_bad = add_source(client, coordinator, feed_server.serve(
        "/j", "{not json", "application/feed+json"), "Bad JSON", "en")  # fmt: skip
    missing = add_source(client, coordinator, feed_server.base + "/gone", "Gone", "en")
    assert poll(db, settings, utcnow()) == 0
    for source_id in (broken, doctype, json_bad, missing):
        row = source(db, source_id)
        assert (row.health, row.error_count) == ("failing", 1), row.last_error
    assert "DOCTYPE" in source(db, doctype).last_error
    assert source(db, missing).last_error == "HTTP 404"


def test_private_addresses_are_refused_unless_allowed(client, app, db, make_person):
    coordinator = make_person("ASEC", "coordinator")
    app.state.settings = app.state.settings.model_copy(update={"signal_allow_private": False})
    for url in ("http://127.0.0.1:9/feed", "http://10.0.0.1/feed", "http://[::1]/feed"):
        r = client.post(
            "/api/v1/signal-sources",
            headers=coordinator.headers,
            json={"url": url, "name": "Internal", "language": "en"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "url"
    r = client.post(
        "/api/v1/signal-sources",
        headers=coordinator.headers,
        json={"url": "ftp://news.example/feed", "name": "FTP", "language": "en"},
    )
    assert (r.status_code, r.json()["field"]) == (422, "url")


def test_who_configures_sources_and_bad_input(client, make_person):
    officer = make_person("IDN", "officer")
    focal = make_person("IDN", "focal_point")
    partner = make_person("JPN", "partner")
    body = {"url": "http://127.0.0.1:9/feed", "name": "Kemenkes", "language": "id"}
    for refused in (officer, partner):
        r = client.post("/api/v1/signal-sources", headers=refused.headers, json=body)
        assert r.status_code == 403
    r = client.post("/api/v1/signal-sources", headers=focal.headers, json=body)
    assert r.status_code == 201, r.text
    again = client.post("/api/v1/signal-sources", headers=focal.headers, json=body)
    assert again.status_code == 409
    for field, value in (("language", "not a tag"), ("name", ""), ("reliability", "G")):
        r = client.post(
            "/api/v1/signal-sources", headers=focal.headers,
            json=body | {"url": "http://127.0.0.1:9/other", field: value},
        )  # fmt: skip
        assert r.status_code == 422, r.text
        assert r.json()["field"].endswith(field)
    with_source = client.get("/api/v1/signal-sources", headers=officer.headers).json()
    assert [s["name"] for s in with_source] == ["Kemenkes"]
    assert client.get("/api/v1/signal-sources", headers=partner.headers).json() == []
    tha = make_person("THA", "officer")
    r = client.get(f"/api/v1/signal-sources/{with_source[0]['id']}", headers=tha.headers)
    assert r.status_code == 404


@pytest.fixture
def world(client, db, settings, make_person, feed_server):  # type: ignore[no-untyped-def]
    people = {
        "asec": make_person("ASEC", "coordinator"),
        "khm": make_person("KHM", "officer"),
        "khm_focal": make_person("KHM", "focal_point"),
        "tha": make_person("THA", "officer"),
        "tha_focal": make_person("THA", "focal_point"),
        "idn": make_person("IDN", "focal_point"),
        "jpn": make_person("JPN", "partner"),
    }
    add_source(client, people["asec"], feed_server.serve(
        "/en.rss", rss("en", EN[:1]), "application/rss+xml"), "News EN", "en")  # fmt: skip
    assert poll(db, settings, utcnow()) == 1
    (item,) = new_signals(client, people["asec"])
    people["signal"] = item["id"]
    return people


def test_verification_request_contract_and_who_sees_it(client, db, world):
    asec, khm, signal_id = world["asec"], world["khm"], world["signal"]
    outsiders = [world["tha"], world["tha_focal"], world["idn"], world["jpn"]]
    for person in [khm, *outsiders]:
        assert new_signals(client, person) == []
        r = client.get(f"/api/v1/signals/{signal_id}", headers=person.headers)
        assert r.status_code == 404
    r = client.post(
        f"/api/v1/signals/{signal_id}/verification-requests",
        headers=asec.headers,
        json={"party": "KHM"},
    )
    assert r.status_code == 201, r.text
    request = r.json()
    created = datetime.fromisoformat(request["created_at"])
    assert datetime.fromisoformat(request["acknowledge_by"]) == created + timedelta(hours=24)
    assert datetime.fromisoformat(request["respond_by"]) == created + timedelta(hours=24)
    rid = request["id"]

    # KHM now sees the signal and the request; the others see neither
    assert client.get(f"/api/v1/signals/{signal_id}", headers=khm.headers).status_code == 200
    mine = client.get("/api/v1/verification-requests?asked_of_me=true", headers=khm.headers)
    assert [r["id"] for r in mine.json()] == [rid]
    for person in outsiders:
        assert client.get(f"/api/v1/signals/{signal_id}", headers=person.headers).status_code == 404
        assert client.get(f"/api/v1/verification-requests/{rid}",
                          headers=person.headers).status_code == 404  # fmt: skip
        assert client.get("/api/v1/verification-requests", headers=person.headers).json() == []
        assert client.post(f"/api/v1/verification-requests/{rid}/acknowledgement",
                           headers=person.headers).status_code == 404  # fmt: skip
        answer = {"status": "confirmed", "text": "x"}
        r = client.post(
            f"/api/v1/verification-requests/{rid}/response", headers=person.headers, json=answer
        )
        assert r.status_code == 404
        with db.read() as session:
            entries = session.scalars(select(StreamEntry).where(
                StreamEntry.kind.like("verification.%"))).all()  # fmt: skip
            assert entries
            for entry in entries:
                assert not actions._request_audience(session, _req(session, rid)).allows(
                    person.party, "member" if person.party != "JPN" else "partner", person.id
                )
                assert entry.parties_key == ",ASEC,KHM,"

    # the requester cannot answer for KHM
    r = client.post(f"/api/v1/verification-requests/{rid}/response", headers=asec.headers,
                    json={"status": "confirmed", "text": "x"})  # fmt: skip
    assert r.status_code == 403
    r = client.post(f"/api/v1/verification-requests/{rid}/acknowledgement", headers=khm.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "acknowledged"
    first = r.json()["acknowledged_at"]
    again = client.post(f"/api/v1/verification-requests/{rid}/acknowledgement", headers=khm.headers)
    assert again.json()["acknowledged_at"] == first
    r = client.post(f"/api/v1/verification-requests/{rid}/response", headers=khm.headers,
                    json={"status": "maybe", "text": "x"})  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "status")
    r = client.post(
        f"/api/v1/verification-requests/{rid}/response",
        headers=khm.headers,
        json={"status": "under_investigation", "text": "A team is on its way to Phnom Penh."},
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/verification-requests/{rid}/response",
        headers=khm.headers,
        json={"status": "confirmed", "text": "42 laboratory-confirmed cases."},
    )
    assert (r.json()["status"], r.json()["response_text"]) == (
        "confirmed", "42 laboratory-confirmed cases.",
    )  # fmt: skip
    seen = client.get(f"/api/v1/verification-requests/{rid}", headers=asec.headers).json()
    assert seen["response_status"] == "confirmed"
    with db.read() as session:
        actions_done = [a for (a,) in session.execute(
            select(AuditEntry.action).where(AuditEntry.action.like("verification.%"))
            .order_by(AuditEntry.id))]  # fmt: skip
    assert actions_done == [
        "verification.request", "verification.acknowledge", "verification.respond",
        "verification.respond",
    ]  # fmt: skip


def _req(session, rid):  # type: ignore[no-untyped-def]
    return actions.access_request(session, actions.Actor(0, "", "ASEC", "coordinator", ()), rid)


def test_requests_are_refused_where_they_make_no_sense(client, world):
    asec, signal_id = world["asec"], world["signal"]
    url = f"/api/v1/signals/{signal_id}/verification-requests"
    for party, field in (("ZZZ", "party"), ("ASEC", "party")):
        r = client.post(url, headers=asec.headers, json={"party": party})
        assert (r.status_code, r.json()["field"]) == (422, field), r.text
    r = client.post(url, headers=world["tha"].headers, json={"party": "KHM"})
    assert r.status_code == 404
    r = client.post(url, headers=asec.headers, json={"party": "KHM", "extra": 1})
    assert r.status_code == 422


def test_triage_transitions_grading_and_link_to_a_new_event(client, db, world):
    asec, khm, tha, signal_id = world["asec"], world["khm"], world["tha"], world["signal"]
    url = f"/api/v1/signals/{signal_id}"
    r = client.patch(url, headers=asec.headers, json={"status": "verified"})
    assert (r.status_code, r.json()["field"]) == (422, "status")
    r = client.patch(url, headers=asec.headers, json={"status": "linked"})
    assert r.status_code == 422
    r = client.patch(
        url, headers=asec.headers,
        json={"status": "under_review", "reliability": "B", "credibility": 2,
              "notes": "Matches the ministry's figures.", "assignee_id": asec.id},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["status"], got["reliability"], got["credibility"], got["assignee_id"]) == (
        "under_review", "B", 2, asec.id,
    )  # fmt: skip
    r = client.patch(url, headers=asec.headers, json={"assignee_id": tha.id})
    assert (r.status_code, r.json()["field"]) == (422, "assignee_id")  # THA may not see it
    r = client.patch(url, headers=asec.headers, json={"credibility": 7})
    assert r.status_code == 422
    assert client.patch(url, headers=tha.headers, json={"status": "discarded"}).status_code == 404
    client.post(f"{url}/verification-requests", headers=asec.headers, json={"party": "KHM"})
    # KHM's officer sees it but does not triage the coordinator's signal
    for asked in (khm, world["khm_focal"]):
        r = client.patch(url, headers=asked.headers, json={"status": "discarded"})
        assert r.status_code == 403
    assert client.patch(url, headers=asec.headers, json={"status": "verified"}).status_code == 200

    r = client.post(f"{url}/event", headers=asec.headers, json={"title": "Dengue, Phnom Penh"})
    assert (r.status_code, r.json()["field"]) == (422, "hazard")
    r = client.post(
        f"{url}/event",
        headers=asec.headers,
        json={"title": "Dengue, Phnom Penh", "hazard": "Dengue", "country": "KHM"},
    )
    assert r.status_code == 200, r.text
    event_id = r.json()["event_id"]
    assert client.get(url, headers=asec.headers).json()["status"] == "linked"
    assert client.get(f"/api/v1/events/{event_id}", headers=khm.headers).status_code == 200
    for outsider in (tha, world["idn"], world["jpn"]):
        assert client.get(f"/api/v1/events/{event_id}", headers=outsider.headers).status_code == 404
    r = client.patch(url, headers=asec.headers, json={"status": "discarded"})
    assert r.status_code == 422
    with db.read() as session:
        kinds = [k for (k,) in session.execute(
            select(StreamEntry.kind).where(StreamEntry.kind.like("signal%")))]  # fmt: skip
    assert kinds.count("signal.triaged") >= 3 and "signal.linked" in kinds


def test_link_to_an_existing_event_never_wider(client, world):
    asec, signal_id = world["asec"], world["signal"]
    url = f"/api/v1/signals/{signal_id}/event"
    base = {"title": "Dengue", "hazard": "Dengue", "country": "KHM"}
    narrow = client.post("/api/v1/events", headers=asec.headers,
                         json=base | {"visibility": "restricted", "parties": ["IDN"]})  # fmt: skip
    assert narrow.status_code == 201, narrow.text
    client.post(f"/api/v1/signals/{signal_id}/verification-requests", headers=asec.headers,
                json={"party": "KHM"})  # fmt: skip
    r = client.post(url, headers=asec.headers, json={"event_id": narrow.json()["id"]})
    assert (r.status_code, r.json()["field"]) == (422, "event_id")  # KHM sees the signal only
    wide = client.post("/api/v1/events", headers=asec.headers, json=base)  # the network
    r = client.post(url, headers=asec.headers, json={"event_id": wide.json()["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["event_id"] == wide.json()["id"]


def test_signals_reported_by_hand(client, make_person):
    khm = make_person("KHM", "officer")
    tha = make_person("THA", "officer")
    asec = make_person("ASEC", "coordinator")
    r = client.post(
        "/api/v1/signals",
        headers=khm.headers,
        json={"title": "Chickens dying in Kampong Cham", "summary": "Farmers report bird flu.",
              "language": "en", "countries": ["KHM"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    signal = r.json()
    assert (signal["hazards"], signal["countries"], signal["source"]) == (
        ["avian_influenza"], ["KHM"], None,
    )  # fmt: skip
    assert signal["parties"] == ["ASEC"]  # the coordinator sees it by default
    assert [s["id"] for s in new_signals(client, asec)] == [signal["id"]]
    assert new_signals(client, tha) == []
    for field, value in (("countries", ["XYZ"]), ("title", ""), ("language", "??")):
        r = client.post("/api/v1/signals", headers=khm.headers, json={"title": "x", field: value})
        assert r.status_code == 422
        assert r.json()["field"].startswith(field)
    r = client.get("/api/v1/signals?status=bogus", headers=khm.headers)
    assert r.status_code == 422


# ---------------------------------------------------------------- the rules, on their own


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.who.int/emergencies/disease-outbreak-news/item/2026-DON1/",
         "http://who.int/emergencies/disease-outbreak-news/item/2026-DON1?utm_source=x#top"),
        ("https://a.example/x?b=2&a=1", "https://A.example:443/x?a=1&b=2&fbclid=abc"),
    ],
)  # fmt: skip
def test_link_keys_of_the_same_page(a, b):
    assert rules.link_key(a) == rules.link_key(b)


def test_near_duplicate_titles():
    key = rules.title_key
    assert rules.near_duplicate(key("Flu burung terdeteksi di Bali"),
                                key("Flu burung terdeteksi di Bali!"))  # fmt: skip
    assert (
        rules.near_duplicate(
            key("Cholera outbreak in Yangon region kills 12 people"),
            key("Cholera outbreak in Yangon region kills 12 people, officials say"),
        )
        is False
    )  # two words in ten differ: a human decides
    assert not rules.near_duplicate(key("Dengue in Hanoi"), key("Measles in Hanoi"))


@pytest.mark.parametrize(
    ("text", "hazards", "countries"),
    [
        ("Wabah demam berdarah di Surabaya", ["dengue"], ["IDN"]),
        ("Kes denggi meningkat di Selangor, Malaysia", ["dengue"], ["MYS"]),
        ("Dịch tả bùng phát ở Campuchia", ["cholera"], ["KHM"]),
        ("Tigdas, kumakalat sa Maynila", ["measles"], ["PHL"]),
        ("ພົບໄຂ້ເລືອດອອກຢູ່ນະຄອນຫຼວງວຽງຈັນ ລາວ", ["dengue"], ["LAO"]),
        ("ករណីគ្រុនឈាមនៅកម្ពុជា", ["dengue"], ["KHM"]),
        ("မြန်မာနိုင်ငံတွင် ကာလဝမ်းရောဂါ", ["cholera"], ["MMR"]),
        ("Handbook of standard procedures", [], []),  # "hand" is not HFMD
        ("Papua New Guinea reports polio case", ["polio"], ["PNG"]),
    ],
)
def test_hazard_and_place_matching(text, hazards, countries):
    found = actions.matcher().match(text)
    assert (found.hazards, found.countries) == (hazards, countries)


def test_ihr_article_10_clock():
    at = datetime(2026, 12, 1, 9, 30)
    clock = rules.verification_clock(at)
    assert clock.acknowledge_by == datetime(2026, 12, 2, 9, 30)
    assert clock.respond_by == datetime(2026, 12, 2, 9, 30)


def test_feed_reader_counts_malformed_entries():
    feed = feeds.parse(rss("en", EN).encode())
    assert (len(feed.items), feed.malformed) == (3, 2)
    assert feed.items[0].published is not None and feed.items[0].published.tzinfo is not None
    with pytest.raises(feeds.NotAFeed):
        feeds.parse(b"<html><p>hello</p></html>")
    with pytest.raises(feeds.NotAFeed):
        feeds.parse(b'{"items": []}')


# ---------------------------------------------------------------- pages


def _browser(app, db, person, totp: bool = False):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.conftest import PASSWORD
    from tests.web_helpers import login, login_with_totp

    c = TestClient(app)
    if totp:
        login_with_totp(c, db, person)
    else:
        login(c, person.email, PASSWORD)
    return c


def test_pages_queue_request_acknowledge_answer_and_link(app, db, world):
    from tests.web_helpers import csrf_of

    signal_id = world["signal"]
    title = "Dengue outbreak in Cambodia: 300 cases in Phnom Penh"
    asec = _browser(app, db, world["asec"], totp=True)
    khm = _browser(app, db, world["khm"])
    tha = _browser(app, db, world["tha"])

    queue = asec.get("/signals")
    assert queue.status_code == 200 and title in queue.text
    page = asec.get(f"/signals/{signal_id}")
    assert 'id="verification-form"' in page.text
    r = asec.post(
        f"/signals/{signal_id}/verification-requests",
        data={"party": "KHM", "question": "Can you confirm?", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert "h 59 min left" in asec.get(f"/signals/{signal_id}").text

    dashboard = khm.get("/")
    assert 'id="verifications"' in dashboard.text and title in dashboard.text
    assert 'id="verifications"' not in tha.get("/").text
    inbox = khm.get("/signals")
    assert 'id="asked-of-us"' in inbox.text and title in inbox.text
    requests_page = khm.get("/verification-requests")
    (request_id,) = [
        r["id"] for r in khm.get("/api/v1/verification-requests?asked_of_me=true").json()
    ]
    assert f'id="acknowledge-{request_id}"' in requests_page.text
    token = csrf_of(requests_page.text)
    r = khm.post(f"/verification-requests/{request_id}/acknowledge",
                 data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    r = khm.post(
        f"/verification-requests/{request_id}/answer",
        data={"status": "maybe", "text": "", "csrf_token": token},
    )
    assert r.status_code == 422 and 'id="request-error"' in r.text
    r = khm.post(
        f"/verification-requests/{request_id}/answer",
        data={"status": "confirmed", "text": "42 cases confirmed.", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "42 cases confirmed." in asec.get(f"/signals/{signal_id}").text
    assert f'id="acknowledge-{request_id}"' not in khm.get("/verification-requests").text
    assert 'id="verifications"' not in khm.get("/").text  # answered: off the dashboard

    # THA sees nothing of it, anywhere
    assert tha.get(f"/signals/{signal_id}").status_code == 404
    assert title not in tha.get("/signals?status=all").text
    assert title not in tha.get("/verification-requests").text
    r = tha.post(f"/verification-requests/{request_id}/acknowledge",
                 data={"csrf_token": csrf_of(tha.get("/signals").text)})  # fmt: skip
    assert r.status_code == 404

    page = asec.get(f"/signals/{signal_id}")
    r = asec.post(
        f"/signals/{signal_id}/event",
        data={"title": "Dengue, Phnom Penh", "hazard": "Dengue", "country": "KHM",
              "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/events/")
    assert khm.get(r.headers["location"]).status_code == 200
    assert tha.get(r.headers["location"]).status_code == 404


def test_sources_page_shows_health_and_translations(app, db, world):
    from tests.web_helpers import csrf_of

    asec = _browser(app, db, world["asec"], totp=True)
    page = asec.get("/signal-sources")
    assert "News EN" in page.text and 'id="source-form"' in page.text
    asec.post("/language", data={"language": "id", "next": "/signals",
                                  "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert "Sumber sinyal" in asec.get("/signal-sources").text
    assert "Laporkan sinyal" in asec.get("/signals").text
    khm = _browser(app, db, world["khm"])
    assert 'id="source-form"' not in khm.get("/signal-sources").text
    assert "News EN" not in khm.get("/signal-sources").text


def test_a_rumour_promoted_to_a_signal(client, make_person):
    idn = make_person("IDN", "officer")
    r = client.post(
        "/api/v1/rumours",
        headers=idn.headers,
        json={"claim": "Kolera di pelabuhan Tanjung Priok, Jakarta", "country": "IDN",
              "first_seen": "2026-11-30", "seen_where": "WhatsApp group", "language": "id"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    rumour_id = r.json()["id"]
    r = client.post(f"/api/v1/rumours/{rumour_id}/signal", headers=idn.headers)
    assert r.status_code == 201, r.text
    signal = r.json()
    assert (signal["rumour_id"], signal["hazards"], signal["countries"]) == (
        rumour_id, ["cholera"], ["IDN"],
    )  # fmt: skip
    assert (
        client.post(f"/api/v1/rumours/{rumour_id}/signal", headers=idn.headers).status_code == 409
    )
    partner = make_person("JPN", "partner")
    r = client.post(f"/api/v1/rumours/{rumour_id}/signal", headers=partner.headers)
    assert r.status_code == 404
    assert client.post("/api/v1/rumours/999999/signal", headers=idn.headers).status_code == 404


def test_title_index_finds_near_duplicates_only():
    index = rules.TitleIndex()
    titles = [
        "Dengue cases rise in Phnom Penh",
        "Flu burung terdeteksi di Bali",
        "Cholera outbreak in Yangon region kills 12 people",
    ]
    for i, title in enumerate(titles):
        index.add(rules.title_key(title), i)
    assert index.find(rules.title_key("Dengue cases rise in Phnom Penh.")) == 0
    assert index.find(rules.title_key("FLU BURUNG TERDETEKSI DI BALI")) == 1
    assert (
        index.find(rules.title_key("Cholera outbreak in Yangon region kills 12 people, say")) == 2
    )
    assert index.find(rules.title_key("Measles cases rise in Phnom Penh")) is None
    assert index.find("") is None


def test_a_rumour_promoted_from_its_page(app, db, make_person, client):
    from tests.web_helpers import csrf_of

    idn = make_person("IDN", "officer")
    r = client.post(
        "/api/v1/rumours",
        headers=idn.headers,
        json={"claim": "Campak di sekolah Bandung", "country": "IDN", "first_seen": "2026-11-30"},
    )
    rumour_id = r.json()["id"]
    browser = _browser(app, db, idn)
    page = browser.get("/rumours")
    assert f'id="rumour-signal-{rumour_id}"' in page.text
    r = browser.post(f"/rumours/{rumour_id}/signal", data={"csrf_token": csrf_of(page.text)},
                     follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/signals/")
    assert "Campak di sekolah Bandung" in browser.get(r.headers["location"]).text


def test_overdue_verification_requests_are_announced_once_per_deadline(client, db, settings, world):
    asec, khm, signal_id = world["asec"], world["khm"], world["signal"]
    url = f"/api/v1/signals/{signal_id}/verification-requests"
    late = client.post(url, headers=asec.headers, json={"party": "KHM"}).json()
    created = datetime.fromisoformat(late["created_at"])
    assert job.remind(db, settings, created + timedelta(hours=23)) == 0
    assert job.remind(db, settings, created + timedelta(hours=25)) == 1  # not acknowledged
    assert job.remind(db, settings, created + timedelta(hours=25)) == 1  # nor answered
    assert job.remind(db, settings, created + timedelta(hours=30)) == 0
    with db.read() as session:
        entries = session.execute(
            select(StreamEntry.data, StreamEntry.parties_key)
            .where(StreamEntry.kind == "verification.overdue")
            .order_by(StreamEntry.id)
        ).all()
    assert [json.loads(d)["overdue"] for d, _ in entries] == ["acknowledge", "respond"]
    assert {key for _, key in entries} == {",ASEC,KHM,"}

    # acknowledged and answered in time: nothing to announce
    client.post(f"/api/v1/verification-requests/{late['id']}/response", headers=khm.headers,
                json={"status": "not_confirmed", "text": ""})  # fmt: skip
    assert job.remind(db, settings, created + timedelta(days=3)) == 0
