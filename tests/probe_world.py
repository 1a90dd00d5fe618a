"""One small network with a restricted record of every kind the probe tests check, and
the people who must not see them (issue 24's probe, kept in the suite).

Built once per test module (one app, one database per backend): ``build_world`` resets
the database, starts the app and creates, as IDN (with KHM as the other party where a
record has parties), a restricted record of each kind whose text carries a marker, so
that a leak is found by looking for the marker in an answer. ``tests/test_access_matrix.py``
and ``tests/test_hostile_input.py`` share it.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, literal, select, text, union_all

from eocnet.actions import tokens, users
from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Base, User
from tests.conftest import MASTER_KEY, PASSWORD, SECRET, reset
from tests.helpers import totp_code
from tests.web_helpers import csrf_of, login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Who:
    """A person, their write (or read-only) token, and their signed-in page session."""

    name: str
    id: int
    email: str
    party: str
    party_kind: str
    roles: list[str]
    token: str
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)
    csrf: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tally:
    """Cases tried, server errors, schema mismatches and leaks, per category (the
    figures ``make probe`` prints and docs/security.md reports)."""

    tried: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    mismatches: Counter[str] = field(default_factory=Counter)
    leaks: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, counter: Counter[str], category: str, what: str) -> None:
        counter[category] += 1
        self.failures.append(what)

    def add(self, other: Tally) -> Tally:
        for mine, theirs in (
            (self.tried, other.tried),
            (self.server_errors, other.server_errors),
            (self.mismatches, other.mismatches),
            (self.leaks, other.leaks),
        ):
            mine.update(theirs)
        self.failures += other.failures
        return self


@dataclass
class World:
    db: Database
    client: TestClient
    people: dict[str, Who]
    ids: dict[str, int] = field(default_factory=dict)
    # kind -> markers in the text of its restricted records
    markers: dict[str, list[str]] = field(default_factory=dict)

    def api(
        self,
        who: Who | None,
        method: str,
        url: str,
        headers_extra: dict[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        self.client.cookies = httpx.Cookies()
        headers = {**(who.headers if who else {}), **(headers_extra or {})}
        return self.client.request(method, url, headers=headers, **kw)

    def page(self, who: Who, method: str, url: str, **kw: Any) -> httpx.Response:
        self.client.cookies = who.cookies
        if method != "GET":
            data = dict(kw.pop("data", {}) or {})
            data.setdefault("csrf_token", who.csrf)
            kw["data"] = data
        try:
            return self.client.request(method, url, follow_redirects=False, **kw)
        finally:
            who.cookies = self.client.cookies
            self.client.cookies = httpx.Cookies()

    def counts(self) -> dict[str, int]:
        """Rows per table (what a refused write must leave as it was)."""
        tables = Base.metadata.sorted_tables
        counts = union_all(
            *(
                select(literal(t.name).label("t"), func.count().label("n")).select_from(t)
                for t in tables
            )
        )
        with self.db.read() as session:
            return {t: int(n) for t, n in session.execute(counts)}


PEOPLE = {
    # name: party, party kind, roles, token scope
    "owner": ("IDN", "member", ["officer"], "write"),
    "owner_fp": ("IDN", "member", ["focal_point"], "write"),
    "owner_admin": ("IDN", "member", ["admin"], "write"),
    "owner_readonly": ("IDN", "member", ["officer", "focal_point"], "read"),
    "listed": ("KHM", "member", ["officer"], "write"),
    "listed_fp": ("KHM", "member", ["focal_point"], "write"),
    "outsider": ("THA", "member", ["officer"], "write"),
    "outsider_fp": ("THA", "member", ["focal_point"], "write"),
    "outsider_admin": ("THA", "member", ["admin"], "write"),
    "outsider_readonly": ("THA", "member", ["officer", "focal_point"], "read"),
    "partner": ("JPN", "partner", ["partner"], "write"),
    "coordinator": ("ASEC", "coordinator", ["coordinator"], "write"),
}
# who must get nothing of a kind's restricted record (see probe_routes.RULES), and who
# may know it exists but must never read its marked text
EXCLUDED = {
    "event": ["outsider", "outsider_fp", "outsider_readonly", "partner", "coordinator"],
    "risk_assessment": ["outsider", "outsider_fp", "outsider_readonly", "partner", "coordinator"],
    "tracing_notice": ["outsider", "outsider_fp", "outsider_readonly", "partner", "coordinator"],
    "channel": ["outsider", "outsider_fp", "outsider_readonly", "partner", "coordinator"],
    "meeting": ["outsider", "outsider_fp", "outsider_readonly", "partner"],
    "action_item": ["outsider", "outsider_fp", "outsider_readonly", "partner"],
    "agreement": ["outsider", "outsider_fp", "outsider_readonly", "partner"],
    "advisory": ["outsider", "outsider_fp", "outsider_readonly", "partner"],
    "support_request": ["outsider", "outsider_fp", "outsider_readonly", "partner"],
    # restricted to IDN and KHM (not the coordinator): as events
    "signal_source": ["outsider", "outsider_fp", "outsider_readonly", "partner", "coordinator"],
    "signal": ["outsider", "outsider_fp", "outsider_readonly", "partner", "coordinator"],
    # the rumour log: members and the coordinator, not partners
    "rumour": ["partner"],
    # IDN asks KHM: the two parties and the coordinator
    "verification_request": ["outsider", "outsider_fp", "outsider_readonly", "partner"],
    "webhook": ["outsider", "outsider_admin", "partner", "coordinator", "listed"],
    "token": ["outsider", "outsider_admin", "partner", "coordinator", "listed"],
}
# the coordinator may list a tracing notice (without its persons), not read the persons
MARKER_ONLY = {"tracing_notice": ["coordinator"]}


def _person(db: Database, name: str) -> Who:
    party, kind, roles, scope = PEOPLE[name]
    email = f"{name}.{party.lower()}@probe.example"
    with db.transaction() as session:
        user = users.create_user(
            session,
            None,
            email=email,
            party_code=party,
            roles=roles,
            password=PASSWORD,
            name=name,
        )
        _, raw = tokens.create_token(session, None, user, scope=scope, name="probe")
        return Who(name, user.id, email, party, kind, roles, raw)


def _sign_in(world: World, who: Who) -> None:
    client = world.client
    client.cookies = httpx.Cookies()
    if {"focal_point", "coordinator", "admin"} & set(who.roles):
        with world.db.transaction() as session:
            user = session.get(User, who.id)
            assert user is not None
            secret = users.begin_totp_enrolment(session, user, SECRET)
            users.confirm_totp_enrolment(session, user, totp_code(secret), SECRET)
        login(client, who.email, PASSWORD)
        second = client.get("/login/2fa")
        client.post(
            "/login/2fa", data={"code": totp_code(secret, 1), "csrf_token": csrf_of(second.text)}
        )
    else:
        login(client, who.email, PASSWORD)
    account = client.get("/account")
    assert account.status_code == 200, (who.name, account.status_code)
    who.csrf = csrf_of(account.text)
    who.cookies = client.cookies
    client.cookies = httpx.Cookies()


def _ok(r: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def _records(w: World) -> None:
    p = w.people
    mk = w.markers
    mk["event"] = ["ZQXeventTitle", "ZQXeventHazard", "ZQXupdateBody", "ZQXihrDisease"]
    event = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/events",
            json={
                "title": "ZQXeventTitle",
                "hazard": "ZQXeventHazard",
                "country": "IDN",
                "visibility": "restricted",
                "parties": ["KHM"],
                "summary": "ZQXeventTitle",
            },
        )
    )
    w.ids["event_id"] = event["id"]
    update = _ok(
        w.api(
            p["owner"],
            "POST",
            f"/api/v1/events/{event['id']}/updates",
            json={
                "body": "ZQXupdateBody",
                "attachments": [
                    {
                        "filename": "ZQXupdateBody.pdf",
                        "content_type": "application/pdf",
                        "data_base64": base64.b64encode(PDF).decode(),
                    }
                ],
            },
        )
    )
    w.ids["update_id"] = update["id"]
    w.ids["attachment_id"] = update["attachments"][0]["id"] if update.get("attachments") else 1
    w.api(
        p["owner"],
        "POST",
        f"/api/v1/events/{event['id']}/ihr-assessments",
        json={"disease": "ZQXihrDisease", "serious": True},
    )

    mk["risk_assessment"] = ["ZQXassessTitle", "ZQXassessHazard"]
    rra = _ok(
        w.api(
            p["owner"],
            "POST",
            f"/api/v1/events/{event['id']}/risk-assessments",
            json={
                "title": "ZQXassessTitle",
                "hazard_assessment": "ZQXassessHazard",
                "likelihood": "likely",
                "consequences": "moderate",
                "confidence": "moderate",
            },
        )
    )
    w.ids["assessment_id"] = rra["id"]

    mk["tracing_notice"] = ["ZQXpersonName", "ZQXpersonPhone"]
    notice = _ok(
        w.api(
            p["owner_fp"],
            "POST",
            "/api/v1/tracing-notices",
            json={
                "event_id": event["id"],
                "parties": ["KHM"],
                "persons": [
                    {
                        "role": "contact",
                        "full_name": "ZQXpersonName Example",
                        "phone": "+62 811 ZQXpersonPhone",
                    }
                ],
                "summary": "one contact",
            },
        )
    )
    w.ids["notice_id"] = notice["id"]
    got = _ok(w.api(p["owner_fp"], "GET", f"/api/v1/tracing-notices/{notice['id']}"), 200)
    w.ids["person_id"] = got["persons"][0]["id"]

    mk["channel"] = ["ZQXchannelName", "ZQXmessageBody"]
    channel = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/channels",
            json={"name": "ZQXchannelName", "parties": ["KHM"]},
        )
    )
    w.ids["channel_id"] = channel["id"]
    message = _ok(
        w.api(
            p["owner"],
            "POST",
            f"/api/v1/channels/{channel['id']}/messages",
            json={"body": "ZQXmessageBody"},
        )
    )
    w.ids["message_id"] = message["id"]

    mk["meeting"] = ["ZQXmeetingTitle", "ZQXmeetingAgenda", "ZQXmeetingFile"]
    meeting = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/meetings",
            json={
                "title": "ZQXmeetingTitle",
                "starts_at": "2026-12-08T09:00:00+07:00",
                "agenda": "ZQXmeetingAgenda",
                "parties": ["KHM"],
            },
        )
    )
    w.ids["meeting_id"] = meeting["id"]
    stored = _ok(
        w.api(
            p["owner"],
            "POST",
            f"/api/v1/meetings/{meeting['id']}/files",
            json={
                "filename": "ZQXmeetingFile.pdf",
                "content_type": "application/pdf",
                "data_base64": base64.b64encode(PDF).decode(),
            },
        )
    )
    w.ids["meeting_file_id"] = stored["id"]
    mk["action_item"] = ["ZQXactionTitle"]
    item = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/action-items",
            json={
                "title": "ZQXactionTitle",
                "owner_party": "IDN",
                "due_on": "2026-12-20",
                "meeting_id": meeting["id"],
            },
        )
    )
    w.ids["action_item_id"] = item["id"]

    mk["agreement"] = ["ZQXagreementTitle", "ZQXagreementFile"]
    agreement = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/agreements",
            json={
                "title": "ZQXagreementTitle",
                "parties": ["IDN", "KHM"],
                "summary": "ZQXagreementTitle",
            },
        )
    )
    w.ids["agreement_id"] = agreement["id"]
    doc = _ok(
        w.api(
            p["owner"],
            "POST",
            f"/api/v1/agreements/{agreement['id']}/documents",
            json={
                "filename": "ZQXagreementFile.pdf",
                "content_type": "application/pdf",
                "data_base64": base64.b64encode(PDF).decode(),
            },
        )
    )
    w.ids["agreement_file_id"] = doc["id"]

    mk["advisory"] = ["ZQXadvisoryHeadline"]
    advisory = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/advisories",
            json={
                "event_type": "ZQXadvisoryHeadline",
                "translations": [
                    {
                        "language": "en",
                        "headline": "ZQXadvisoryHeadline",
                        "body": "b",
                        "instruction": "i",
                    }
                ],
                "areas": [{"countries": ["IDN"]}],
            },
        )
    )
    w.ids["advisory_id"] = advisory["id"]

    mk["support_request"] = ["ZQXsupportTitle"]
    support = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/support-requests",
            json={
                "kind": "sequencing",
                "title": "ZQXsupportTitle",
                "details": "ZQXsupportTitle",
                "visibility": "restricted",
                "parties": ["KHM"],
            },
        )
    )
    w.ids["request_id"] = support["id"]

    mk["signal_source"] = ["ZQXsourceName", "ZQXsourcePath"]
    source = _ok(
        w.api(
            p["owner_fp"],
            "POST",
            "/api/v1/signal-sources",
            json={
                "url": "http://127.0.0.1:9/ZQXsourcePath.xml",
                "name": "ZQXsourceName",
                "language": "id",
                "visibility": "restricted",
                "parties": ["KHM"],
            },
        )
    )
    w.ids["source_id"] = source["id"]

    mk["signal"] = ["ZQXsignalTitle", "ZQXsignalSummary"]
    signal = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/signals",
            json={
                "title": "ZQXsignalTitle",
                "summary": "ZQXsignalSummary",
                "url": "https://example.org/ZQXsignalTitle",
                "visibility": "restricted",
                "parties": ["KHM"],
            },
        )
    )
    w.ids["signal_id"] = signal["id"]

    mk["verification_request"] = ["ZQXverifyQuestion"]
    asked = _ok(
        w.api(
            p["owner"],
            "POST",
            f"/api/v1/signals/{signal['id']}/verification-requests",
            json={"party": "KHM", "question": "ZQXverifyQuestion"},
        )
    )
    w.ids["verification_request_id"] = asked["id"]

    mk["rumour"] = ["ZQXrumourClaim"]
    rumour = _ok(
        w.api(
            p["owner"],
            "POST",
            "/api/v1/rumours",
            json={"claim": "ZQXrumourClaim", "country": "IDN", "first_seen": "2026-11-30"},
        )
    )
    w.ids["rumour_id"] = rumour["id"]

    mk["webhook"] = ["ZQXwebhookPath"]
    hook = _ok(
        w.api(
            p["owner_admin"],
            "POST",
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/ZQXwebhookPath"},
        )
    )
    w.ids["webhook_id"] = hook["id"]

    mk["token"] = ["ZQXtokenName"]
    token = _ok(w.api(p["owner"], "POST", "/api/v1/tokens", json={"name": "ZQXtokenName"}))
    w.ids["token_id"] = token["id"]


@contextmanager
def build_world(database_url: str, db: Database) -> Iterator[World]:
    reset(db)
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        env="development",
        login_max_failures=1000,
        jobs_in_server=False,
        master_key=MASTER_KEY,
        webhook_allow_private=True,
        signal_allow_private=True,
    )
    app = create_app(settings, db)
    with TestClient(app) as client:
        people = {name: _person(db, name) for name in PEOPLE}
        world = World(db, client, people)
        for who in people.values():
            _sign_in(world, who)
        _records(world)
        with db.transaction() as session:  # the stream's ids are the database's
            session.execute(text("SELECT 1"))
        yield world
