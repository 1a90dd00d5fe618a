"""The regional dashboard with a realistic year of data (target p95 < 200 ms), and
the weekly regional report rendered to PDF (target < 5 s).

Data: the demo network (six years of weekly surveillance for three diseases in
eleven countries, its events, coordination and advisories) plus a year of
events: 1,700 (three a week per member state), a fifth of them alerts addressed
to four parties and mostly acknowledged, and 300 action items. Baselines
measured in the same run: GET /healthz for the page, and the report rendered
to HTML only (data and figures) for the PDF.
"""

from __future__ import annotations

import random
import re
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from bench.common import summary_ms, temporary_database, time_get
from eocnet import demo
from eocnet.actions import reports, users
from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Acknowledgement, ActionItem, Event, User
from eocnet.db.types import utcnow
from eocnet.domain.weeks import week_of
from eocnet.realtime.log import parties_key
from eocnet.reports import editions

MEMBERS = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"]
HAZARDS = ["Dengue", "Measles", "Cholera", "Influenza A(H5N1)", "Diphtheria", "Mpox", "Rabies"]
ROUNDS = 60


def _fill(db: Database) -> None:
    rng = random.Random(7)
    now = utcnow()
    with db.read() as session:
        creator = session.scalar(select(User.id).order_by(User.id))
        first_id = (session.scalar(select(Event.id).order_by(Event.id.desc())) or 0) + 1
    events, acks, items = [], [], []
    for i in range(1700):
        owner = rng.choice(MEMBERS)
        when = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        alert = rng.random() < 0.2
        addressed = sorted(rng.sample([m for m in MEMBERS if m != owner], 4)) if alert else []
        visibility = rng.choices(["network", "partners", "restricted"], [7, 2, 1])[0]
        parties = sorted(rng.sample(MEMBERS, 2)) if visibility == "restricted" else []
        event_id = first_id + i
        events.append(
            {
                "id": event_id, "title": f"{rng.choice(HAZARDS)} cluster {i} in {owner}",
                "hazard": rng.choice(HAZARDS), "country": owner, "summary": "benchmark",
                "status": rng.choices(["signal", "verified", "ongoing", "closed"], [2, 3, 3, 4])[0],
                "visibility": visibility, "parties": parties, "parties_key": parties_key(parties),
                "addressed": addressed, "owner_party": owner, "created_by": creator,
                "created_at": when, "updated_at": when, "alert_reasons": [], "is_alert": alert,
                "cases_confirmed": rng.randint(0, 400), "deaths_confirmed": rng.randint(0, 5),
            }
        )  # fmt: skip
        for party in addressed:
            if rng.random() < 0.85:
                acks.append(
                    {"event_id": event_id, "party_code": party, "user_id": creator, "at": when}
                )
    for i in range(300):
        due = (now - timedelta(days=rng.randint(-60, 200))).date()
        items.append(
            {
                "title": f"Follow-up action {i}", "owner_party": rng.choice(MEMBERS),
                "due_on": due, "status": rng.choice(["open", "in_progress", "done"]),
                "progress": 0, "created_by": creator, "created_at": now, "updated_at": now,
            }
        )  # fmt: skip
    with db.transaction() as session:
        session.execute(insert(Event), events)
        session.execute(insert(Acknowledgement), acks)
        session.execute(insert(ActionItem), items)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def _login(client: TestClient, email: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]


def _one(backend: str) -> None:
    with temporary_database(backend) as url:
        db = Database(url)
        settings = Settings(
            database_url=url, secret_key="b" * 40, log_level="WARNING", jobs_in_server=False
        )
        started = time.perf_counter()
        with db.transaction() as session:
            password = demo.load_demo(session, settings)
        assert password is not None
        _fill(db)
        filled = time.perf_counter() - started
        app = create_app(settings, db)
        with TestClient(app) as client:
            _login(client, "officer.tha@eocnet.example", password)
            base = time_get(client, "/healthz", {}, ROUNDS)
            cases = {
                "dashboard, 30 days": time_get(client, "/region?days=30", {}, ROUNDS),
                "dashboard, a year": time_get(client, "/region?days=365", {}, ROUNDS),
                "dashboard, one hazard": time_get(
                    client, "/region?days=365&hazard=Dengue", {}, ROUNDS
                ),
                "live refresh (panels)": time_get(
                    client, "/region?days=30", {"HX-Request": "true"}, ROUNDS
                ),
            }
        b50 = sorted(base)[len(base) // 2]
        print(f"   {backend}: demo network + a year of events loaded in {filled:.0f} s")
        for label, values in cases.items():
            p95 = sorted(values)[int(0.95 * (len(values) - 1))]
            verdict = "ok" if p95 < 0.2 else "OVER 200 ms"
            ratio = p95 / b50
            print(f"   {label:<24} {summary_ms(values)}  p95/baseline-p50 {ratio:6.1f}x  {verdict}")
        print(f"   {'baseline /healthz':<24} {summary_ms(base)}")

        if backend == "sqlite":
            _weekly(db)
        db.dispose()


def _weekly(db: Database) -> None:
    from eocnet.render.documents import html_to_pdf

    with db.read() as session:
        coordinator = session.scalar(select(User).where(User.email == "coordinator@eocnet.example"))
        assert coordinator is not None
        actor = users.actor_for(coordinator)
    with db.transaction() as session:
        draft = reports.create(
            session, actor, reports.DraftFields("weekly", week=week_of(utcnow().date()))
        )
        report_id = draft.id
    html_times, pdf_times, sizes = [], [], []
    for _ in range(3):
        t0 = time.perf_counter()
        with db.read() as session:
            html = editions.render(session, session.get(reports.Report, report_id))
        t1 = time.perf_counter()
        pdf = html_to_pdf(html)
        t2 = time.perf_counter()
        html_times.append(t1 - t0)
        pdf_times.append(t2 - t0)
        sizes.append(len(pdf))
    total = sorted(pdf_times)[1]
    html_only = sorted(html_times)[1]
    verdict = "ok" if total < 5 else "OVER 5 s"
    print(
        f"   weekly report to PDF     median {total:5.2f} s  (data+figures+HTML "
        f"{html_only:5.2f} s, PDF/HTML {total / html_only:4.1f}x, {sizes[0] / 1024:.0f} KiB)  "
        f"{verdict}"
    )


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        _one(backend)
