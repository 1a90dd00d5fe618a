"""Every kind of writer at once, on a live server in its default configuration.

The hang this guards against: on SQLite the API's group-committed alerts and the
pages' form posts took the writers' lock through two doors that were not safe
together, and the whole process stopped for good within seconds (health checks,
streams, everything). No test mixed them, and none ran the server with its jobs on.

Here a server started as operators start it (jobs in the server) takes, for
MIX_SECONDS: alerts and acknowledgements through the API, edits through the API,
form posts from logged-in browser sessions, uploads, and writes from the command
line in other processes, while a prober asks /healthz every 0.2 s. Every probe must
be answered within a second, and afterwards every write that was answered 2xx must
be in the database and, where it publishes, in the durable log.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx2 as httpx
from sqlalchemy import select

from eocnet.db.models import Acknowledgement, Event, EventUpdate, StreamEntry, User
from tests.conftest import MASTER_KEY, PASSWORD, SECRET
from tests.live import LiveServer

CLI = [sys.executable, "-c", "from eocnet.cli import main; main()"]
MIX_SECONDS = float(os.environ.get("EOCNET_TEST_MIX_SECONDS", "20"))


@dataclass
class Tally:
    """What each writer was told was done, and what went wrong."""

    events: list[int] = field(default_factory=list)
    acks: list[tuple[int, str]] = field(default_factory=list)
    edits: dict[int, str] = field(default_factory=dict)
    updates: list[int] = field(default_factory=list)
    page_events: list[int] = field(default_factory=list)
    page_saves: int = 0
    cli_users: list[str] = field(default_factory=list)
    probes: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def _alert(i: int, party: str) -> dict[str, object]:
    return {
        "title": f"mixed alert {i}",
        "hazard": "Measles",
        "country": party,
        "alert": True,
        "alert_reasons": ["serious", "may_spread_to_other_countries"],
    }


def _page_login(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login")
    token = _csrf(page.text)
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, r.text
    return client


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_every_kind_of_writer_at_once_and_the_server_keeps_answering(db, database_url, make_person):
    idn = make_person("IDN", "officer")
    tha = make_person("THA", "officer")
    editor = make_person("IDN", "officer")
    uploader = make_person("IDN", "officer")
    page_people = [make_person("IDN", "officer"), make_person("MYS", "officer")]
    # the default configuration: jobs run in the server (reminders, webhooks, outbox ...)
    server = LiveServer(database_url)
    try:
        _mix(server, idn, tha, editor, uploader, page_people, database_url, db)
    finally:
        server.stop()


def _mix(server, idn, tha, editor, uploader, page_people, database_url, db) -> None:
    tally = Tally()
    stop = threading.Event()
    base = server.url

    def loop(name: str, body: Callable[[int], None], pause: float = 0.0) -> threading.Thread:
        def run() -> None:
            i = 0
            while not stop.is_set():
                try:
                    body(i)
                except Exception as exc:  # every failure is reported, not swallowed
                    tally.fail(f"{name}: {type(exc).__name__}: {exc}")
                i += 1
                if pause:
                    stop.wait(pause)

        return threading.Thread(target=run, name=name, daemon=True)

    with httpx.Client(base_url=base, timeout=30) as api:
        seed = api.post("/api/v1/events", headers=idn.headers, json=_alert(0, "IDN"))
    assert seed.status_code == 201, seed.text
    edited_event = seed.json()["id"]

    def post_alert(i: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post("/api/v1/events", headers=idn.headers, json=_alert(i, "IDN"))
        if r.status_code != 201:
            return tally.fail(f"alert: {r.status_code} {r.text[:200]}")
        with tally.lock:
            tally.events.append(r.json()["id"])

    def acknowledge(i: int) -> None:
        with tally.lock:
            pending = [e for e in tally.events if (e, "THA") not in tally.acks]
        if not pending:
            time.sleep(0.05)
            return
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post(f"/api/v1/events/{pending[0]}/acknowledgements", headers=tha.headers)
        if r.status_code != 201:
            return tally.fail(f"ack: {r.status_code} {r.text[:200]}")
        with tally.lock:
            tally.acks.append((pending[0], "THA"))

    def edit(i: int) -> None:
        summary = f"edited {i}"
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.patch(
                f"/api/v1/events/{edited_event}",
                headers=editor.headers,
                json={"summary": summary},
            )
        if r.status_code != 200:
            return tally.fail(f"edit: {r.status_code} {r.text[:200]}")
        with tally.lock:
            tally.edits[edited_event] = summary

    def upload(i: int) -> None:
        content = f"line {i}\n".encode() * 200
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post(
                f"/api/v1/events/{edited_event}/updates",
                headers=uploader.headers,
                json={
                    "body": f"situation update {i}",
                    "attachments": [
                        {
                            "filename": f"linelist-{i}.txt",
                            "content_type": "text/plain",
                            "data_base64": base64.b64encode(content).decode(),
                        }
                    ],
                },
            )
        if r.status_code != 201:
            return tally.fail(f"upload: {r.status_code} {r.text[:200]}")
        with tally.lock:
            tally.updates.append(r.json()["id"])

    browsers = [_page_login(base, p.email) for p in page_people]

    def page_posts(which: int) -> Callable[[int], None]:
        client, person = browsers[which], page_people[which]

        def post(i: int) -> None:
            token = _csrf(client.get("/account").text)
            r = client.post(
                "/account/notifications",
                data={"csrf_token": token, "email_alerts": "1" if i % 2 else "0"},
            )
            if r.status_code != 200:
                return tally.fail(f"page notifications: {r.status_code}")
            form = client.get("/events/new")
            r = client.post(
                "/events/new",
                data={
                    "csrf_token": _csrf(form.text),
                    "title": f"page event {which}-{i}",
                    "hazard": "Dengue",
                    "country": person.party,
                    "visibility": "network",
                    "severity": "moderate",
                },
            )
            match = re.fullmatch(r"/events/(\d+)", r.headers.get("location", ""))
            if r.status_code != 303 or not match:
                return tally.fail(f"page event: {r.status_code} {r.text[:200]}")
            with tally.lock:
                tally.page_saves += 1
                tally.page_events.append(int(match.group(1)))

        return post

    env = {
        **os.environ,
        "EOCNET_DATABASE_URL": database_url,
        "EOCNET_SECRET_KEY": SECRET,
        "EOCNET_MASTER_KEY": MASTER_KEY,
        "EOCNET_LOG_LEVEL": "WARNING",
    }

    def cli_write(i: int) -> None:
        email = f"cli{i}.{os.getpid()}@mixed.example"
        done = subprocess.run(
            [*CLI, "user", "create", email, "--party", "LAO", "--role=officer", "--password-stdin"],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if done.returncode != 0:
            return tally.fail(f"cli: {done.returncode} {done.stderr[-300:]}")
        with tally.lock:
            tally.cli_users.append(email)

    def probe(i: int) -> None:
        started = time.monotonic()
        try:
            r = httpx.get(base + "/healthz", timeout=5)
            ok = r.status_code == 200
        except httpx.HTTPError as exc:
            ok = False
            tally.fail(f"healthz: {type(exc).__name__}")
        elapsed = time.monotonic() - started
        with tally.lock:
            tally.probes.append(elapsed if ok else float("inf"))

    threads = [
        loop("alerts-1", post_alert),
        loop("alerts-2", post_alert),
        loop("acks", acknowledge),
        loop("edits", edit, pause=0.05),
        loop("uploads", upload, pause=0.2),
        loop("page-1", page_posts(0)),
        loop("page-2", page_posts(1)),
        loop("cli", cli_write, pause=0.5),
        loop("healthz", probe, pause=0.2),
    ]
    try:
        for t in threads:
            t.start()
        time.sleep(MIX_SECONDS)
        stop.set()
        for t in threads:
            t.join(150)
        assert not any(t.is_alive() for t in threads), "a writer is still waiting"
        # the server still answers after the mix
        assert httpx.get(base + "/healthz", timeout=5).status_code == 200
    finally:
        stop.set()
        for c in browsers:
            c.close()

    assert tally.failures == [], tally.failures[:10]
    slowest = max(tally.probes)
    assert len(tally.probes) >= MIX_SECONDS, len(tally.probes)
    assert slowest < 1.0, f"/healthz took {slowest:.2f} s under the mix"
    print(
        f"mix: {len(tally.events)} alerts, {len(tally.acks)} acks, {len(tally.edits)} edited, "
        f"{len(tally.updates)} uploads, {tally.page_saves} page rounds, "
        f"{len(tally.cli_users)} CLI writes; /healthz slowest {slowest:.3f} s"
    )
    # every kind of writer got work done
    assert tally.events and tally.acks and tally.page_events and tally.updates
    assert tally.cli_users and tally.page_saves and tally.edits

    with db.read() as s:
        stored = set(s.execute(select(Event.id)).scalars())
        assert set(tally.events) | set(tally.page_events) <= stored
        acked = set(
            s.execute(
                select(Acknowledgement.event_id, Acknowledgement.party_code).where(
                    Acknowledgement.party_code == "THA"
                )
            ).all()
        )
        assert set(tally.acks) <= {tuple(a) for a in acked}
        assert s.get(Event, edited_event).summary == tally.edits[edited_event]
        updates = set(s.execute(select(EventUpdate.id)).scalars())
        assert set(tally.updates) <= updates
        emails = set(s.execute(select(User.email)).scalars())
        assert set(tally.cli_users) <= emails
        # and what publishes is in the durable log
        logged = set()
        for kind, data in s.execute(select(StreamEntry.kind, StreamEntry.data)).all():
            payload = json.loads(data)
            logged.add((kind, payload.get("event_id", payload.get("id"))))
    for event_id in tally.events + tally.page_events:
        assert ("event.created", event_id) in logged, event_id
    for event_id, _ in tally.acks:
        assert ("event.acknowledged", event_id) in logged, event_id
