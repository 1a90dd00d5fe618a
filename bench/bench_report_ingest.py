"""Ingest of 1 million aggregate report rows (CSV -> database) through eocnet's
own path (read, check every row, replace, save, audit, detect), on SQLite and
PostgreSQL, as a ratio to a raw DB-API executemany of the same rows into the
same database. Target: ratio >= 0.5."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bench.common import temporary_database
from eocnet.actions import surveillance, users
from eocnet.actions.users import actor_for
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.domain.actors import Actor
from eocnet.interop.report_files import iter_report_csv

ROWS = int(os.environ.get("EOCNET_BENCH_INGEST_ROWS", "1000000"))
AREAS = [  # Indonesia's 38 provinces
    "ID-AC",
    "ID-BA",
    "ID-BB",
    "ID-BE",
    "ID-BT",
    "ID-GO",
    "ID-JA",
    "ID-JB",
    "ID-JI",
    "ID-JK",
    "ID-JT",
    "ID-KB",
    "ID-KI",
    "ID-KR",
    "ID-KS",
    "ID-KT",
    "ID-KU",
    "ID-LA",
    "ID-MA",
    "ID-MU",
    "ID-NB",
    "ID-NT",
    "ID-PA",
    "ID-PB",
    "ID-PD",
    "ID-PE",
    "ID-PS",
    "ID-PT",
    "ID-RI",
    "ID-SA",
    "ID-SB",
    "ID-SG",
    "ID-SN",
    "ID-SR",
    "ID-SS",
    "ID-ST",
    "ID-SU",
    "ID-YO",
]
AGES = ["0-4", "5-14", "15-24", "25-44", "45-64", "65+", "unknown"]
SEXES = ["F", "M"]
TARGET = 0.5
COLUMNS = (
    "party, disease, period_start, area, age_group, sex, cases_suspected, cases_probable, "
    "cases_confirmed, deaths_suspected, deaths_probable, deaths_confirmed, current, "
    "submission, submitted_by, submitted_at"
)


def make_csv(rows: int) -> str:
    out = io.StringIO()
    out.write(
        "disease,period,area,age_group,sex,cases_suspected,cases_confirmed,deaths_confirmed\n"
    )
    strata = [(a, g, s) for a in AREAS for g in AGES for s in SEXES]
    written, week = 0, date(2008, 1, 7)
    while written < rows:
        for disease in ("DEN", "ILI"):
            for i, (area, age, sex) in enumerate(strata):
                if written >= rows:
                    break
                n = (written * 7 + i) % 23
                out.write(
                    f"{disease},{week.isoformat()},{area},{age},{sex},{n},{n // 3},{n // 20}\n"
                )
                written += 1
        week += timedelta(weeks=1)
    return out.getvalue()


def _setup(url: str) -> tuple[Database, Actor]:
    db = Database(url)
    with db.transaction() as session:
        coordinator = users.create_user(
            session,
            None,
            email="c@bench.example",
            party_code="ASEC",
            roles=["coordinator"],
            password="correct horse battery staple",
        )
        officer = users.create_user(
            session,
            None,
            email="o@bench.example",
            party_code="IDN",
            roles=["officer"],
            password="correct horse battery staple",
        )
        for code, name in (("DEN", "Dengue"), ("ILI", "Influenza-like illness")):
            surveillance.save_disease(
                session, actor_for(coordinator), surveillance.DiseaseFields(code=code, name=name)
            )
        actor = actor_for(officer)
    return db, actor


def _ours(db: Database, actor: Actor, csv_text: str) -> float:
    started = time.perf_counter()
    with db.transaction() as session:
        diseases = {d.code: d for d in surveillance.list_diseases(session)}
        check = surveillance.check_rows(diseases, "IDN", iter_report_csv(csv_text))
        assert not check.errors, check.errors[:3]
        surveillance.submit(session, actor, Settings(), check.rows, source="bench")
    return time.perf_counter() - started


def _raw(db: Database, rows: list[tuple]) -> float:
    placeholders = ", ".join(["?" if db.is_sqlite else "%s"] * len(rows[0]))
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.is_sqlite:  # the driver connection is in autocommit mode under SQLAlchemy
            cursor.execute("BEGIN")
        cursor.executemany(
            f"INSERT INTO aggregate_report ({COLUMNS}) VALUES ({placeholders})", rows
        )
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def _raw_rows(csv_text: str, user_id: int) -> list[tuple]:
    now = datetime.now(UTC)
    out = []
    for line in csv_text.splitlines()[1:]:
        d, p, a, g, s, cs, cc, dc = line.split(",")
        out.append(
            (
                "IDN",
                d,
                date.fromisoformat(p),
                a,
                g,
                s,
                int(cs),
                0,
                int(cc),
                0,
                0,
                int(dc),
                True,
                "raw",
                user_id,
                now,
            )
        )
    return out


def run() -> None:
    csv_text = make_csv(ROWS)
    print(
        f"   {ROWS:,} rows, {len(csv_text) / 1e6:.0f} MB of CSV, one party, 2 diseases, "
        f"{len(AREAS) * len(AGES) * len(SEXES)} strata per week"
    )
    for backend in ("sqlite", "postgresql"):
        with temporary_database(backend) as url:
            db, officer = _setup(url)
            rows = _raw_rows(csv_text, officer.user_id)
            raw = _raw(db, rows)
            with db.transaction() as session:
                session.execute(text("DELETE FROM aggregate_report"))
            ours = _ours(db, officer, csv_text)
            with db.read() as session:
                saved = session.execute(text("SELECT count(*) FROM aggregate_report")).scalar()
            db.dispose()
        assert saved == ROWS, saved
        ratio = raw / ours
        verdict = "meets" if ratio >= TARGET else "MISSES"
        print(
            f"   {backend:10s} eocnet {ours:6.1f} s ({ROWS / ours:9,.0f} rows/s)   "
            f"raw executemany {raw:6.1f} s ({ROWS / raw:9,.0f} rows/s)   ratio {ratio:.2f} "
            f"({verdict} the target of >= {TARGET})"
        )
