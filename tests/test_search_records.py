"""Search covers advisories, fact checks, risk assessments, laboratories, support
requests, meetings, action items and agreements, each only where the viewer may see
it; records written before they were searchable are indexed by ``db upgrade``."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from eocnet.actions import (
    advisories,
    agreements,
    fact_checks,
    laboratories,
    meetings,
    search_backfill,
)
from eocnet.actions import risk_assessments as rra_actions
from eocnet.actions.users import actor_for
from eocnet.db.models import SearchDocument
from eocnet.domain import search_text
from tests.conftest import PASSWORD, user_row
from tests.web_helpers import login


def _actor(db, person):
    return actor_for(user_row(db, person.id))


def _found(client, person, q, kind=None):
    params = {"q": q, **({"kind": kind} if kind else {})}
    r = client.get("/api/v1/search", params=params, headers=person.headers)
    assert r.status_code == 200, r.text
    return [(h["kind"], h["id"]) for h in r.json()["items"]]


@pytest.fixture
def people(make_person):
    return {
        "idn": make_person("IDN", "officer"),
        "khm": make_person("KHM", "officer"),
        "tha": make_person("THA", "officer"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
    }


@pytest.fixture
def records(client, db, people):
    """One record of each kind, each with a word of its own (and a Thai sentence)."""
    idn, khm, coordinator = (_actor(db, people[k]) for k in ("idn", "khm", "coordinator"))
    r = client.post(
        "/api/v1/events",
        headers=people["idn"].headers,
        json={
            "title": "Leptospirosis after floods",
            "hazard": "leptospirosis",
            "country": "IDN",
            "summary": "Cases after the floods.",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    )
    assert r.status_code == 201, r.text
    event_id = r.json()["id"]
    ids = {}
    with db.transaction() as session:
        ids["advisory"] = advisories.create(
            session,
            idn,
            advisories.AdvisoryFields(
                event_type="Leptospirosis",
                urgency="Expected",
                severity="Moderate",
                certainty="Likely",
                translations=[
                    advisories.TranslationFields(
                        language="id",
                        headline="Waspada leptospirosis setelah banjir",
                        body="Hindari genangan air banjir (amaranthine).",
                    )
                ],
                areas=[advisories.AreaFields(countries=["IDN"])],
            ),
        ).id
        ids["fact_check"] = fact_checks.create(
            session,
            coordinator,
            fact_checks.FactCheckFields(
                verdict="false",
                translations=[
                    fact_checks.FactCheckTranslationFields(
                        language="th",
                        claim="ดื่มน้ำมะนาวผสมน้ำอุ่นฆ่าเชื้อไวรัสได้",
                        explanation="ไม่มีหลักฐาน (burgundy)",
                    )
                ],
            ),
        ).id
        ids["assessment"] = rra_actions.create(
            session,
            idn,
            event_id,
            rra_actions.AssessmentFields(
                title="Leptospirosis after floods: rapid risk assessment",
                likelihood="likely",
                consequences="moderate",
                confidence="moderate",
                hazard_assessment="Leptospira interrogans (cerulean)",
            ),
        ).id
        ids["laboratory"] = laboratories.add_lab(
            session,
            khm,
            laboratories.LabFields(
                name="Institut Pasteur du Cambodge",
                city="Phnom Penh",
                accreditation="ISO 15189 (vermilion)",
            ),
        ).id
        ids["support"] = laboratories.ask(
            session,
            idn,
            laboratories.SupportFields(
                kind="sequencing",
                title="Sequencing of Leptospira isolates",
                details="Twelve isolates (chartreuse).",
                visibility="restricted",
                parties=["KHM"],
            ),
        ).id
        meeting = meetings.schedule(
            session,
            idn,
            meetings.MeetingFields(
                title="Bilateral call on leptospirosis",
                starts_at=datetime.now(UTC) + timedelta(days=2),
                agenda="Flood response (magenta)",
                parties=["KHM"],
            ),
        )
        ids["meeting"] = meeting.id
        item = meetings.add_action(
            session,
            idn,
            meetings.ActionFields(
                title="Share the isolates (turquoise)",
                owner_party="IDN",
                due_on=date.today() + timedelta(days=7),
                meeting_id=meeting.id,
            ),
        )
        meetings.add_note(session, idn, item, "Courier booked (ochre)")
        ids["action"] = item.id
        ids["agreement"] = agreements.create(
            session,
            idn,
            agreements.AgreementFields(
                title="Indonesia and Cambodia health security cooperation",
                parties=["IDN", "KHM"],
                summary="Joint action plan (saffron)",
            ),
        ).id
    return ids


# word of each record, and who may and may not find it
WHO = {
    "advisory": ("amaranthine", ["idn", "coordinator"], ["khm", "tha", "partner"]),
    "fact_check": ("burgundy", ["idn", "tha", "coordinator"], ["partner"]),
    # the event is restricted to IDN and KHM: the coordinator may not see it either
    "assessment": ("cerulean", ["idn"], ["khm", "tha", "partner", "coordinator"]),
    "laboratory": ("vermilion", ["idn", "tha", "partner"], []),
    "support": ("chartreuse", ["idn", "khm"], ["tha", "partner"]),
    "meeting": ("magenta", ["idn", "khm", "coordinator"], ["tha", "partner"]),
    "action": ("ochre", ["idn", "khm", "coordinator"], ["tha", "partner"]),
    "agreement": ("saffron", ["idn", "khm", "coordinator"], ["tha", "partner"]),
}


@pytest.mark.parametrize("kind", list(WHO))
def test_each_kind_is_found_only_by_those_who_may_see_it(client, people, records, kind):
    word, may, may_not = WHO[kind]
    for name in may:
        assert _found(client, people[name], word) == [(kind, records[kind])], (kind, name)
        assert _found(client, people[name], word, kind=kind) == [(kind, records[kind])]
    for name in may_not:
        assert _found(client, people[name], word) == [], (kind, name)


def test_thai_claim_of_a_fact_check_is_found_by_a_word(client, people, records):
    assert _found(client, people["tha"], "มะนาว") == [("fact_check", records["fact_check"])]


def test_search_page_links_each_record_to_its_page(client, people, records):
    login(client, people["idn"].email, PASSWORD)
    pages = {
        "advisory": f"/advisories/{records['advisory']}",
        "assessment": f"/risk-assessments/{records['assessment']}",
        "laboratory": f"/laboratories#lab-{records['laboratory']}",
        "support": f"/support-requests/{records['support']}",
        "meeting": f"/meetings/{records['meeting']}",
        "action": f"/actions/{records['action']}",
        "agreement": f"/agreements/{records['agreement']}",
    }
    for kind, path in pages.items():
        page = client.get("/search", params={"q": WHO[kind][0]})
        assert page.status_code == 200 and f'href="{path}"' in page.text, kind
        assert client.get(path.split("#")[0]).status_code == 200
    page = client.get("/search", params={"q": "ochre"})
    assert "(action item ·" in page.text  # the kind, as it reads


def test_a_change_of_audience_is_followed(client, db, people, records):
    """A fact check published is found by partners too."""
    assert _found(client, people["partner"], "burgundy") == []
    with db.transaction() as session:
        fc = session.get(fact_checks.FactCheck, records["fact_check"])
        fact_checks.publish_check(session, _actor(db, people["coordinator"]), fc)
    # published: partners see it too
    assert _found(client, people["partner"], "burgundy") == [("fact_check", records["fact_check"])]


def test_upgrade_indexes_records_written_before_and_segments_again(db, client, people, records):
    with db.transaction() as session:
        session.execute(delete(SearchDocument).where(SearchDocument.kind != "event"))
        session.execute(SearchDocument.__table__.update().values(segmenter="icu-old", terms=""))
    assert _found(client, people["idn"], "saffron") == []
    assert _found(client, people["idn"], "Leptospirosis") == []
    done = db.run_sync(search_backfill.reindex)
    assert done == {"resegmented": 1, "indexed": len(WHO)}
    for kind, (word, may, may_not) in WHO.items():
        assert _found(client, people[may[0]], word) == [(kind, records[kind])]
        for name in may_not:
            assert _found(client, people[name], word) == []
    assert _found(client, people["idn"], "Leptospirosis", kind="event")
    # nothing left to do the second time
    assert db.run_sync(search_backfill.reindex) == {"resegmented": 0, "indexed": 0}
    with db.read() as session:
        assert (
            session.scalar(
                select(func.count()).where(SearchDocument.segmenter != search_text.SEGMENTER)
            )
            == 0
        )
