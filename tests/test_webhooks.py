"""Outgoing webhooks: signed, only what the party may see, retried, logged for its admins."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select

from eocnet.actions.webhooks import SECRET_PURPOSE
from eocnet.auth.secrets_box import seal
from eocnet.db.models import StreamEntry, Webhook, WebhookDelivery
from eocnet.db.types import utcnow
from eocnet.jobs import webhooks


class Receiver:
    def __init__(self, fail_first: int = 0):
        self.received = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                failing = len(receiver.received) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(fail_first=1)
    yield r
    r.close()


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"webhook_allow_private": True})


def test_signed_delivery_with_retry_and_log(client, db, settings, receiver, make_person):
    admin = make_person("THA", "admin")
    r = client.post(
        "/api/v1/webhooks",
        headers=admin.headers,
        json={"url": receiver.url, "kinds": ["event.created"]},
    )
    assert r.status_code == 201
    hook = r.json()
    idn = make_person("IDN", "officer")
    client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "for THA",
            "hazard": "x",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["THA"],
        },
    )
    client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "not for THA",
            "hazard": "x",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    )
    assert webhooks.fan_out(db) == 1
    now = utcnow()
    assert webhooks.deliver(db, settings, now) == 0  # the receiver answers 500 first
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).json()
    assert log[0]["status"] == "pending" and log[0]["last_status_code"] == 500
    assert webhooks.deliver(db, settings, now) == 0  # not due yet: back-off
    assert webhooks.deliver(db, settings, now + timedelta(seconds=31)) == 1
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).json()
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 2

    headers, body = receiver.received[-1]
    payload = json.loads(body)
    assert payload["type"] == "event.created" and payload["data"]["title"] == "for THA"
    expected = hmac.new(
        hook["secret"].encode(),
        headers["X-Eocnet-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Eocnet-Signature"] == f"sha256={expected}"
    assert all(json.loads(b)["data"]["title"] != "not for THA" for _, b in receiver.received)


def test_webhooks_are_for_party_admins_only(client, settings, receiver, make_person):
    officer = make_person("THA", "officer")
    assert (
        client.post(
            "/api/v1/webhooks", headers=officer.headers, json={"url": receiver.url}
        ).status_code
        == 403
    )
    admin = make_person("THA", "admin")
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json={"url": receiver.url}).json()
    other_admin = make_person("KHM", "admin")
    assert (
        client.get(
            f"/api/v1/webhooks/{hook['id']}/deliveries", headers=other_admin.headers
        ).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/webhooks/{hook['id']}", headers=other_admin.headers).status_code
        == 404
    )
    assert client.get("/api/v1/webhooks", headers=other_admin.headers).json() == []
    assert "secret" not in client.get("/api/v1/webhooks", headers=admin.headers).json()[0]
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin.headers).status_code == 204


def test_private_addresses_refused_unless_allowed(client, settings, make_person, app):
    app.state.settings = settings.model_copy(update={"webhook_allow_private": False})
    admin = make_person("THA", "admin")
    for url in ["http://127.0.0.1:9/x", "http://10.0.0.1/x", "ftp://example.org/x"]:
        r = client.post("/api/v1/webhooks", headers=admin.headers, json={"url": url})
        assert r.status_code == 422 and r.json()["field"] == "url", url


def test_failed_after_max_attempts(db, settings, client, make_person):
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens any more
    admin = make_person("THA", "admin")
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json={"url": url}).json()
    idn = make_person("IDN", "officer")
    client.post(
        "/api/v1/events", headers=idn.headers, json={"title": "t", "hazard": "x", "country": "IDN"}
    )
    webhooks.fan_out(db)
    when = utcnow()
    quick = settings.model_copy(update={"webhook_max_attempts": 3, "webhook_timeout_seconds": 2})
    for _ in range(3):
        webhooks.deliver(db, quick, when)
        when += timedelta(hours=1)
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).json()
    assert {d["status"] for d in log} == {"failed"} and log[0]["attempts"] == 3


class Garbage:
    """A peer that answers a POST with something that is not HTTP."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.wfile.write(b"NONSENSE\r\n\r\n")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _stored_hook(db, settings, admin, url):
    """A webhook saved as it was before URLs were checked for spaces and quotes."""

    def add(session):
        last = session.execute(select(func.max(StreamEntry.id))).scalar_one() or 0
        hook = Webhook(
            party_code=admin.party,
            url=url,
            secret_sealed=seal(settings.effective_secret(), SECRET_PURPOSE, "s" * 32),
            kinds=[],
            active=True,
            last_entry_id=int(last),
            created_by=admin.id,
        )
        session.add(hook)
        session.flush()
        return hook.id

    return db.run_sync(add)


def _deliveries(db, hook_id):
    def read(session):
        rows = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id)
        ).all()
        return [(d.status, d.attempts, d.last_error) for d in rows]

    return db.run_sync(read)


def test_one_hooks_failure_is_only_its_own(client, db, settings, make_person):
    """A hook whose address urllib refuses, and one whose peer does not speak HTTP,
    leave the other parties' deliveries delivered once and recorded."""
    good = Receiver()
    garbage = Garbage()
    try:
        admin = make_person("THA", "admin")
        r = client.post("/api/v1/webhooks", headers=admin.headers, json={"url": good.url})
        assert r.status_code == 201
        ok = r.json()["id"]
        spaced = _stored_hook(
            db, settings, make_person("KHM", "admin"), good.url + '/a b" onmouseover="x'
        )
        broken = _stored_hook(db, settings, make_person("MYS", "admin"), garbage.url)
        idn = make_person("IDN", "officer")
        for title in ("one", "two"):
            r = client.post(
                "/api/v1/events",
                headers=idn.headers,
                json={"title": title, "hazard": "x", "country": "IDN"},
            )
            assert r.status_code == 201
        assert webhooks.fan_out(db) == 6
        now = utcnow()
        assert webhooks.deliver(db, settings, now) == 2
        assert len(good.received) == 2
        assert _deliveries(db, ok) == [("delivered", 1, "")] * 2
        [(status, attempts, error)] = set(_deliveries(db, spaced))
        assert (status, attempts) == ("pending", 1) and "space" in error
        [(status, attempts, error)] = set(_deliveries(db, broken))
        assert (status, attempts) == ("pending", 1) and "BadStatusLine" in error
        # the retries concern the failing hooks only: nothing is delivered twice
        assert webhooks.deliver(db, settings, now + timedelta(seconds=31)) == 0
        assert len(good.received) == 2
        assert {a for _, a, _ in _deliveries(db, broken)} == {2}
    finally:
        good.close()
        garbage.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a b",
        'https://example.org/" onmouseover="alert(1)',
        "https://example.org/a\tb",
        "https://example.org/a\x00b",
        "https://example.org/\u202eevil",
        "https://example.org/<script>",
        "https://example.org:80x/",
        "https://example.org/" + "a" * 1000,
    ],
)
def test_addresses_with_spaces_quotes_or_controls_are_refused(client, db, make_person, url):
    admin = make_person("THA", "admin")
    r = client.post("/api/v1/webhooks", headers=admin.headers, json={"url": url})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "url"
    assert client.get("/api/v1/webhooks", headers=admin.headers).json() == []
