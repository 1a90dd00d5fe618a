"""Reminders and escalation of unacknowledged alerts; e-mail through a real SMTP server."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from eocnet.db.models import OutboxEmail, StreamEntry
from eocnet.db.types import utcnow
from eocnet.jobs import outbox, reminders

ALERT = {
    "title": "Diphtheria cluster",
    "hazard": "Diphtheria",
    "country": "IDN",
    "alert": True,
    "alert_reasons": ["serious", "may_spread_to_other_countries"],
    "visibility": "restricted",
    "parties": ["KHM", "THA"],
}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def settings(settings, smtp):
    controller, _ = smtp
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": controller.port, "smtp_starttls": False}
    )


def _entries(db, kind):
    with db.read() as s:
        return s.execute(select(StreamEntry).where(StreamEntry.kind == kind)).scalars().all()


def test_alert_is_emailed_reminded_then_escalated(client, db, settings, smtp, make_person):
    _, inbox = smtp
    idn = make_person("IDN", "officer")
    khm_officer = make_person("KHM", "officer")
    khm_focal = make_person("KHM", "officer", "focal_point")
    tha = make_person("THA", "officer")
    make_person("VNM", "officer")  # not addressed: never told
    event = client.post("/api/v1/events", json=ALERT, headers=idn.headers).json()

    with db.read() as s:
        to = sorted(r.to_address for r in s.execute(select(OutboxEmail)).scalars())
    assert to == sorted([khm_officer.email, khm_focal.email, tha.email])
    assert outbox.run(db, settings, utcnow()) == 3
    assert sorted(r[0][0] for r in inbox.messages) == to
    assert "Diphtheria cluster" in inbox.messages[0][1]

    # nothing is due before the re-announcement delay
    assert reminders.run(db, settings, utcnow()) == 0
    client.post(f"/api/v1/events/{event['id']}/acknowledgements", headers=tha.headers)
    later = utcnow() + timedelta(minutes=settings.alert_reannounce_minutes + 1)
    assert reminders.run(db, settings, later) == 1
    reminder = _entries(db, "alert.reminder")
    assert len(reminder) == 1 and reminder[0].parties_key == ",KHM,"

    # KHM still silent: escalated to KHM's focal point only
    inbox.messages.clear()
    much_later = utcnow() + timedelta(minutes=settings.alert_escalate_minutes + 1)
    assert reminders.run(db, settings, much_later) == 1
    assert len(_entries(db, "alert.escalated")) == 1
    outbox.run(db, settings, much_later)
    escalations = [m for m in inbox.messages if "ESCALATION" in m[1]]
    assert [m[0][0] for m in escalations] == [khm_focal.email]
    # and then it stops
    assert reminders.run(db, settings, much_later + timedelta(days=1)) == 0


def test_no_reminder_once_everyone_acknowledged(client, db, settings, make_person):
    idn = make_person("IDN", "officer")
    event = client.post("/api/v1/events", json=ALERT, headers=idn.headers).json()
    for code in ("KHM", "THA"):
        client.post(
            f"/api/v1/events/{event['id']}/acknowledgements",
            headers=make_person(code, "officer").headers,
        )
    assert reminders.run(db, settings, utcnow() + timedelta(days=1)) == 0
    assert _entries(db, "alert.reminder") == []


def test_preferences_turn_alert_emails_off(client, db, settings, make_person):
    idn = make_person("IDN", "officer")
    tha = make_person("THA", "officer")
    make_person("KHM", "officer")
    r = client.put(
        "/api/v1/me/notifications",
        headers=tha.headers,
        json={"email_alerts": False, "email_mentions": True, "email_direct": True},
    )
    assert r.status_code == 200
    assert (
        client.get("/api/v1/me/notifications", headers=tha.headers).json()["email_alerts"] is False
    )
    client.post("/api/v1/events", json=ALERT, headers=idn.headers)
    with db.read() as s:
        to = [r.to_address for r in s.execute(select(OutboxEmail)).scalars()]
    assert tha.email not in to and len(to) == 1


def test_mention_and_direct_message_emails(client, db, settings, make_person):
    idn, khm = make_person("IDN", "officer"), make_person("KHM", "officer")
    cid = client.post(
        "/api/v1/channels", json={"name": "x", "parties": ["KHM"]}, headers=idn.headers
    ).json()["id"]
    client.post(
        f"/api/v1/channels/{cid}/messages",
        headers=idn.headers,
        json={"body": f"@{khm.email} please call"},
    )
    dm = client.post(
        "/api/v1/channels/direct", json={"user_id": khm.id}, headers=idn.headers
    ).json()["id"]
    client.post(f"/api/v1/channels/{dm}/messages", headers=idn.headers, json={"body": "hi"})
    with db.read() as s:
        rows = s.execute(select(OutboxEmail)).scalars().all()
    assert [r.to_address for r in rows] == [khm.email, khm.email]


def test_smtp_failure_is_retried_later(client, db, settings, make_person):
    broken = settings.model_copy(update={"smtp_port": _free_port()})  # nothing listens there
    idn = make_person("IDN", "officer")
    make_person("THA", "officer")
    client.post("/api/v1/events", json=ALERT, headers=idn.headers)
    now = utcnow()
    assert outbox.run(db, broken, now) == 0
    with db.read() as s:
        row = s.execute(select(OutboxEmail)).scalars().first()
    assert row.attempts == 1 and row.sent_at is None and row.last_error
    assert row.next_attempt_at > now
    assert outbox.run(db, settings, now) == 0  # not yet due
    assert outbox.run(db, settings, now + timedelta(minutes=1)) == 1
