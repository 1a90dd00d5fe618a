"""Web Push: a real push service on loopback receives encrypted (RFC 8291), VAPID-signed
(RFC 8292) messages for the alerts a subscriber's party may see, and nothing else."""

import base64
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import httpx2 as httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eocnet.db.types import utcnow
from eocnet.jobs import push
from tests.live import LiveServer


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A push service: records every request, answers ``status`` (201 by default)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 201
        self.arrived = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                service.arrived.set()
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def to(self, path: str) -> list[tuple[dict[str, str], bytes]]:
        return [(h, b) for p, h, b in self.received if p == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Device:
    """A browser's push subscription: a P-256 key pair and an auth secret of its own."""

    def __init__(self, service: PushService, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.path = f"/push/{name}"
        self.endpoint = service.url + self.path

    def subscription(self) -> dict:
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def check_vapid(headers: dict[str, str], public_key: str, origin: str) -> None:
    """``Authorization: vapid t=JWT, k=KEY``: the JWT is ES256-signed by the served key."""
    match = re.fullmatch(r"vapid t=([^,\s]+),\s*k=([^,\s]+)", headers["authorization"])
    assert match, headers["authorization"]
    token, k = match.groups()
    assert k == public_key
    head, claims, signature = token.split(".")
    assert json.loads(unb64url(head))["alg"] == "ES256"
    payload = json.loads(unb64url(claims))
    assert payload["aud"] == origin and payload["exp"] > time.time()
    assert payload["sub"].startswith(("mailto:", "https:"))
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(k))
    key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if not


ALERT = {
    "title": "Cluster of severe pneumonia, Kota Baru",
    "hazard": "Pneumonia",
    "country": "IDN",
    "visibility": "restricted",
    "parties": ["THA"],
    "alert": True,
    "alert_reasons": ["serious", "may_spread_to_other_countries"],
}


@pytest.fixture
def service():
    s = PushService()
    yield s
    s.close()


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"push_allow_private": True})


def test_alert_pushed_encrypted_signed_and_acknowledged(client, db, settings, service, make_person):
    tha, khm, idn = (make_person(p, "officer") for p in ("THA", "KHM", "IDN"))
    key = client.get("/api/v1/push/vapid-public-key", headers=tha.headers).json()["public_key"]
    phone, laptop, other = Device(service, "tha-1"), Device(service, "tha-2"), Device(service, "k")
    ids = []
    for person, device in ((tha, phone), (tha, laptop), (khm, other)):
        r = client.post(
            "/api/v1/push/subscriptions", headers=person.headers, json=device.subscription()
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    phone_id = ids[0]
    # the page reloads: the same endpoint again renews it, not a second subscription
    again = client.post(
        "/api/v1/push/subscriptions", headers=tha.headers, json=phone.subscription()
    )
    assert again.status_code == 201
    assert len(client.get("/api/v1/push/subscriptions", headers=tha.headers).json()) == 2

    event = client.post("/api/v1/events", headers=idn.headers, json=ALERT).json()
    client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={**ALERT, "title": "not an alert", "alert": False, "alert_reasons": []},
    )
    assert push.run(db, settings, utcnow()) == 2
    assert push.run(db, settings, utcnow()) == 0  # nothing twice

    assert other.path not in {p for p, _, _ in service.received}  # KHM may not see it
    for device in (phone, laptop):
        [(headers, body)] = service.to(device.path)
        assert headers["content-encoding"] == "aes128gcm"
        assert int(headers["ttl"]) == settings.push_ttl_seconds
        check_vapid(headers, key, service.url)
        message = device.decrypt(body)
        assert message["id"] == event["id"] and message["title"] == ALERT["title"]
        assert message["url"] == f"/events/{event['id']}"

    log = client.get("/api/v1/push/deliveries", headers=tha.headers).json()
    assert [d["status"] for d in log] == ["delivered", "delivered"]
    assert client.get("/api/v1/push/deliveries", headers=khm.headers).json() == []

    # the notification's Acknowledge button: its token is the credential
    ack = phone.decrypt(service.to(phone.path)[0][1])["acknowledge"]
    r = client.post(ack["url"], json={"token": ack["token"]})
    assert r.status_code == 201, r.text
    assert r.json()["party"] == "THA"
    seen = client.get(f"/api/v1/events/{event['id']}", headers=idn.headers).json()
    assert [a["party"] for a in seen["acknowledgements"]] == ["THA"]
    forged = ack["token"][:-2] + ("AA" if not ack["token"].endswith("AA") else "BB")
    assert client.post(ack["url"], json={"token": forged}).status_code == 401
    assert (
        client.delete(f"/api/v1/push/subscriptions/{phone_id}", headers=tha.headers).status_code
        == 204
    )
    assert client.post(ack["url"], json={"token": ack["token"]}).status_code == 404


