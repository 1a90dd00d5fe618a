"""Signal intake on 10,000 feed items (parse, de-duplicate, match hazards and places)
against parsing alone in the same run; the triage list (GET /api/v1/signals?status=new)
with 100,000 signals, p95 against the same list with 100 (goal: at most 2x).

Sizes: EOCNET_BENCH_SIGNAL_ITEMS (10,000) and EOCNET_BENCH_SIGNALS (100,000).
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert

from bench.common import percentile, summary_ms, temporary_database, time_get
from eocnet.actions import signals, tokens, users
from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Signal, SignalSource
from eocnet.db.types import utcnow
from eocnet.domain.signals import link_key, title_key
from eocnet.interop import feeds
from eocnet.realtime.log import parties_key

ITEMS = int(os.environ.get("EOCNET_BENCH_SIGNAL_ITEMS", "10000"))
SIGNALS = int(os.environ.get("EOCNET_BENCH_SIGNALS", "100000"))
ROUNDS = 100
HEADLINES = [
    "Dengue cases rise in {place}",
    "Kasus demam berdarah meningkat di {place}",
    "Bùng phát dịch sởi tại {place}",
    "Cholera outbreak reported near {place}",
    "พบผู้ป่วยไข้เลือดออกเพิ่มขึ้นใน{place}",
    "Flu burung terdeteksi di {place}",
    "Ministry reports {n} new cases of measles in {place}",
]
PLACES = ["Phnom Penh", "Jakarta", "Hà Nội", "Manila", "กรุงเทพ", "Yangon", "Vientiane", "Bali"]


def _feed(count: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    items = []
    for i in range(count):
        # one item in ten repeats an earlier link: duplicates are part of the work
        n = rng.randrange(i) if i and rng.random() < 0.1 else i
        headline = rng.choice(HEADLINES).format(place=rng.choice(PLACES), n=n)
        items.append(
            f"<item><title>{headline} ({n})</title><link>https://news.example/{n}</link>"
            f"<description>{headline}</description>"
            "<pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _intake(url: str) -> None:
    db = Database(url)
    document = _feed(ITEMS)
    t0 = time.perf_counter()
    feed = feeds.parse(document)
    parsing = time.perf_counter() - t0
    signals.matcher()  # loaded once per process
    with db.transaction() as session:
        source = SignalSource(
            url="https://news.example/feed", name="bench", language="en", visibility="network",
            parties=[], parties_key=",", owner_party="ASEC", created_by=0,
        )  # fmt: skip
        session.add(source)
        session.flush()
        source_id = source.id
    t0 = time.perf_counter()
    outcome = signals.PollOutcome("ok", feeds.parse(document))
    made = db.run_sync(signals.record_poll, Settings(), source_id, utcnow(), outcome)
    whole = time.perf_counter() - t0
    db.dispose()
    print(
        f"   intake of {ITEMS:,} items ({len(feed.items):,} parsed, {made:,} new): parsing "
        f"{parsing:.2f} s, parse + de-duplicate + match + store {whole:.2f} s "
        f"({ITEMS / whole:,.0f} items/s, {whole / parsing:.1f}x parsing alone)"
    )


def _fill(db: Database, count: int) -> None:
    now = utcnow()
    rng = random.Random(7)
    rows = []
    for i in range(count):
        title = f"{rng.choice(HEADLINES).format(place=rng.choice(PLACES), n=i)} #{i}"
        rows.append({
            "title": title, "summary": "", "url": f"https://news.example/{i}",
            "url_key": link_key(f"https://news.example/{i}"), "title_key": title_key(title),
            "language": "en", "hazards": ["dengue"], "countries": ["KHM"],
            "countries_key": ",KHM,", "status": "new" if rng.random() < 0.3 else "discarded",
            "reliability": "", "notes": "", "exercise": False, "also_seen": [],
            "visibility": "restricted", "parties": ["KHM"], "parties_key": parties_key(["KHM"]),
            "owner_party": "ASEC", "created_at": now - timedelta(minutes=i),
            "updated_at": now,
        })  # fmt: skip
    with db.transaction() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Signal), rows[start : start + 5000])


def _list(url: str, count: int) -> list[float]:
    db = Database(url)
    with db.transaction() as session:
        user = users.create_user(
            session, None, email=f"reader{count}@khm.example", party_code="KHM",
            roles=["officer"], password="benchmark password 1",
        )  # fmt: skip
        _, raw = tokens.create_token(session, None, user, scope="read")
    _fill(db, count)
    app = create_app(
        Settings(database_url=url, secret_key="b" * 40, log_level="WARNING", jobs_in_server=False),
        db,
    )
    with TestClient(app) as client:
        times = time_get(
            client, "/api/v1/signals?status=new", {"Authorization": f"Bearer {raw}"}, ROUNDS
        )
    db.dispose()
    return times


def run() -> None:
    with temporary_database() as url:
        _intake(url)
    with temporary_database() as url:
        small = _list(url, 100)
    with temporary_database() as url:
        large = _list(url, SIGNALS)
    ratio = percentile(large, 95) / percentile(small, 95)
    print(f"   triage list, 100 signals:       {summary_ms(small)}")
    print(f"   triage list, {SIGNALS:,} signals: {summary_ms(large)}")
    print(f"   p95 ratio {ratio:.2f} (goal <= 2)")
