"""The list reads of queries/: each kind's audience as SQL agrees with its Python rule,
and every list endpoint and list page costs the same number of SQL statements with 3
rows as with 30 (Zulip's habit of pinning query counts).

The equivalence tests generate records of every kind with varied audiences (visibility,
listed parties, owner, status, sharing) and check, for every party of the directory
(members, the coordinator, partners), with their usual roles, and for a read-only
token, that the SQL clause picks exactly the records the Python rule allows.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from eocnet.actions import advisories as advisory_actions
from eocnet.actions import agreements as agreement_actions
from eocnet.actions import channels as channel_actions
from eocnet.actions import events as event_actions
from eocnet.actions import fact_checks as fact_check_actions
from eocnet.actions import laboratories as laboratory_actions
from eocnet.actions import meetings as meeting_actions
from eocnet.actions import reports as report_actions
from eocnet.actions import risk_assessments as rra_actions
from eocnet.actions import tracing as tracing_actions
from eocnet.db.database import Database
from eocnet.db.models import (
    Acknowledgement,
    ActionItem,
    ActionNote,
    Advisory,
    AdvisoryMessage,
    AdvisoryTranslation,
    Agreement,
    Channel,
    CountermeasureRequest,
    Event,
    FactCheck,
    FactCheckTranslation,
    Indicator,
    IndicatorReport,
    Laboratory,
    Mechanism,
    Meeting,
    Message,
    Party,
    PlanActivity,
    Pledge,
    PledgeAllocation,
    Report,
    RiskAssessment,
    Rumour,
    SpecimenShipment,
    StockItem,
    SupportOffer,
    SupportRequest,
    TracedPerson,
    TracingNotice,
    User,
)
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.queries import advisories as advisory_queries
from eocnet.queries import agreements as agreement_queries
from eocnet.queries import fact_checks as fact_check_queries
from eocnet.queries import laboratories as laboratory_queries
from eocnet.queries import meetings as meeting_queries
from eocnet.queries import reports as report_queries
from eocnet.queries import risk_assessments as rra_queries
from eocnet.queries import tracing as tracing_queries
from eocnet.realtime.log import parties_key, users_key
from tests.conftest import PASSWORD
from tests.web_helpers import login

TODAY = date.today()
VISIBILITIES = ("network", "partners", "restricted")
#: Lists of parties a record may name: none, members, a partner, the coordinator, mixes.
PARTY_LISTS: tuple[tuple[str, ...], ...] = (
    (),
    ("IDN",),
    ("KHM", "THA"),
    ("JPN",),
    ("ASEC",),
    ("IDN", "JPN"),
)
OWNERS = ("IDN", "KHM", "ASEC", "JPN")
CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "SET"})


# ---------------------------------------------------------------- viewers


def _actors(db: Database) -> list[Actor]:
    """Every party of the directory with its usual role, and a read-only token."""
    with db.read() as session:
        parties = [(p.code, p.kind) for p in session.scalars(select(Party).order_by(Party.code))]
    out = []
    for user_id, (code, kind) in enumerate(parties, start=1000):
        role = {
            "coordinator": Role.COORDINATOR,
            "partner": Role.PARTNER,
            "organisation": Role.PARTNER,
        }.get(kind, Role.OFFICER)
        out.append(Actor(user_id, f"u{user_id}@test.example", code, kind, (role,)))
        if kind == "coordinator":  # an officer of the coordinator's party
            out.append(Actor(user_id + 500, "o@test.example", code, kind, (Role.OFFICER,)))
    out.append(Actor(2000, "reader@test.example", "IDN", "member", (Role.OFFICER,), scope="read"))
    out.append(Actor(2001, "admin@test.example", "THA", "member", (Role.ADMIN,)))
    return out


def _agree(db: Database, model: type, clause_of: Any, allowed: Any, query: Any = None) -> None:
    """For every viewer, the ids the SQL clause selects are the ids the Python rule allows
    (``allowed(session, actor, row)``), and the generated records are neither all
    visible nor all hidden to everyone (the data exercise the rule)."""
    seen_any = hidden_any = False
    with db.read() as session:
        rows = list(session.scalars(select(model)))
        assert len(rows) >= 10
        for actor in _actors(db):
            base = query if query is not None else select(model.id)
            by_sql = set(session.scalars(base.where(clause_of(actor))))
            by_rule = {r.id for r in rows if allowed(session, actor, r)}
            assert by_sql == by_rule, (actor.party_code, actor.roles, by_sql ^ by_rule)
            seen_any |= bool(by_rule)
            hidden_any |= len(by_rule) < len(rows)
    assert seen_any and hidden_any


@pytest.fixture
def author(make_person):  # type: ignore[no-untyped-def]
    return make_person("IDN", "officer")


def _event(session: Any, author_id: int, visibility: str, owner: str, parties: tuple[str, ...]):  # type: ignore[no-untyped-def]
    row = Event(
        title=f"Event {visibility} {owner} {'-'.join(parties)}",
        hazard="Dengue",
        country=owner if len(owner) == 3 else "IDN",
        visibility=visibility,
        parties=list(parties),
        parties_key=parties_key(parties),
        owner_party=owner,
        created_by=author_id,
    )
    session.add(row)
    session.flush()
    return row


def _advisory(author_id: int, status: str, owner: str) -> Advisory:
    return Advisory(
        status=status, event_type="Dengue", urgency="Expected", severity="Moderate",
        certainty="Likely", owner_party=owner, created_by=author_id,
    )  # fmt: skip


def _notice(event_id: int, author_id: int, sender: str, parties: tuple[str, ...]) -> TracingNotice:
    return TracingNotice(
        event_id=event_id, sender_party=sender, created_by=author_id, parties=list(parties),
        parties_key=parties_key(parties), purge_after=utcnow() + timedelta(days=30),
    )  # fmt: skip


# ---------------------------------------------------------------- SQL = Python, kind by kind


def test_meeting_and_action_item_audiences_agree(db, author):
    with db.transaction() as session:
        for owner, parties in itertools.product(OWNERS[:3], PARTY_LISTS):
            meeting = Meeting(
                title="m", starts_at=utcnow(), owner_party=owner, parties=list(parties),
                created_by=author.id,
            )  # fmt: skip
            session.add(meeting)
            session.flush()
            session.add(ActionItem(title="a", owner_party=owner, due_on=TODAY,
                                   meeting_id=meeting.id, created_by=author.id))  # fmt: skip
        session.add(ActionItem(title="free", owner_party="KHM", due_on=TODAY, created_by=author.id))
    _agree(
        db,
        Meeting,
        meeting_queries.meeting_visible,
        lambda s, a, r: meeting_actions.can_see_meeting(s, a, r),
    )
    _agree(
        db,
        ActionItem,
        meeting_queries.action_visible,
        lambda s, a, r: meeting_actions.can_see_action(s, a, r),
    )


def test_agreement_audiences_agree(db, author):
    with db.transaction() as session:
        for parties, shared in itertools.product(PARTY_LISTS, (False, True)):
            session.add(Agreement(title="a", parties=list(parties), shared_with_network=shared,
                                  created_by=author.id))  # fmt: skip
        session.add(Agreement(title="b", parties=["IDN", "KHM"], created_by=author.id))
    _agree(
        db,
        Agreement,
        agreement_queries.agreement_visible,
        lambda s, a, r: agreement_actions.can_see(s, a, r),
    )


def test_a_partner_signatory_sees_an_agreement_shared_with_the_network(db, author):
    with db.transaction() as session:
        shared = Agreement(title="a", parties=["IDN", "JPN"], shared_with_network=True,
                           created_by=author.id)  # fmt: skip
        session.add(shared)
    japan = Actor(1, "j@test.example", "JPN", "partner", (Role.PARTNER,))
    korea = Actor(2, "k@test.example", "KOR", "partner", (Role.PARTNER,))
    with db.read() as session:
        row = session.get(Agreement, shared.id)
        assert agreement_actions.can_see(session, japan, row)
        assert not agreement_actions.can_see(session, korea, row)


def test_support_request_and_shipment_audiences_agree(db, author):
    with db.transaction() as session:
        for visibility, owner, parties in itertools.product(VISIBILITIES, OWNERS, PARTY_LISTS):
            session.add(SupportRequest(requesting_party=owner, kind="testing", title="t",
                                       visibility=visibility, parties=list(parties),
                                       created_by=author.id))  # fmt: skip
        labs = {}
        for code in ("IDN", "KHM", "THA", "JPN"):
            labs[code] = Laboratory(party_code=code, name=f"Lab {code}")
            session.add(labs[code])
        session.flush()
        for sender, receiver in itertools.permutations(labs, 2):
            session.add(SpecimenShipment(
                sender_lab_id=labs[sender].id, receiver_lab_id=labs[receiver].id,
                sender_party=sender, receiver_party=receiver, specimen_type="serum", count=1,
                packaging="UN3373", created_by=author.id,
            ))  # fmt: skip
    _agree(
        db,
        SupportRequest,
        laboratory_queries.request_visible,
        lambda s, a, r: laboratory_actions.can_see(s, a, r),
    )
    coordinators = {"ASEC"}
    _agree(
        db,
        SpecimenShipment,
        laboratory_queries.shipment_visible,
        lambda s, a, r: a.party_code in {r.sender_party, r.receiver_party, *coordinators},
    )


def test_fact_check_audiences_agree(db, author):
    with db.transaction() as session:
        for status, owner in itertools.product(("draft", "published", "withdrawn"), OWNERS[:3]):
            for _ in range(2):
                session.add(FactCheck(verdict="false", status=status, owner_party=owner,
                                      created_by=author.id))  # fmt: skip
    _agree(
        db,
        FactCheck,
        fact_check_queries.fact_check_visible,
        lambda s, a, r: fact_check_actions.can_see(a, r),
    )


def test_report_audiences_agree(db, author):
    with db.transaction() as session:
        for visibility, owner, parties in itertools.product(VISIBILITIES, OWNERS, PARTY_LISTS):
            session.add(Report(kind="event", title="r", visibility=visibility,
                               parties=list(parties), owner_party=owner,
                               created_by=author.id))  # fmt: skip
    _agree(
        db,
        Report,
        report_queries.report_visible,
        lambda s, a, r: report_actions.can_see(a, r),
    )


def test_risk_assessment_audiences_agree(db, author):
    with db.transaction() as session:
        for visibility, owner, parties in itertools.product(
            VISIBILITIES, ("IDN", "KHM"), ((), ("THA",), ("JPN",), ("ASEC",))
        ):
            event_row = _event(session, author.id, visibility, owner, parties)
            for status, sharing, drafter in itertools.product(
                ("draft", "signed_off"), ("network", "partners"), ("IDN", "THA")
            ):
                session.add(RiskAssessment(
                    event_id=event_row.id, title="rra", likelihood="likely",
                    consequences="moderate", risk_level="high", confidence="moderate",
                    sharing=sharing, status=status, owner_party=drafter, created_by=author.id,
                ))  # fmt: skip
    _agree(
        db,
        RiskAssessment,
        rra_queries.assessment_visible,
        lambda s, a, r: rra_actions.can_see(s, a, r),
        query=select(RiskAssessment.id).join(Event, Event.id == RiskAssessment.event_id),
    )


def test_advisory_audiences_agree(db, author):
    statuses = ("draft", "in_review", "approved", "published", "cancelled")
    with db.transaction() as session:
        for status, owner in itertools.product(statuses, OWNERS):
            session.add(_advisory(author.id, status, owner))
    _agree(
        db,
        Advisory,
        advisory_queries.advisory_visible,
        lambda s, a, r: advisory_actions.can_see(s, a, r),
    )


def test_tracing_notice_audiences_agree(db, author):
    """Senders and addressees see a notice's summary, and the coordinator every
    summary (the coordinator role in the coordinator party, not its officers)."""
    with db.transaction() as session:
        event_row = _event(session, author.id, "network", "IDN", ())
        for sender, parties in itertools.product(OWNERS[:3], PARTY_LISTS):
            session.add(_notice(event_row.id, author.id, sender, parties))

    def allowed(session: Any, actor: Actor, notice: TracingNotice) -> bool:
        try:
            tracing_actions.access_notice(session, actor, notice.id)
        except Exception:  # NotFound
            return False
        return True

    _agree(db, TracingNotice, tracing_queries.notice_visible, allowed)


def test_channel_audiences_agree(db, author):
    """Channels carry named users too (direct messages): only those users, within the
    parties' rule."""
    named: tuple[tuple[int, ...], ...] = ((), (1000,), (1003, 2000), (1500,))
    with db.transaction() as session:
        for visibility, owner, parties, users in itertools.product(
            VISIBILITIES, OWNERS[:3], PARTY_LISTS[:4], named
        ):
            session.add(Channel(
                name="c", kind="group", visibility=visibility, parties=list(parties),
                parties_key=parties_key(parties), users_key=users_key(users), owner_party=owner,
                created_by=author.id,
            ))  # fmt: skip
    _agree(
        db,
        Channel,
        channel_actions.visible_channels_clause,
        lambda s, a, r: channel_actions.channel_audience(r).allows(
            a.party_code, a.party_kind, a.user_id
        ),
    )