def test_gone_subscription_is_removed(client, db, settings, service, make_person):
    tha, idn = make_person("THA", "officer"), make_person("IDN", "officer")
    device = Device(service, "gone")
    sub = client.post(
        "/api/v1/push/subscriptions", headers=tha.headers, json=device.subscription()
    ).json()
    service.status = 410
    client.post("/api/v1/events", headers=idn.headers, json=ALERT)
    assert push.run(db, settings, utcnow()) == 0
    assert len(service.to(device.path)) == 1
    assert client.get("/api/v1/push/subscriptions", headers=tha.headers).json() == []
    [entry] = client.get("/api/v1/push/deliveries", headers=tha.headers).json()
    assert entry["status"] == "expired" and entry["last_status_code"] == 410
    assert entry["subscription_id"] is None
    assert (
        client.delete(f"/api/v1/push/subscriptions/{sub['id']}", headers=tha.headers).status_code
        == 404
    )
    # nothing more is sent to it
    client.post("/api/v1/events", headers=idn.headers, json={**ALERT, "title": "second"})
    push.run(db, settings, utcnow())
    assert len(service.to(device.path)) == 1


def test_subscriptions_are_their_owners(client, settings, service, make_person, app):
    tha, other = make_person("THA", "officer"), make_person("THA", "officer")
    device = Device(service, "mine")
    sub = client.post(
        "/api/v1/push/subscriptions", headers=tha.headers, json=device.subscription()
    ).json()
    path = f"/api/v1/push/subscriptions/{sub['id']}"
    assert client.delete(path, headers=other.headers).status_code == 404
    assert client.get("/api/v1/push/subscriptions", headers=other.headers).json() == []
    assert client.delete(path, headers=tha.headers).status_code == 204
    assert client.delete(path, headers=tha.headers).status_code == 404
    assert client.post("/api/v1/push/subscriptions", json=device.subscription()).status_code == 401

    bad = device.subscription()
    bad["keys"]["p256dh"] = b64url(os.urandom(65))
    r = client.post("/api/v1/push/subscriptions", headers=tha.headers, json=bad)
    assert r.status_code == 422 and r.json()["field"] == "keys.p256dh"

    # without EOCNET_PUSH_ALLOW_PRIVATE, loopback and private endpoints are refused
    app.state.settings = settings.model_copy(update={"push_allow_private": False})
    for endpoint in (device.endpoint, "http://10.1.2.3/push", "http://[::1]:8080/push"):
        r = client.post(
            "/api/v1/push/subscriptions",
            headers=tha.headers,
            json={**device.subscription(), "endpoint": endpoint},
        )
        assert r.status_code == 422, endpoint
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == "endpoint"


def test_live_server_pushes_within_five_seconds(db, database_url, service, make_person):
    """The default configuration (jobs in the server): committed alert to push received."""
    tha, khm, idn = (make_person(p, "officer") for p in ("THA", "KHM", "IDN"))
    server = LiveServer(database_url, extra_env={"EOCNET_PUSH_ALLOW_PRIVATE": "true"})
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            key = http.get("/api/v1/push/vapid-public-key", headers=tha.headers).json()
            phone, other = Device(service, "live-tha"), Device(service, "live-khm")
            for person, device in ((tha, phone), (khm, other)):
                r = http.post(
                    "/api/v1/push/subscriptions", headers=person.headers, json=device.subscription()
                )
                assert r.status_code == 201, r.text
            start = time.monotonic()
            event = http.post("/api/v1/events", headers=idn.headers, json=ALERT).json()
            assert service.arrived.wait(5), "no push within 5 s"
            took = time.monotonic() - start
            [(headers, body)] = service.to(phone.path)
            assert headers["content-encoding"] == "aes128gcm"
            check_vapid(headers, key["public_key"], service.url)
            message = phone.decrypt(body)
            assert message["id"] == event["id"] and message["title"] == ALERT["title"]
            time.sleep(1.5)  # a later round sends nothing to the party that may not see it
            assert service.to(other.path) == [] and len(service.received) == 1
            assert took < 5
    finally:
        server.stop()


def test_manifest_and_service_worker(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/manifest+json"
    )
    manifest = r.json()
    assert manifest["name"] and manifest["short_name"] == "eocnet"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = {i["sizes"] for i in manifest["icons"] if i["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        got = client.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == icon["type"]
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and "javascript" in sw.headers["content-type"]
    assert sw.headers["service-worker-allowed"] == "/"
    assert 'addEventListener("push"' in sw.text and "acknowledge" in sw.text
    assert 'addEventListener("notificationclick"' in sw.text
    page = client.get("/login").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
