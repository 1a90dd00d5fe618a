"""A cruise ship: a 10,000-person manifest checked, sent and opened (decrypted and
audited), on both databases, against the same steps for 500 persons (ratios; linear
would be 20x)."""

from __future__ import annotations

import time

from bench.common import temporary_database
from eocnet.actions import events, tracing, users
from eocnet.actions.users import actor_for
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import TracingNotice, User
from eocnet.vault.envelope import new_master_key

SIZES = (500, 10_000)
HEADERS = ["Name", "Passport", "Nationality", "Cabin", "Last contact"]


def _rows(n: int) -> list[list[str]]:
    return [
        [f"Passenger {i:05d}", f"N{i:08d}", "KHM", f"{i % 900}", "2026-11-20"] for i in range(n)
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
                s, actor, events.EventFields(title="t", hazard="Measles", country="IDN"), settings
            )
        figures: dict[int, tuple[float, float, float]] = {}
        for n in SIZES:
            rows = _rows(n)
            t0 = time.perf_counter()
            check = tracing.check_manifest(HEADERS, rows, tracing.default_mapping(HEADERS), ["KHM"])
            checked = time.perf_counter() - t0
            assert len(check.persons) == n and not check.errors
            t0 = time.perf_counter()
            with db.transaction() as s:
                nid = tracing.send_notice(
                    s, actor, settings, event_id=event.id, parties=["KHM"], persons=check.persons
                ).id
            sent = time.perf_counter() - t0
            t0 = time.perf_counter()
            with db.transaction() as s:
                user = s.get(User, fp.id)
                notice = s.get(TracingNotice, nid)
                assert user is not None and notice is not None
                shown = tracing.read_persons(s, actor_for(user), settings, notice)
                assert shown is not None and len(shown) == n
            figures[n] = (checked, sent, time.perf_counter() - t0)
        db.dispose()
    small, big = (figures[n] for n in SIZES)
    parts = [
        f"{label} {b * 1000:8.1f} ms (500: {s * 1000:6.1f} ms, {b / s:4.1f}x)"
        for label, s, b in zip(("check", "send", "open"), small, big, strict=True)
    ]
    print(f"   {backend:<10} 10,000 persons: " + ";  ".join(parts))


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        _one(backend)