def test_event_audiences_agree(db, author):
    """The events' clause (db/audience.visible_to), the one risk assessments build on."""
    from eocnet.db.audience import visible_to

    with db.transaction() as session:
        for visibility, owner, parties in itertools.product(VISIBILITIES, OWNERS, PARTY_LISTS):
            _event(session, author.id, visibility, owner, parties)
    _agree(
        db,
        Event,
        lambda actor: visible_to(Event, actor),
        lambda s, a, r: event_actions.can_see_event(a, r),
    )


# ---------------------------------------------------------------- query counts


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    """The queries run while a request is served (in the server's worker threads),
    leaving out the live-stream hub's reads of the log and the transaction control
    (``BEGIN`` and the like: how many a request sends depends on which pooled connection
    it gets, not on the rows)."""
    seen: list[str] = []
    lock = threading.Lock()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split(None, 1)
        if words and words[0].upper() in CONTROL:
            return
        if "stream_entry" not in statement:
            with lock:
                seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _count(client: Any, db: Database, url: str, headers: dict[str, str] | None = None) -> int:
    with _statements(db) as seen:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return len(seen)


class Rows:
    """Adds ``n`` records of every listed kind, each with what its list shows beside it
    (notes, offers, plans, indicators and values, translations, linked rumours), some
    visible to the viewer and some not."""

    def __init__(self, db: Database, author_id: int) -> None:
        self.db = db
        self.author_id = author_id
        self.users = 0
        with db.transaction() as session:
            self.mechanism = Mechanism(name="EOC network", lead_party="MYS", created_at=utcnow())
            session.add(self.mechanism)
            self.event = _event(session, author_id, "partners", "IDN", ())
            self.meeting = Meeting(title="kept", starts_at=utcnow(), owner_party="IDN",
                                   parties=["IDN", "KHM"], created_by=author_id,
                                   mechanism_id=None)  # fmt: skip
            session.add(self.meeting)
            self.labs = [Laboratory(party_code=c, name=f"Lab {c}") for c in ("IDN", "KHM")]
            session.add_all(self.labs)
            session.flush()
            self.mechanism_id, self.event_id = self.mechanism.id, self.event.id
            self.meeting_id = self.meeting.id

    def add(self, n: int) -> None:
        with self.db.transaction() as session:
            for i in range(n):
                self._one(session, i)

    def _one(self, session: Any, i: int) -> None:
        author, mine = self.author_id, i % 3 != 2  # one in three is not the viewer's
        parties = ["IDN", "KHM"] if mine else ["KHM", "THA"]
        meeting = Meeting(title=f"meeting {i}", starts_at=utcnow(), owner_party="KHM",
                          parties=parties, created_by=author,
                          mechanism_id=self.mechanism_id)  # fmt: skip
        session.add(meeting)
        session.flush()
        for meeting_id in (meeting.id, self.meeting_id):
            item = ActionItem(title=f"action {i}", owner_party="IDN", due_on=TODAY - timedelta(1),
                              meeting_id=meeting_id, mechanism_id=self.mechanism_id,
                              created_by=author)  # fmt: skip
            session.add(item)
            session.flush()
            session.add(ActionNote(action_item_id=item.id, text="progress", party_code="IDN",
                                   author_id=author))  # fmt: skip
        agreement = Agreement(title=f"agreement {i}", parties=parties, created_by=author,
                              signed_on=TODAY)  # fmt: skip
        session.add(agreement)
        session.flush()
        session.add(PlanActivity(agreement_id=agreement.id, term="short", title="train",
                                 lead_party="IDN", starts_on=TODAY, ends_on=TODAY))  # fmt: skip
        indicator = Indicator(agreement_id=agreement.id, name="trained", target=10)
        session.add(indicator)
        session.flush()
        session.add(IndicatorReport(indicator_id=indicator.id, party_code="IDN", period="2026-Q1",
                                    value=3, reported_by=author,
                                    reported_at=utcnow()))  # fmt: skip
        request = SupportRequest(requesting_party="KHM", kind="testing", title=f"support {i}",
                                 visibility="network" if mine else "restricted",
                                 parties=[] if mine else ["THA"], created_by=author)  # fmt: skip
        session.add(request)
        session.flush()
        session.add(SupportOffer(request_id=request.id, party_code="THA", created_by=author))
        session.add(SpecimenShipment(
            sender_lab_id=self.labs[0].id, receiver_lab_id=self.labs[1].id,
            sender_party="IDN" if mine else "THA", receiver_party="KHM", specimen_type="serum",
            count=1, packaging="UN3373", created_by=author,
        ))  # fmt: skip
        check = FactCheck(verdict="false", status="published" if mine else "draft",
                          owner_party="ASEC", created_by=author)  # fmt: skip
        session.add(check)
        session.flush()
        session.add(FactCheckTranslation(fact_check_id=check.id, language="en",
                                         claim=f"claim {i}", explanation="no"))  # fmt: skip
        session.add(Rumour(claim=f"claim {i}", country="IDN", first_seen=TODAY,
                           fact_check_id=check.id, reported_by=author, party="IDN"))  # fmt: skip
        session.add(Report(kind="event", title=f"report {i}", owner_party="KHM",
                           visibility="network" if mine else "restricted",
                           status="issued" if i % 2 else "draft", created_by=author))  # fmt: skip
        session.add(RiskAssessment(
            event_id=self.event_id, title=f"rra {i}", likelihood="likely",
            consequences="moderate", risk_level="high", confidence="moderate",
            status="signed_off" if mine else "draft", owner_party="KHM", created_by=author,
        ))  # fmt: skip
        session.add(Laboratory(party_code="IDN" if mine else "THA", name=f"lab {i}"))
        advisory = _advisory(author, "published" if mine else "draft", "KHM")
        session.add(advisory)
        session.flush()
        session.add(AdvisoryTranslation(advisory_id=advisory.id, language="en",
                                        headline=f"advisory {i}"))  # fmt: skip
        if mine:
            session.add(AdvisoryMessage(
                advisory_id=advisory.id, identifier=f"urn:test:{advisory.id}", msg_type="Alert",
                sent_at=utcnow(), reference="", xml="<alert/>", issued_by=author,
            ))  # fmt: skip
        notice = _notice(self.event_id, author, "KHM", ("IDN",) if mine else ("THA",))
        session.add(notice)
        session.flush()
        session.add(TracedPerson(notice_id=notice.id, role="contact", receiving_party="IDN"))
        acker = User(email=f"acker{self.users}@test.example", party_code="THA", roles=["officer"],
                     password_hash="-")  # fmt: skip
        self.users += 1
        session.add(acker)
        alert = _event(session, author, "partners" if mine else "restricted", "KHM", ())
        alert.is_alert = True
        session.flush()
        session.add(Acknowledgement(event_id=alert.id, party_code="THA", user_id=acker.id))
        need = CountermeasureRequest(party_code="IDN", item="vaccine", category="vaccine",
                                     quantity=100, unit="doses", created_by=author)  # fmt: skip
        pledge = Pledge(party_code="JPN", item="vaccine", category="vaccine", quantity=50,
                        unit="doses", kind="donation", created_by=author)  # fmt: skip
        session.add_all([need, pledge])
        session.flush()
        session.add(PledgeAllocation(pledge_id=pledge.id, request_id=need.id, party_code="IDN",
                                     quantity=50))  # fmt: skip
        channel = Channel(name=f"channel {i}", kind="group",
                          visibility="network" if mine else "restricted",
                          parties=[] if mine else ["THA"], parties_key=parties_key([] if mine
                          else ["THA"]), owner_party="THA", created_by=author)  # fmt: skip
        session.add(channel)
        session.flush()
        session.add(Message(channel_id=channel.id, author_id=acker.id, party_code="THA",
                            body=f"message {i}"))  # fmt: skip
        session.add(StockItem(party_code="IDN", item=f"stock {i}", category="vaccine",
                              quantity=10, unit="doses", updated_by=author))  # fmt: skip


