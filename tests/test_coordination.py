"""Coordination through the API: laboratories and support, countermeasures and
their allocation, meetings and action items, agreements with plans and
indicators, and connectivity checks; with the parties who must not see them and
bad input that must save nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eocnet.db.models import (
    ActionItem,
    Agreement,
    AuditEntry,
    Laboratory,
    OutboxEmail,
    StreamEntry,
    SupportRequest,
)
from eocnet.db.types import utcnow
from eocnet.domain.allocation import allocate
from tests.helpers import count

TODAY = date.today()


@pytest.fixture
def people(make_person):
    return {
        "idn": make_person("IDN", "officer"),
        "idn_fp": make_person("IDN", "focal_point"),
        "khm": make_person("KHM", "officer"),
        "tha": make_person("THA", "officer"),
        "sgp": make_person("SGP", "officer"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
        "reader": make_person("IDN", "officer", scope="read"),
    }


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


# ---------------------------------------------------------------- allocation rule


def test_largest_remainder_allocation_by_hand():
    # 1,000 doses for requests of 600, 300 and 300 (need basis): exact shares
    # 500, 250, 250.
    assert allocate(1000, {"A": 600, "B": 300, "C": 300}).shares == {"A": 500, "B": 250, "C": 250}
    # 10 units for 3 equal requests: 3.33 each, the leftover unit to the first code
    assert allocate(10, {"B": 5, "A": 5, "C": 5}).shares == {"B": 3, "A": 4, "C": 3}
    # a minimum of 100 each (C is then served in full), the other 700 by need:
    # A 700 x 2000/2150 = 651.16, B 700 x 150/2150 = 48.84; the unit left goes to
    # B's larger remainder
    result = allocate(1000, {"A": 2000, "B": 150, "C": 100}, minimum=100)
    assert result.shares == {"A": 751, "B": 149, "C": 100} and result.minimum_applied
    # population basis: capped parties' excess goes to the others
    result = allocate(100, {"BIG": 10, "SMALL": 200}, weights={"BIG": 1e6, "SMALL": 1.0})
    assert result.shares == {"BIG": 10, "SMALL": 90}
    # more than asked: everyone is served and the rest stays unallocated
    assert allocate(50, {"A": 10, "B": 20}).unallocated == 20
    # minimums that cannot all be met are not applied
    assert not allocate(5, {"A": 10, "B": 10, "C": 10}, minimum=2).minimum_applied
    for total in range(0, 40):
        shares = allocate(total, {"A": 7, "B": 13, "C": 1}, minimum=1).shares
        assert sum(shares.values()) == min(total, 21)
        assert all(shares[p] <= q for p, q in {"A": 7, "B": 13, "C": 1}.items())
    with pytest.raises(ValueError):
        allocate(-1, {"A": 1})


# ---------------------------------------------------------------- laboratories


def test_laboratory_directory_and_support_request_lifecycle(client, db, people):
    lab = client.post(
        "/api/v1/laboratories",
        headers=people["tha"].headers,
        json={
            "name": "National Institute of Health, Nonthaburi",
            "biosafety_level": 3,
            "tests": [
                {"agent": "Measles virus", "method": "RT-PCR"},
                {"agent": "Measles virus", "method": "Sequencing"},
            ],
            "capacity_per_week": 400,
            "turnaround_days": 2,
        },
    )
    assert lab.status_code == 201, lab.text
    idn_lab = client.post(
        "/api/v1/laboratories", headers=people["idn"].headers, json={"name": "BKPK Jakarta"}
    ).json()
    found = client.get("/api/v1/laboratories?agent=measles", headers=people["partner"].headers)
    assert [x["party_code"] for x in found.json()] == ["THA"]
    # a party edits only its own laboratories
    r = client.put(
        f"/api/v1/laboratories/{lab.json()['id']}",
        headers=people["idn"].headers,
        json={"name": "x"},
    )
    assert r.status_code == 403

    request = client.post(
        "/api/v1/support-requests",
        headers=people["idn"].headers,
        json={"kind": "sequencing", "title": "Genotype measles specimens", "needed_by": str(TODAY)},
    ).json()
    assert request["status"] == "open"
    url = f"/api/v1/support-requests/{request['id']}"
    # the requester does not offer to itself
    assert client.post(f"{url}/offers", headers=people["idn"].headers, json={}).status_code == 422
    r = client.post(
        f"{url}/offers",
        headers=people["tha"].headers,
        json={"note": "We can sequence within 5 days", "laboratory_id": lab.json()["id"]},
    )
    assert r.status_code == 201 and r.json()["status"] == "offered"
    offer_id = r.json()["offers"][0]["id"]
    # only the requesting party accepts
    r = client.post(f"{url}/accept", headers=people["tha"].headers, json={"offer_id": offer_id})
    assert r.status_code == 403
    r = client.post(f"{url}/accept", headers=people["idn"].headers, json={"offer_id": offer_id})
    assert r.json()["status"] == "accepted"
    r = client.post(f"{url}/status", headers=people["idn"].headers, json={"status": "shipped"})
    assert r.status_code == 403  # the offering party ships
    assert (
        client.post(
            f"{url}/status", headers=people["tha"].headers, json={"status": "shipped"}
        ).json()["status"]
        == "shipped"
    )
    assert (
        client.post(f"{url}/status", headers=people["idn"].headers, json={"status": "done"}).json()[
            "status"
        ]
        == "done"
    )

    shipment = client.post(
        "/api/v1/specimen-shipments",
        headers=people["idn"].headers,
        json={
            "sender_lab_id": idn_lab["id"],
            "receiver_lab_id": lab.json()["id"],
            "specimen_type": "Throat swab",
            "count": 12,
            "packaging": "UN3373",
            "shipped_on": str(TODAY),
            "request_id": request["id"],
        },
    )
    assert shipment.status_code == 201, shipment.text
    sid = shipment.json()["id"]
    # seen by sender, receiver and the coordinator only
    assert client.get("/api/v1/specimen-shipments", headers=people["sgp"].headers).json() == []
    assert (
        len(client.get("/api/v1/specimen-shipments", headers=people["coordinator"].headers).json())
        == 1
    )
    r = client.post(
        f"/api/v1/specimen-shipments/{sid}/receipt",
        headers=people["idn"].headers,
        json={"received_on": str(TODAY)},
    )
    assert r.status_code == 403  # the receiving party records receipt
    r = client.post(
        f"/api/v1/specimen-shipments/{sid}/receipt",
        headers=people["tha"].headers,
        json={"received_on": str(TODAY), "result_returned_on": str(TODAY),
              "result_summary": "Genotype D8"},
    )  # fmt: skip
    assert r.json()["result_summary"] == "Genotype D8"
    rows = _csv(client.get("/api/v1/laboratories.csv", headers=people["khm"].headers))
    assert {r["party"] for r in rows} == {"THA", "IDN"}
    assert len(_csv(client.get("/api/v1/support-requests.csv", headers=people["khm"].headers))) == 1
    with db.read() as session:
        kinds = set(session.scalars(select(StreamEntry.kind)))
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"support_request.opened", "support_request.offered", "shipment.sent"} <= kinds
    assert {"laboratory.added", "support_request.accepted", "shipment.received"} <= actions


def test_restricted_support_requests_are_hidden_from_others(client, people):
    r = client.post(
        "/api/v1/support-requests",
        headers=people["khm"].headers,
        json={"kind": "confirmation", "title": "Diphtheria confirmation",
              "visibility": "restricted", "parties": ["THA"]},
    )  # fmt: skip
    url = f"/api/v1/support-requests/{r.json()['id']}"
    for who in ("tha", "coordinator"):
        assert client.get(url, headers=people[who].headers).status_code == 200
    for who in ("idn", "partner"):
        assert client.get(url, headers=people[who].headers).status_code == 404
        assert client.get("/api/v1/support-requests", headers=people[who].headers).json() == []
        assert client.post(f"{url}/offers", headers=people[who].headers, json={}).status_code == 404
    # network requests are not for partners; partners-visibility ones are
    client.post(
        "/api/v1/support-requests",
        headers=people["khm"].headers,
        json={"kind": "reagents", "title": "Primers", "visibility": "partners"},
    )
    listed = client.get("/api/v1/support-requests", headers=people["partner"].headers).json()
    assert [x["title"] for x in listed] == ["Primers"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "magic", "title": "x"}, "kind"),
        ({"kind": "testing", "title": ""}, "title"),
        ({"kind": "testing", "title": "x", "visibility": "restricted"}, "parties"),
        (
            {"kind": "testing", "title": "x", "visibility": "restricted", "parties": ["XXX"]},
            "parties",
        ),
        ({"kind": "testing", "title": "x", "event_id": 99999}, "event_id"),
        ({"kind": "testing", "title": "x", "needed_by": "soon"}, "needed_by"),
    ],
)
def test_bad_support_requests_are_refused(client, db, people, body, field):
    r = client.post("/api/v1/support-requests", headers=people["idn"].headers, json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert count(db, SupportRequest) == 0


def test_read_tokens_and_partners_cannot_write(client, db, people):
    r = client.post("/api/v1/laboratories", headers=people["reader"].headers, json={"name": "x"})
    assert r.status_code == 403
    r = client.post(
        "/api/v1/support-requests",
        headers=people["partner"].headers,
        json={"kind": "testing", "title": "x"},
    )
    assert r.status_code == 403
    assert count(db, Laboratory) == 0


# ---------------------------------------------------------------- countermeasures


def test_stockpiles_history_near_expiry_and_who_sees_them(client, people):
    soon = TODAY + timedelta(days=30)
    r = client.post(
        "/api/v1/stockpiles",
        headers=people["idn"].headers,
        json={"item": "MR vaccine", "category": "vaccine", "quantity": 50_000, "unit": "doses",
              "lot": "L123", "expiry": str(soon), "location": "Jakarta central store"},
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["near_expiry"] is True
    line = r.json()["id"]
    r = client.put(
        f"/api/v1/stockpiles/{line}",
        headers=people["idn"].headers,
        json={"item": "MR vaccine", "category": "vaccine", "quantity": 42_000, "unit": "doses",
              "lot": "L123", "expiry": str(soon), "note": "outbreak response in Bekasi"},
    )  # fmt: skip
    assert r.json()["quantity"] == 42_000
    history = client.get(f"/api/v1/stockpiles/{line}/history", headers=people["idn"].headers)
    assert [h["quantity"] for h in history.json()] == [42_000, 50_000]
    # another party cannot change it; partners do not see stock levels
    r = client.put(
        f"/api/v1/stockpiles/{line}",
        headers=people["tha"].headers,
        json={"item": "x", "category": "vaccine", "quantity": 1, "unit": "doses"},
    )
    assert r.status_code == 403
    assert client.get("/api/v1/stockpiles", headers=people["partner"].headers).status_code == 403
    assert len(client.get("/api/v1/stockpiles", headers=people["tha"].headers).json()) == 1
    rows = _csv(client.get("/api/v1/stockpiles.csv", headers=people["coordinator"].headers))
    assert rows[0]["quantity"] == "42000" and rows[0]["near_expiry"] == "True"
    r = client.post(
        "/api/v1/stockpiles",
        headers=people["idn"].headers,
        json={"item": "x", "category": "vaccine", "quantity": -1, "unit": "doses"},
    )
    assert r.status_code == 422 and r.json()["field"] == "quantity"


def test_pledge_allocation_shipment_and_reconciliation(client, people):
    needs = {}
    for who, quantity in (("idn", 60_000), ("khm", 20_000), ("tha", 20_000)):
        r = client.post(
            "/api/v1/countermeasure-requests",
            headers=people[who].headers,
            json={"item": "Oral cholera vaccine", "category": "vaccine", "quantity": quantity,
                  "unit": "doses", "reason": "outbreak"},
        )  # fmt: skip
        assert r.status_code == 201
        needs[who] = r.json()["id"]
    pledge = client.post(
        "/api/v1/pledges",
        headers=people["partner"].headers,
        json={"item": "oral cholera vaccine", "category": "vaccine", "quantity": 50_000,
              "unit": "doses", "kind": "dose_sharing"},
    )  # fmt: skip
    assert pledge.status_code == 201, pledge.text
    pid = pledge.json()["id"]
    preview = client.post(
        f"/api/v1/pledges/{pid}/allocation-preview",
        headers=people["idn"].headers,
        json={"basis": "need", "minimum": 5_000},
    ).json()
    shares = {row["party"]: row["allocated"] for row in preview["rows"]}
    # 5,000 each first, then 35,000 in proportion to the requests 60,000/20,000/20,000
    assert shares == {"IDN": 26_000, "KHM": 12_000, "THA": 12_000}
    assert preview["minimum_applied"] and preview["unallocated"] == 0
    assert "largest-remainder" in preview["rule"]
    by_population = client.post(
        f"/api/v1/pledges/{pid}/allocation-preview",
        headers=people["idn"].headers,
        json={"basis": "population"},
    ).json()
    assert {r["party"]: r["allocated"] for r in by_population["rows"]}["IDN"] > shares["IDN"]
    # nothing was saved by the previews; only the pledging party or coordinator accepts
    r = client.post(f"/api/v1/pledges/{pid}/allocation", headers=people["idn"].headers, json={})
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/pledges/{pid}/allocation",
        headers=people["partner"].headers,
        json={"basis": "need", "minimum": 5_000},
    )
    assert r.status_code == 200, r.text
    allocations = {a["party_code"]: a for a in r.json()["allocations"]}
    assert {p: a["quantity"] for p, a in allocations.items()} == shares
    share = allocations["KHM"]
    r = client.post(
        f"/api/v1/allocations/{share['id']}/receipt",
        headers=people["khm"].headers,
        json={"quantity": 1, "on": str(TODAY)},
    )
    assert r.status_code == 422  # nothing shipped yet
    client.post(
        f"/api/v1/allocations/{share['id']}/shipment",
        headers=people["partner"].headers,
        json={"quantity": share["quantity"], "on": str(TODAY)},
    )
    r = client.post(
        f"/api/v1/allocations/{share['id']}/receipt",
        headers=people["tha"].headers,
        json={"quantity": 1, "on": str(TODAY)},
    )
    assert r.status_code == 403  # only the receiving party confirms
    client.post(
        f"/api/v1/allocations/{share['id']}/receipt",
        headers=people["khm"].headers,
        json={"quantity": share["quantity"] - 200, "on": str(TODAY)},
    )
    detail = client.get(f"/api/v1/pledges/{pid}", headers=people["coordinator"].headers).json()
    assert detail["reconciliation"] == {
        "pledged": 50_000,
        "allocated": 50_000,
        "shipped": share["quantity"],
        "received": share["quantity"] - 200,
    }
    rows = _csv(client.get("/api/v1/pledges.csv", headers=people["tha"].headers))
    assert len(rows) == 3 and {r["to_party"] for r in rows} == {"IDN", "KHM", "THA"}
    # an allocated pledge cannot be allocated again
    r = client.post(f"/api/v1/pledges/{pid}/allocation", headers=people["partner"].headers, json={})
    assert r.status_code == 422


# ---------------------------------------------------------------- meetings and actions


def test_meetings_actions_progress_and_follow_up(client, db, people):
    mech = client.post(
        "/api/v1/mechanisms",
        headers=people["coordinator"].headers,
        json={"name": "ASEAN EOC Network webinars", "lead_party": "MYS",
              "purpose": "Webinars with dialogue partners"},
    )  # fmt: skip
    assert mech.status_code == 201, mech.text
    r = client.post(
        "/api/v1/mechanisms", headers=people["idn"].headers, json={"name": "x", "lead_party": "IDN"}
    )
    assert r.status_code == 403
    meeting = client.post(
        "/api/v1/meetings",
        headers=people["coordinator"].headers,
        json={
            "title": "SOMHD video conference",
            "starts_at": "2026-12-08T09:00:00+07:00",
            "duration_minutes": 120,
            "mechanism_id": mech.json()["id"],
            "video_url": "https://meet.example.org/somhd",
            "parties": ["IDN", "KHM"],
            "decisions": ["Share genotype data within 7 days"],
        },
    )
    assert meeting.status_code == 201, meeting.text
    local = {t["party"]: t["local"] for t in meeting.json()["local_times"]}
    assert local["IDN"].startswith("2026-12-08T09:00:00+07:00")
    assert local["ASEC"].startswith("2026-12-08T09:00:00+07:00")  # Jakarta
    mid = meeting.json()["id"]
    # THA does not take part: it does not see the meeting or its actions
    assert client.get(f"/api/v1/meetings/{mid}", headers=people["tha"].headers).status_code == 404
    item = client.post(
        "/api/v1/action-items",
        headers=people["coordinator"].headers,
        json={"title": "Share measles genotype data", "owner_party": "IDN",
              "due_on": str(TODAY - timedelta(days=3)), "meeting_id": mid},
    )  # fmt: skip
    assert item.status_code == 201
    assert item.json()["overdue"] is True and item.json()["mechanism_id"] == mech.json()["id"]
    iid = item.json()["id"]
    assert (
        client.get(f"/api/v1/action-items/{iid}", headers=people["tha"].headers).status_code == 404
    )
    r = client.post(
        f"/api/v1/action-items/{iid}/notes", headers=people["khm"].headers, json={"note": "x"}
    )
    assert r.status_code == 403  # not the owner
    r = client.post(
        f"/api/v1/action-items/{iid}/notes",
        headers=people["idn"].headers,
        json={"note": "Sequences uploaded to GISAID", "progress": 60},
    )
    assert r.json()["status"] == "in_progress" and r.json()["progress"] == 60

    # overdue items are reminded once a week, by e-mail to the owner's focal points
    from eocnet.jobs import coordination

    with db.read() as session:
        settings = client.app.state.settings
    assert coordination.remind_overdue_actions(db, settings, utcnow()) == 1
    assert coordination.remind_overdue_actions(db, settings, utcnow()) == 0
    with db.read() as session:
        mails = session.scalars(select(OutboxEmail.to_address)).all()
        assert mails == [people["idn_fp"].email]
        assert "action_item.overdue" in session.scalars(select(StreamEntry.kind)).all()

    report = client.get(
        f"/api/v1/mechanisms/{mech.json()['id']}/follow-up.html",
        headers=people["coordinator"].headers,
    )
    assert "Share measles genotype data" in report.text and "SOMHD video conference" in report.text
    pdf = client.get(
        f"/api/v1/mechanisms/{mech.json()['id']}/follow-up.pdf?lang=id",
        headers=people["coordinator"].headers,
    )
    assert pdf.content.startswith(b"%PDF")
    rows = _csv(client.get("/api/v1/action-items.csv", headers=people["idn"].headers))
    assert rows[0]["overdue"] == "True"
    assert _csv(client.get("/api/v1/action-items.csv", headers=people["tha"].headers)) == []
    r = client.post(
        "/api/v1/action-items",
        headers=people["idn"].headers,
        json={"title": "x", "owner_party": "XXX", "due_on": str(TODAY)},
    )
    assert r.status_code == 422 and r.json()["field"] == "owner_party"
    r = client.post(
        "/api/v1/meetings",
        headers=people["idn"].headers,
        json={"title": "x", "starts_at": "2026-12-08T09:00:00"},
    )
    assert r.status_code == 422 and r.json()["field"] == "starts_at"
    with db.read() as session:
        assert (
            session.scalar(select(ActionItem.status).where(ActionItem.id == iid)) == "in_progress"
        )


# ---------------------------------------------------------------- agreements


def test_agreement_plan_indicators_and_who_sees_it(client, db, people):
    r = client.post(
        "/api/v1/agreements",
        headers=people["idn"].headers,
        json={
            "title": "Indonesia–Cambodia health security cooperation",
            "parties": ["IDN", "KHM"],
            "signed_on": "2026-03-01",
            "expires_on": "2031-03-01",
            "areas": ["training", "disease_reporting_system", "emergency_coordination"],
        },
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    url = f"/api/v1/agreements/{aid}"
    for who in ("tha", "partner"):
        assert client.get(url, headers=people[who].headers).status_code == 404
    assert client.get(url, headers=people["coordinator"].headers).status_code == 200
    r = client.post(
        f"{url}/activities",
        headers=people["khm"].headers,
        json={"term": "short", "title": "Joint training on event-based surveillance",
              "lead_party": "KHM", "starts_on": "2026-04-01", "ends_on": "2026-06-30",
              "budget": 25000, "currency": "usd"},
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["activities"][0]["currency"] == "USD"
    r = client.post(
        f"{url}/activities",
        headers=people["khm"].headers,
        json={"term": "long", "title": "x", "lead_party": "THA",
              "starts_on": "2026-04-01", "ends_on": "2026-06-30"},
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "lead_party"
    r = client.post(
        f"{url}/indicators",
        headers=people["idn"].headers,
        json={"name": "Officers trained", "baseline": 0, "target": 40, "unit": "people"},
    )
    indicator = r.json()["indicators"][0]["id"]
    for who, value in (("idn", 10), ("khm", 6)):
        r = client.post(
            f"{url}/indicators/{indicator}/reports",
            headers=people[who].headers,
            json={"period": "2026-Q2", "value": value},
        )
        assert r.status_code == 201, r.text
    assert r.json()["indicators"][0]["progress"] == 40.0
    again = client.post(
        f"{url}/indicators/{indicator}/reports",
        headers=people["idn"].headers,
        json={"period": "2026-Q2", "value": 12},
    )
    assert again.status_code == 409
    bad = client.post(
        f"{url}/indicators/{indicator}/reports",
        headers=people["idn"].headers,
        json={"period": "2026-11", "value": 1},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "period"
    r = client.post(
        f"{url}/indicators/{indicator}/reports",
        headers=people["coordinator"].headers,
        json={"period": "2026-Q3", "value": 1},
    )
    assert r.status_code == 403  # parties report their own progress
    rows = _csv(client.get("/api/v1/agreements.csv", headers=people["khm"].headers))
    assert rows[0]["activity"] == "Joint training on event-based surveillance"
    assert _csv(client.get("/api/v1/agreements.csv", headers=people["tha"].headers)) == []
    r = client.post(
        "/api/v1/agreements",
        headers=people["tha"].headers,
        json={"title": "x", "parties": ["IDN", "KHM"]},
    )
    assert r.status_code == 403  # not a signatory
    assert count(db, Agreement) == 1


@pytest.mark.parametrize(
    "bad", ["https://example.org/a b", 'https://example.org/"x"', "https://example.org/\x07"]
)
def test_meeting_and_agreement_addresses_without_spaces_or_quotes(client, db, people, bad):
    meeting = {
        "title": "SOMHD video conference",
        "starts_at": "2026-12-08T09:00:00+07:00",
        "parties": ["IDN", "KHM"],
    }
    for change, field in (
        ({"video_url": bad}, "video_url"),
        ({"attachments": [{"title": "minutes", "url": bad}]}, "attachments[0].url"),
    ):
        r = client.post(
            "/api/v1/meetings", headers=people["coordinator"].headers, json={**meeting, **change}
        )
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field
    r = client.post(
        "/api/v1/agreements",
        headers=people["idn"].headers,
        json={"title": "x", "parties": ["IDN", "KHM"], "documents": [{"url": bad}]},
    )
    assert r.status_code == 422 and r.json()["field"] == "documents[0].url", r.text
    assert count(db, Agreement) == 0
    assert client.get("/api/v1/meetings", headers=people["coordinator"].headers).json() == []


# ---------------------------------------------------------------- connectivity


def test_connectivity_check_round(client, db, people):
    assert (
        client.post("/api/v1/connectivity-checks", headers=people["idn"].headers).status_code == 403
    )
    r = client.post("/api/v1/connectivity-checks", headers=people["coordinator"].headers)
    assert r.status_code == 201
    assert len(r.json()) == 11  # every member state
    with db.read() as session:
        mails = session.scalars(select(OutboxEmail.to_address)).all()
    assert "eoc@idn.eocnet.example" in mails
    [probe] = client.get(
        "/api/v1/connectivity-checks/pending", headers=people["idn"].headers
    ).json()
    # another party cannot answer for Indonesia
    r = client.post(
        f"/api/v1/connectivity-checks/probes/{probe['id']}/acknowledgement",
        headers=people["tha"].headers,
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/connectivity-checks/probes/{probe['id']}/acknowledgement",
        headers=people["idn"].headers,
    )
    assert r.status_code == 200 and r.json()["acknowledged_at"]
    results = client.get("/api/v1/connectivity-checks/results", headers=people["tha"].headers)
    by_party = {x["party"]: x["minutes"] for x in results.json()}
    assert by_party["IDN"] is not None and by_party["THA"] is None
    rows = _csv(
        client.get("/api/v1/connectivity-checks/results.csv", headers=people["tha"].headers)
    )
    assert len(rows) == 11

    from eocnet.jobs import coordination

    settings = client.app.state.settings
    assert coordination.connectivity_check(db, settings, utcnow()) == 0  # one ran just now
    assert coordination.connectivity_check(db, settings, utcnow() + timedelta(days=31)) == 1


def test_the_connectivity_chart_before_any_round(client, people):
    """Found by the access matrix (issue 24): with no round yet the chart asked for a
    legend of nothing (a matplotlib warning, an error under the test suite's rules)."""
    from tests.conftest import PASSWORD
    from tests.web_helpers import login

    login(client, people["idn"].email, PASSWORD)
    r = client.get("/connectivity/chart.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")


def test_csv_exports_do_not_carry_spreadsheet_formulas(client, people):
    client.post(
        "/api/v1/laboratories",
        headers=people["idn"].headers,
        json={"name": '=HYPERLINK("http://evil.example","click")', "city": "-2+3"},
    )
    text = client.get("/api/v1/laboratories.csv", headers=people["idn"].headers).text
    assert "'=HYPERLINK" in text and ",'-2+3," in text


def test_pages_hide_what_the_api_hides(client, people):
    from tests.conftest import PASSWORD
    from tests.web_helpers import login

    r = client.post(
        "/api/v1/support-requests",
        headers=people["khm"].headers,
        json={"kind": "confirmation", "title": "SECRET isolates", "visibility": "restricted",
              "parties": ["THA"]},
    )  # fmt: skip
    meeting = client.post(
        "/api/v1/meetings",
        headers=people["khm"].headers,
        json={"title": "SECRET bilateral call", "starts_at": "2026-12-08T09:00:00+07:00",
              "parties": ["KHM", "THA"]},
    ).json()  # fmt: skip
    login(client, people["idn"].email, PASSWORD)
    assert client.get(f"/support-requests/{r.json()['id']}").status_code == 404
    assert client.get(f"/meetings/{meeting['id']}").status_code == 404
    for page in ("/laboratories", "/meetings", "/coordination"):
        text = client.get(page).text
        assert "SECRET" not in text, page
    # partners see no stock levels on the page either
    client.post("/logout", data={"csrf_token": ""})
    client.cookies.clear()
    login(client, people["partner"].email, PASSWORD)
    client.post(
        "/api/v1/stockpiles",
        headers=people["idn"].headers,
        json={"item": "SECRET stock", "category": "vaccine", "quantity": 5, "unit": "doses"},
    )
    assert "SECRET stock" not in client.get("/countermeasures").text


# ---------------------------------------------------------------- meetings fail closed


def test_a_meeting_is_restricted_unless_opened_to_all(client, db, people):
    """Editing (or scheduling) a meeting without parties never opens it to every
    member and partner: that is only the explicit open_to_all, by API and page."""
    import json

    from eocnet.realtime.log import audience_of_row
    from tests.conftest import PASSWORD
    from tests.web_helpers import csrf_of, login

    khm, tha, sgp, partner, coordinator = (
        people[k] for k in ("khm", "tha", "sgp", "partner", "coordinator")
    )
    base = {"title": "ZQXmeeting border call", "starts_at": "2026-12-08T09:00:00+07:00"}
    r = client.post("/api/v1/meetings", headers=khm.headers, json={**base, "parties": ["THA"]})
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    item = client.post(
        "/api/v1/action-items",
        headers=coordinator.headers,
        json={"title": "ZQXaction", "owner_party": "KHM", "due_on": str(TODAY), "meeting_id": mid},
    )
    assert item.status_code == 201, item.text
    iid = item.json()["id"]

    def outsiders_see_nothing(*outsiders):
        for person in outsiders:
            assert client.get(f"/api/v1/meetings/{mid}", headers=person.headers).status_code == 404
            assert "ZQX" not in client.get("/api/v1/meetings", headers=person.headers).text
            answer = client.get(f"/api/v1/action-items/{iid}", headers=person.headers)
            assert answer.status_code == 404
            assert "ZQX" not in client.get("/api/v1/action-items", headers=person.headers).text

    # the coordinator edits it without `parties`: restricted to the organiser, not opened
    edited = client.put(f"/api/v1/meetings/{mid}", headers=coordinator.headers, json=base)
    assert edited.status_code == 200, edited.text
    assert edited.json()["open_to_all"] is False and edited.json()["parties"] == ["KHM"]
    outsiders_see_nothing(tha, sgp, partner)
    for person in (khm, coordinator):
        assert client.get(f"/api/v1/meetings/{mid}", headers=person.headers).status_code == 200
    note = client.post(
        f"/api/v1/action-items/{iid}/notes", headers=khm.headers, json={"note": "ZQXnote"}
    )
    assert note.status_code == 201, note.text
    with db.read() as session:
        later = session.scalars(
            select(StreamEntry).where(
                StreamEntry.kind.in_(("meeting.updated", "action_item.progressed"))
            )
        ).all()
        assert {e.kind for e in later} == {"meeting.updated", "action_item.progressed"}
        for entry in later:
            assert json.loads(entry.data)["id"] in (mid, iid)
            for code, kind in (("THA", "member"), ("SGP", "member"), ("JPN", "partner")):
                assert not audience_of_row(entry).allows(code, kind, 0), (entry.kind, code)
    # scheduling without parties: the organiser and the coordinator only
    own = client.post("/api/v1/meetings", headers=people["idn"].headers, json=base).json()
    assert own["parties"] == ["IDN"] and own["open_to_all"] is False
    for person in (sgp, partner):
        assert (
            client.get(f"/api/v1/meetings/{own['id']}", headers=person.headers).status_code == 404
        )
    # sharing with everyone is explicit, and names no parties
    both = client.put(
        f"/api/v1/meetings/{mid}",
        headers=khm.headers,
        json={**base, "open_to_all": True, "parties": ["THA"]},
    )
    assert both.status_code == 422 and both.json()["field"] == "parties"
    opened = client.put(
        f"/api/v1/meetings/{mid}", headers=khm.headers, json={**base, "open_to_all": True}
    )
    assert opened.json()["open_to_all"] is True
    assert client.get(f"/api/v1/meetings/{mid}", headers=partner.headers).status_code == 200
    # an edit that leaves it out closes it again
    client.put(f"/api/v1/meetings/{mid}", headers=khm.headers, json=base)
    outsiders_see_nothing(tha, sgp, partner)

    # the page: the checkbox opens it; a form without it keeps it restricted
    login(client, khm.email, PASSWORD)
    page = client.get(f"/meetings/{mid}")
    assert 'id="open-to-all"' in page.text and 'id="open-to-all" checked' not in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "title": base["title"],
        "starts_at": "2026-12-08T09:00",
        "duration_minutes": "60",
        "parties": "",
    }
    assert client.post(f"/meetings/{mid}", data={**form, "open_to_all": "on"}).status_code < 400
    assert client.get(f"/api/v1/meetings/{mid}", headers=partner.headers).status_code == 200
    page = client.get(f"/meetings/{mid}")
    assert 'id="open-to-all" checked' in page.text
    assert client.post(f"/meetings/{mid}", data=form).status_code < 400
    outsiders_see_nothing(tha, sgp, partner)
