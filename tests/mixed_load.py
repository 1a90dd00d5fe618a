"""Every kind of writer at once against a live server: the load of the mixed test
(tests/test_mixed_writers.py) and of its benchmark (bench/bench_mixed_writers.py).

For ``seconds``: alerts and acknowledgements through the API, edits through the API,
form posts from logged-in browser sessions, uploads, and writes from the command line
in other processes, while probes time ``/healthz`` and a page GET every 0.2 s.
Returns what each writer was told was done, so that the caller can check it is all in
the database and the log.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx

from tests.conftest import MASTER_KEY, PASSWORD, SECRET

CLI = [sys.executable, "-c", "from eocnet.cli import main; main()"]


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
    page_gets: list[float] = field(default_factory=list)
    edited_event: int = 0
    seconds: float = 0.0
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


#: GET a URL every 0.2 s for some seconds with the standard library's client; print
#: each answer's time in seconds ("inf" for no answer within 5 s, or not 200).
_PROBER = """
import http.client, sys, time, urllib.parse
url, seconds = urllib.parse.urlsplit(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + seconds
while time.monotonic() < end:
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        connection.request("GET", url.path)
        ok = connection.getresponse().status == 200
        connection.close()
    except OSError:
        ok = False
    print(time.monotonic() - started if ok else "inf", flush=True)
    time.sleep(0.2)
"""


@dataclass
class People:
    """Who writes: an alerting officer, an acknowledging party, an editor, an
    uploader, and officers using the pages."""

    idn: Any
    tha: Any
    editor: Any
    uploader: Any
    page_people: list[Any]


def run_mix(base: str, people: People, database_url: str, seconds: float) -> Tally:
    """Run every writer against the server at ``base`` for ``seconds``."""
    idn, tha, editor, uploader, page_people = (
        people.idn,
        people.tha,
        people.editor,
        people.uploader,
        people.page_people,
    )
    tally = Tally()
    stop = threading.Event()

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

    viewer = _page_login(base, page_people[0].email)

    def page_get(i: int) -> None:
        started = time.monotonic()
        r = viewer.get("/")
        elapsed = time.monotonic() - started
        if r.status_code != 200:
            return tally.fail(f"page GET: {r.status_code}")
        with tally.lock:
            tally.page_gets.append(elapsed)

    threads = [
        loop("alerts-1", post_alert),
        loop("alerts-2", post_alert),
        loop("acks", acknowledge),
        loop("edits", edit, pause=0.05),
        loop("uploads", upload, pause=0.2),
        loop("page-1", page_posts(0)),
        loop("page-2", page_posts(1)),
        loop("cli", cli_write, pause=0.5),
        loop("page-get", page_get, pause=0.2),
    ]
    tally.edited_event = edited_event
    started = time.monotonic()
    # The prober is a process of its own: in this one, nine busy client threads would
    # make it wait for the interpreter, and it would time them rather than the server.
    prober = subprocess.Popen(
        [sys.executable, "-c", _PROBER, base + "/healthz", str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for t in threads:
            t.start()
        out, _ = prober.communicate(timeout=seconds + 60)
        tally.probes = [float(v) for v in out.split()]
        stop.set()
        for t in threads:
            t.join(150)
        tally.seconds = time.monotonic() - started
        if any(t.is_alive() for t in threads):
            tally.fail("a writer is still waiting")
    finally:
        stop.set()
        for c in [*browsers, viewer]:
            c.close()
    return tally
