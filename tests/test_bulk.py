"""Bulk inserts store exactly what the ORM stores, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, text

from eocnet.db import bulk
from eocnet.db.models import AggregateReport, Disease

COLUMNS = (
    "party",
    "disease",
    "period_start",
    "current",
    "submission",
    "submitted_by",
    "submitted_at",
    "cases_confirmed",
)


def test_bulk_rows_read_back_like_orm_rows(db):
    when = datetime(2026, 11, 23, 8, 30, 0, 0, tzinfo=UTC)
    with db.transaction() as session:
        session.add(Disease(code="DEN", name="Dengue"))
        session.flush()
        session.add(
            AggregateReport(
                party="IDN",
                disease="DEN",
                period_start=date(2026, 1, 5),
                current=True,
                submission="orm",
                submitted_by=1,
                submitted_at=when,
                cases_confirmed=3,
            )
        )
        session.flush()
        count = bulk.insert_rows(
            session.connection(),
            AggregateReport.__table__,
            COLUMNS,
            [
                ("THA", "DEN", date(2026, 1, 5), True, "bulk", 1, when, 4),
                ("THA", "DEN", date(2026, 1, 12), False, "bulk", 1, when, 5),
            ],
        )
        assert count == 2
    with db.read() as session:
        rows = session.scalars(select(AggregateReport).order_by(AggregateReport.id)).all()
        assert [
            (r.submission, r.period_start, r.current, r.submitted_at, r.cases_confirmed)
            for r in rows
        ] == [
            ("orm", date(2026, 1, 5), True, when, 3),
            ("bulk", date(2026, 1, 5), True, when, 4),
            ("bulk", date(2026, 1, 12), False, when, 5),
        ]
        stored = session.execute(
            text("SELECT submission, submitted_at, period_start FROM aggregate_report ORDER BY id")
        ).all()
        assert stored[0][1:] == stored[1][1:]  # the same text on SQLite, the same value on PG
