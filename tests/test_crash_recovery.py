"""kill -9 the server during a posting load: after a restart, every answered (2xx) post is
in the database and in the event log."""

import json
import threading
import time

import httpx2 as httpx
from sqlalchemy import select

from eocnet.db.models import Event, StreamEntry
from tests.live import LiveServer


def test_answered_posts_survive_kill_9(db, database_url, make_person):
    poster = make_person("IDN", "officer")
    server = LiveServer(database_url)
    answered: list[int] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(timeout=5) as client:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = client.post(
                        server.url + "/api/v1/events",
                        headers=poster.headers,
                        json={
                            "title": f"w{worker}-{i}",
                            "hazard": "x",
                            "country": "IDN",
                            "alert": True,
                            "alert_reasons": ["serious", "may_spread_to_other_countries"],
                        },
                    )
                except httpx.HTTPError:
                    continue  # the server is gone: this post was never answered
                if r.status_code == 201:
                    answered.append(r.json()["id"])

    threads = [threading.Thread(target=load, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.stop(kill=True)  # SIGKILL in the middle of the load
    stop.set()
    for t in threads:
        t.join()
    assert len(answered) >= 40

    server.start()  # the same database, a new process
    try:
        with db.read() as s:
            stored = set(s.execute(select(Event.id)).scalars())
            logged = {
                json.loads(e.data)["id"]
                for e in s.execute(
                    select(StreamEntry).where(StreamEntry.kind == "event.created")
                ).scalars()
            }
        assert set(answered) <= stored
        assert set(answered) <= logged
        assert stored == logged  # nothing half-written: no event without its log entry
        r = httpx.get(server.url + "/api/v1/events?limit=1", headers=poster.headers)
        assert r.status_code == 200
    finally:
        server.stop()