def _api_lists(rows: Rows) -> list[str]:
    return [
        "/api/v1/mechanisms",
        "/api/v1/meetings",
        f"/api/v1/meetings?mechanism_id={rows.mechanism_id}",
        "/api/v1/action-items",
        "/api/v1/action-items?open_only=true&party=IDN",
        "/api/v1/action-items.csv",
        "/api/v1/agreements",
        "/api/v1/agreements.csv",
        "/api/v1/laboratories",
        "/api/v1/laboratories?agent=dengue",
        "/api/v1/laboratories.csv",
        "/api/v1/support-requests",
        "/api/v1/support-requests.csv",
        "/api/v1/specimen-shipments",
        "/api/v1/specimen-shipments.csv",
        "/api/v1/fact-checks",
        "/api/v1/reports",
        f"/api/v1/events/{rows.event_id}/risk-assessments",
        "/api/v1/advisories",
        "/api/v1/advisories?status=published",
        "/api/v1/tracing-notices",
        "/api/v1/events",
        "/api/v1/events?alert=true",
        "/api/v1/countermeasure-requests",
        "/api/v1/countermeasure-requests.csv",
        "/api/v1/pledges",
        "/api/v1/pledges.csv",
        "/api/v1/channels",
    ]


def _pages(rows: Rows) -> list[str]:
    return [
        "/meetings",
        "/meetings?mine=1",
        f"/meetings/{rows.meeting_id}",
        f"/mechanisms/{rows.mechanism_id}",
        "/coordination",
        "/agreements",
        "/laboratories",
        "/fact-checks",
        "/reports",
        f"/events/{rows.event_id}",
        "/",
        "/advisories",
        "/tracing",
        "/events",
        "/events?alert=1",
        "/countermeasures",
        "/channels",
    ]


