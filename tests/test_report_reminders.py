"""Reminders about surveillance reports not yet received, before and after the due time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from eocnet.config import Settings
from eocnet.db.models import Disease, OutboxEmail, ReportReminder, StreamEntry
from eocnet.jobs import report_reminders
from tests.helpers import count


def test_reminders_before_and_after_due_each_once(client, db, make_person, settings):
    coordinator = make_person("ASEC", "coordinator")
    assert (
        client.put(
            "/api/v1/surveillance/diseases/MEA",
            headers=coordinator.headers,
            json={"name": "Measles"},
        ).status_code
        == 200
    )
    with db.transaction() as session:  # set up on Friday 20 November
        session.get(Disease, "MEA").created_at = datetime(2026, 11, 20, tzinfo=UTC)
    idn = make_person("IDN", "officer")
    make_person("IDN", "officer")
    tha = make_person("THA", "officer")
    # ISO week 2026-W47 (16-22 Nov) is due on Tuesday 24 Nov at 12:00 local time
    client.post(
        "/api/v1/surveillance/reports",
        headers=tha.headers,
        json={"rows": [{"disease": "MEA", "period": "2026-W47"}]},
    )
    mail = Settings(**{**settings.model_dump(), "smtp_host": "127.0.0.1"})
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 16:00 in Jakarta, due in 20 h
    assert report_reminders.run(db, mail, monday) == 10  # every member but THA
    assert report_reminders.run(db, mail, monday) == 0
    with db.read() as session:
        stages = session.scalars(
            select(ReportReminder.stage).where(ReportReminder.party == "IDN")
        ).all()
        assert stages == ["before"]
        to_idn = session.scalars(
            select(OutboxEmail.to_address).where(OutboxEmail.subject.contains("(IDN)"))
        ).all()
        assert idn.email in to_idn and len(to_idn) == 2  # both IDN officers
        kinds = session.scalars(
            select(StreamEntry.parties_key).where(StreamEntry.kind == "surveillance.reminder")
        ).all()
        assert ",IDN," in kinds and not any("THA" in k for k in kinds)
    # the due time passes (Jakarta 12:00 = 05:00 UTC; +2 h)
    tuesday = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    sent = report_reminders.run(db, mail, tuesday)
    with db.read() as session:
        late = set(
            session.scalars(
                select(ReportReminder.party).where(ReportReminder.stage == "after")
            ).all()
        )
    assert "IDN" in late and "THA" not in late and sent == len(late)
    assert count(db, ReportReminder) == 10 + sent
