"""A tracing notice with 500 persons: creating it and opening it, on both databases,
against the same rows stored without encryption (the cost of encryption as a ratio)."""

from __future__ import annotations

import json
import time

from sqlalchemy import text

from bench.common import temporary_database
from eocnet.actions import events, tracing, users
from eocnet.actions.users import actor_for
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import TracingNotice, User
from eocnet.vault.envelope import new_master_key

PERSONS = 500
ROUNDS = 5


def _people() -> list[tracing.PersonIn]:
    return [
        tracing.PersonIn(
            "co_traveller",
            {
                "full_name": f"Passenger {i:04d} Example",
                "nationality": "KHM",
                "document_number": f"N{i:08d}",
                "phone": f"+855 12 {i:06d}",
                "email": f"p{i}@mail.example",
                "travel_mode": "flight",
                "travel_number": "QZ7521",
                "seat": f"{i % 40}{'ABCDEF'[i % 6]}",
                "travel_date": "2026-11-20",
                "origin": "PNH",
                "destination": "CGK",
            },
        )
        for i in range(PERSONS)
    ]


def _one(backend: str) -> None:
    settings = Settings(master_key=new_master_key())
    with temporary_database(backend) as url:
        db = Database(url)
        with db.transaction() as s:
            fp = users.create_user(
                s,
                None,
                email="fp@idn.example",
                party_code="IDN",
                roles=["officer", "focal_point"],
                password="benchmark password 1",
            )
            actor = actor_for(fp)
            event = events.create_event(
                s, actor, events.EventFields(title="t", hazard="h", country="IDN"), settings
            )
            s.execute(
                text(
                    "CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, notice INTEGER, fields TEXT)"
                )
            )
        people = _people()
        create, open_, plain_w, plain_r = [], [], [], []
        for r in range(ROUNDS):
            t0 = time.perf_counter()
            with db.transaction() as s:
                notice = tracing.send_notice(
                    s, actor, settings, event_id=event.id, parties=["KHM"], persons=people
                )
                nid = notice.id
            create.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with db.transaction() as s:
                user = s.get(User, fp.id)
                assert user is not None
                shown = tracing.read_persons(
                    s, actor_for(user), settings, s.get(TracingNotice, nid)
                )  # type: ignore[arg-type]
                assert shown is not None and len(shown) == PERSONS
            open_.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with db.transaction() as s:
                s.execute(
                    text("INSERT INTO bench_plain (id, notice, fields) VALUES (:i, :n, :f)"),
                    [
                        {"i": r * PERSONS + i, "n": r, "f": json.dumps(p.fields)}
                        for i, p in enumerate(people)
                    ],
                )
            plain_w.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with db.read() as s:
                rows = s.execute(
                    text("SELECT fields FROM bench_plain WHERE notice = :n"), {"n": r}
                ).all()
                assert len([json.loads(x[0]) for x in rows]) == PERSONS
            plain_r.append(time.perf_counter() - t0)
        db.dispose()
    med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    print(
        f"   {backend:<10} create 500 persons: {med(create) * 1000:7.1f} ms "
        f"(plain rows {med(plain_w) * 1000:6.1f} ms, ratio {med(create) / med(plain_w):4.1f}x)"
        f";  open: {med(open_) * 1000:6.1f} ms (plain {med(plain_r) * 1000:5.1f} ms, "
        f"ratio {med(open_) / med(plain_r):4.1f}x)  [median of {ROUNDS}]"
    )


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        _one(backend)