def _counts(client: Any, db: Database, urls: list[str], headers: dict[str, str] | None) -> dict:
    for url in urls:  # once first: what a process reads once (translations, caches)
        _count(client, db, url, headers)
    return {url: _count(client, db, url, headers) for url in urls}


@pytest.mark.parametrize("viewer", ["member", "coordinator", "partner"])
def test_list_endpoints_cost_the_same_with_3_or_30_rows(client, db, make_person, viewer):
    person = {
        "member": lambda: make_person("IDN", "officer"),
        "coordinator": lambda: make_person("ASEC", "coordinator"),
        "partner": lambda: make_person("JPN", "partner"),
    }[viewer]()
    rows = Rows(db, person.id)
    urls = _api_lists(rows)
    if viewer != "partner":  # stock levels are refused to partners
        urls += ["/api/v1/stockpiles", "/api/v1/stockpiles.csv"]
    rows.add(3)
    few = _counts(client, db, urls, person.headers)
    rows.add(27)
    many = _counts(client, db, urls, person.headers)
    assert few == many


def test_list_pages_cost_the_same_with_3_or_30_rows(client, db, make_person):
    person = make_person("IDN", "officer")
    rows = Rows(db, person.id)
    login(client, person.email, PASSWORD)
    rows.add(3)
    few = _counts(client, db, _pages(rows), None)
    rows.add(27)
    many = _counts(client, db, _pages(rows), None)
    assert few == many


