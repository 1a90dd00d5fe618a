"""Every kind of writer at once (the load of the mixed test): alerts/s, page posts/s,
and how long /healthz and a page take to answer meanwhile, on SQLite and PostgreSQL.

The load is tests/mixed_load.py for MIX_SECONDS against a server in its default
configuration (jobs on): two clients posting alerts, one acknowledging them, one
editing an event, one uploading files, two logged-in browser sessions posting forms,
and the command line creating users in other processes. Probes time /healthz and the
dashboard every 0.2 s.

Baseline: /healthz on the same server when idle, measured first in the same run; the
ratio of the p99 under the mix to it shows what the writers cost the people reading.
"""

from __future__ import annotations

import os
import time

import httpx2 as httpx

from bench.common import percentile, temporary_database
from bench.common_live import serving
from eocnet.actions import tokens, users
from eocnet.db.database import Database
from tests.conftest import PASSWORD
from tests.mixed_load import People, run_mix

MIX_SECONDS = float(os.environ.get("EOCNET_BENCH_MIX_SECONDS", "20"))


class _Person:
    def __init__(self, email: str, party: str, token: str):
        self.email, self.party, self.token = email, party, token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _person(db: Database, email: str, party: str) -> _Person:
    with db.transaction() as session:
        user = users.create_user(
            session, None, email=email, party_code=party, roles=["officer"], password=PASSWORD
        )
        _, raw = tokens.create_token(session, None, user, scope="write")
    return _Person(email, party, raw)


def _idle_healthz(base: str, n: int = 200) -> list[float]:
    out = []
    with httpx.Client(base_url=base, timeout=5) as client:
        for _ in range(n):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            out.append(time.perf_counter() - started)
            time.sleep(0.01)
    return out


def _one(backend: str) -> None:
    with temporary_database(backend) as url:
        db = Database(url)
        people = People(
            idn=_person(db, "alerts@idn.example", "IDN"),
            tha=_person(db, "acks@tha.example", "THA"),
            editor=_person(db, "editor@idn.example", "IDN"),
            uploader=_person(db, "uploads@idn.example", "IDN"),
            page_people=[
                _person(db, "pages@idn.example", "IDN"),
                _person(db, "pages@mys.example", "MYS"),
            ],
        )
        db.dispose()
        with serving(url) as server:
            idle = _idle_healthz(server.url)
            tally = run_mix(server.url, people, url, MIX_SECONDS)
    seconds = tally.seconds or MIX_SECONDS
    healthz = [p for p in tally.probes if p != float("inf")]
    idle_p99 = percentile(idle, 99)
    print(
        f"   {backend:<11} {len(tally.events) / seconds:6.1f} alerts/s, "
        f"{len(tally.acks) / seconds:5.1f} acks/s, {2 * tally.page_saves / seconds:5.1f} page "
        f"posts/s, {len(tally.updates) / seconds:4.1f} uploads/s, "
        f"{len(tally.cli_users)} CLI writes; failures: {len(tally.failures)}"
    )
    print(
        f"   {'':<11} /healthz under the mix p50 {1000 * percentile(healthz, 50):6.1f} ms, "
        f"p99 {1000 * percentile(healthz, 99):6.1f} ms (idle p99 {1000 * idle_p99:5.1f} ms: "
        f"{percentile(healthz, 99) / idle_p99:5.1f}x); dashboard GET p99 "
        f"{1000 * percentile(tally.page_gets, 99):6.1f} ms"
    )
    for failure in tally.failures[:5]:
        print(f"   {'':<11} failure: {failure}")


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        _one(backend)
