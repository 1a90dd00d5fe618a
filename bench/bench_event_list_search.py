"""A page of the event list and a search, with 300,000 rows (target p95 < 200 ms).

Rows: 300,000 search documents (events, updates and messages) of which 100,000 events,
spread over ten years, several countries and audiences. Baseline: GET /healthz.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from bench.common import summary_ms, temporary_database, time_get
from eocnet.actions import tokens, users
from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Event, SearchDocument
from eocnet.domain import search_text
from eocnet.realtime.log import parties_key

EVENTS = 100_000
DOCUMENTS = 300_000
ROUNDS = 100
HAZARDS = [
    "Measles",
    "Dengue",
    "Cholera",
    "Influenza A(H5N1)",
    "Diphtheria",
    "Mpox",
    "Rabies",
    "Leptospirosis",
    "Chikungunya",
    "Pertussis",
]
WORDS = [
    "cluster",
    "outbreak",
    "travellers",
    "hospital",
    "province",
    "district",
    "laboratory",
    "confirmed",
    "suspected",
    "vaccination",
    "contacts",
    "border",
    "market",
    "school",
    "village",
    "investigation",
    "response",
    "samples",
    "cases",
    "deaths",
    "increase",
    "weekly",
    "report",
]
PARTIES = ["IDN", "THA", "KHM", "VNM", "MYS", "PHL", "LAO", "MMR", "SGP", "BRN", "TLS"]


def _fill(db: Database, creator: int) -> None:
    rng = random.Random(42)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    events, docs = [], []
    for i in range(1, EVENTS + 1):
        owner = rng.choice(PARTIES)
        visibility = rng.choices(["network", "partners", "restricted"], [6, 2, 2])[0]
        parties = sorted(rng.sample(PARTIES, 2)) if visibility == "restricted" else []
        hazard = rng.choice(HAZARDS)
        when = start + timedelta(minutes=i * 50)
        summary = " ".join(rng.choices(WORDS, k=30))
        events.append(
            {
                "id": i,
                "title": f"{hazard} {rng.choice(WORDS)} in {owner}",
                "hazard": hazard,
                "country": owner,
                "summary": summary,
                "status": rng.choice(["signal", "verified", "ongoing", "closed"]),
                "visibility": visibility,
                "parties": parties,
                "parties_key": parties_key(parties),
                "addressed": [],
                "owner_party": owner,
                "created_by": creator,
                "created_at": when,
                "updated_at": when,
                "alert_reasons": [],
                "is_alert": False,
            }
        )
        for kind in ("event", "update", "message"):
            body = summary if kind == "event" else " ".join(rng.choices(WORDS, k=20))
            docs.append(
                {
                    "kind": kind,
                    "object_id": i,
                    "event_id": i,
                    "title": events[-1]["title"],
                    "body": body,
                    # the words as the actions index them (ICU segmentation)
                    "terms": search_text.index_terms(events[-1]["title"], body),
                    "segmenter": search_text.SEGMENTER,
                    "country": owner,
                    "hazard": hazard,
                    "status": events[-1]["status"],
                    "created_at": when,
                    "visibility": visibility,
                    "owner_party": owner,
                    "parties_key": parties_key(parties),
                    "users_key": "",
                }
            )
    with db.transaction() as session:
        for chunk in range(0, len(events), 10_000):
            session.execute(insert(Event), events[chunk : chunk + 10_000])
        for chunk in range(0, len(docs), 10_000):
            session.execute(insert(SearchDocument), docs[chunk : chunk + 10_000])
    # Planner statistics, as autovacuum (PostgreSQL) or the optimizer (SQLite) keep them.
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def _time(client: TestClient, path: str, headers: dict[str, str]) -> list[float]:
    return time_get(client, path, headers, ROUNDS)


def _one(backend: str) -> None:
    with temporary_database(backend) as url:
        db = Database(url)
        with db.transaction() as session:
            user = users.create_user(
                session,
                None,
                email="reader@tha.example",
                party_code="THA",
                roles=["officer"],
                password="benchmark password 1",
            )
            _, raw = tokens.create_token(session, None, user, scope="read")
            creator = user.id
        started = time.perf_counter()
        _fill(db, creator)
        filled = time.perf_counter() - started
        app = create_app(
            Settings(
                database_url=url, secret_key="b" * 40, log_level="WARNING", jobs_in_server=False
            ),
            db,
        )
        h = {"Authorization": f"Bearer {raw}"}
        with TestClient(app) as client:
            base = _time(client, "/healthz", {})
            cases = {
                "event list, first page": _time(client, "/api/v1/events?limit=50", h),
                "event list, filtered": _time(
                    client, "/api/v1/events?limit=50&country=KHM&status=ongoing", h
                ),
                "event list, page 100": _time(
                    client, f"/api/v1/events?limit=50&before_id={EVENTS - 5000}", h
                ),
                "search, common word": _time(client, "/api/v1/search?q=outbreak", h),
                "search, two words": _time(client, "/api/v1/search?q=border+laboratory", h),
                "search, filtered": _time(
                    client, "/api/v1/search?q=cases&country=IDN&kind=event", h
                ),
            }
        db.dispose()
    b50 = sorted(base)[len(base) // 2]
    print(
        f"   {backend}: {DOCUMENTS:,} searchable rows ({EVENTS:,} events) loaded in {filled:.0f} s"
    )
    for label, values in cases.items():
        p95 = sorted(values)[int(0.95 * (len(values) - 1))]
        verdict = "ok" if p95 < 0.2 else "OVER 200 ms"
        print(f"   {label:<24} {summary_ms(values)}  p95/baseline-p50 {p95 / b50:5.1f}x  {verdict}")
    print(f"   {'baseline /healthz':<24} {summary_ms(base)}")


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        _one(backend)