def test_the_lists_show_what_their_viewer_may_see(client, db, make_person):
    """The lists still hold the rows (the counts above are not of empty pages), and
    not the rows of others."""
    person = make_person("IDN", "officer")
    rows = Rows(db, person.id)
    rows.add(3)
    got = {url: client.get(url, headers=person.headers).json() for url in _api_lists(rows)
           if not url.endswith(".csv")}  # fmt: skip
    assert {m["title"] for m in got["/api/v1/meetings"]} == {"meeting 0", "meeting 1", "kept"}
    assert {a["title"] for a in got["/api/v1/agreements"]} == {"agreement 0", "agreement 1"}
    assert all(a["activities"] and a["indicators"][0]["reports"] for a in got["/api/v1/agreements"])
    assert {r["title"] for r in got["/api/v1/support-requests"]} == {"support 0", "support 1"}
    assert all(len(r["offers"]) == 1 for r in got["/api/v1/support-requests"])
    assert len(got["/api/v1/specimen-shipments"]) == 2
    # an officer keeps the rumour log: drafts too, with the rumours they answer
    assert {c["translations"][0]["claim"] for c in got["/api/v1/fact-checks"]} == {
        "claim 0",
        "claim 1",
        "claim 2",
    }
    assert all(len(c["rumour_ids"]) == 1 for c in got["/api/v1/fact-checks"])
    partner = make_person("JPN", "partner")
    checks = client.get("/api/v1/fact-checks", headers=partner.headers).json()
    assert {c["translations"][0]["claim"] for c in checks} == {"claim 0", "claim 1"}
    assert all(c["rumour_ids"] == [] for c in checks)
    assert {r["title"] for r in got["/api/v1/reports"]} == {"report 0", "report 1"}
    assert {r["title"] for r in got[f"/api/v1/events/{rows.event_id}/risk-assessments"]} == {
        "rra 0",
        "rra 1",
    }
    items = got["/api/v1/action-items"]
    assert len(items) == 5 and all(len(a["notes"]) == 1 for a in items)
    assert all(m["local_times"] for m in got["/api/v1/meetings"])
