"""Files kept with meetings (minutes, slides) and agreements (the signed text): upload
through the API and the pages, download by those who see the meeting or agreement,
and nobody else; bad files refused with the field and nothing stored."""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from eocnet.config import Settings
from eocnet.db.models import AuditEntry, StoredFile, StreamEntry
from tests.conftest import PASSWORD
from tests.helpers import count
from tests.web_helpers import csrf_of, login

LIMIT = 50_000
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with a small attachment limit, so that 'too large' is cheap
    to send."""
    return settings.model_copy(update={"attachment_max_bytes": LIMIT})


@pytest.fixture
def people(make_person):
    return {
        "khm": make_person("KHM", "officer"),
        "tha": make_person("THA", "officer"),
        "idn": make_person("IDN", "officer"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
    }


def _file(data: bytes, name: str = "minutes.pdf", kind: str = "application/pdf") -> dict:
    return {"filename": name, "content_type": kind, "data_base64": base64.b64encode(data).decode()}


def _meeting(client, people) -> int:
    r = client.post(
        "/api/v1/meetings",
        headers=people["khm"].headers,
        json={"title": "KHM–THA border call", "starts_at": "2026-12-08T09:00:00+07:00",
              "parties": ["KHM", "THA"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_meeting_files_are_seen_by_the_participants_only(client, db, people):
    mid = _meeting(client, people)
    url = f"/api/v1/meetings/{mid}/files"
    r = client.post(url, headers=people["khm"].headers, json=_file(PDF, "../../Minutes 8 Dec.pdf"))
    assert r.status_code == 201, r.text
    stored = r.json()
    assert stored["filename"] == "Minutes 8 Dec.pdf"  # no folders from the sender
    assert stored["content_type"] == "application/pdf" and stored["size"] == len(PDF)
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()

    listed = client.get(url, headers=people["tha"].headers)
    assert [f["id"] for f in listed.json()] == [stored["id"]]
    got = client.get(f"{url}/{stored['id']}", headers=people["tha"].headers)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"

    # not a participant: as if there were no such meeting
    for who in ("idn", "partner"):
        headers = people[who].headers
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(f"{url}/{stored['id']}", headers=headers).status_code == 404
        assert client.post(url, headers=headers, json=_file(PDF)).status_code == 404
    # a participant who did not organise it reads but does not add
    assert client.post(url, headers=people["tha"].headers, json=_file(PDF)).status_code == 403
    # a file of another meeting is not found through this one
    other = _meeting(client, people)
    assert (
        client.get(
            f"/api/v1/meetings/{other}/files/{stored['id']}", headers=people["khm"].headers
        ).status_code
        == 404
    )

    with db.read() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.file_added"))
        assert [a.object_id for a in audit] == [str(mid)]
        kinds = s.scalars(select(StreamEntry.kind)).all()
        assert "meeting.file_added" in kinds


NAMES = [
    "รายงานสถานการณ์.pdf",  # Thai, with vowel and tone marks
    "របាយការណ៍.pdf",  # Khmer: the combining signs stay as written
    "疫情报告 2026.pdf",
    "Báo cáo tình hình.pdf",  # Vietnamese, decomposed below
    "résumé.pdf",
]


def _name_of(header: str) -> tuple[str, str]:
    """(filename*, filename) of a Content-Disposition header, decoded."""
    assert header.startswith("attachment;")
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    plain = re.search(r'filename="([^"]*)"', header)
    assert plain is not None, header
    plain.group(1).encode("ascii")
    return (unquote(extended.group(1)) if extended else plain.group(1)), plain.group(1)


@pytest.mark.parametrize("name", NAMES)
def test_files_keep_and_download_their_names_in_any_script(client, db, people, name):
    """Uploaded and downloaded under the name as written (RFC 6266 filename* with an
    ASCII fallback), through the API and the page; others still get nothing."""
    sent = unicodedata.normalize("NFD", name) if name.startswith("Báo") else name
    mid = _meeting(client, people)
    url = f"/api/v1/meetings/{mid}/files"
    r = client.post(url, headers=people["khm"].headers, json=_file(PDF, sent))
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == name
    fid = r.json()["id"]
    got = client.get(f"{url}/{fid}", headers=people["tha"].headers)
    assert got.status_code == 200 and got.content == PDF
    extended, fallback = _name_of(got.headers["content-disposition"])
    assert extended == name and fallback.endswith(".pdf")
    for who in ("idn", "partner"):
        assert client.get(f"{url}/{fid}", headers=people[who].headers).status_code == 404

    agreement = client.post(
        "/api/v1/agreements",
        headers=people["idn"].headers,
        json={"title": "IDN–KHM cooperation", "parties": ["IDN", "KHM"]},
    ).json()
    docs = f"/api/v1/agreements/{agreement['id']}/documents"
    r = client.post(docs, headers=people["idn"].headers, json=_file(PDF, sent))
    assert r.status_code == 201, r.text
    got = client.get(f"{docs}/{r.json()['id']}", headers=people["khm"].headers)
    assert got.status_code == 200 and _name_of(got.headers["content-disposition"])[0] == name
    assert client.get(f"{docs}/{r.json()['id']}", headers=people["tha"].headers).status_code == 404

    event = client.post(
        "/api/v1/events",
        headers=people["khm"].headers,
        json={"title": "t", "hazard": "x", "country": "KHM"},
    ).json()
    r = client.post(
        f"/api/v1/events/{event['id']}/updates",
        headers=people["khm"].headers,
        json={"body": "b", "attachments": [_file(PDF, sent)]},
    )
    assert r.status_code == 201, r.text
    update = r.json()
    [attachment] = update["attachments"]
    assert attachment["filename"] == name
    got = client.get(
        f"/api/v1/events/{event['id']}/updates/{update['id']}/attachments/{attachment['id']}",
        headers=people["tha"].headers,
    )
    assert got.status_code == 200 and _name_of(got.headers["content-disposition"])[0] == name

    login(client, people["khm"].email, PASSWORD)
    got = client.get(f"/meetings/{mid}/files/{fid}")
    assert got.status_code == 200 and _name_of(got.headers["content-disposition"])[0] == name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ('a"b\r\nSet-Cookie: x=1.pdf', "a_b_Set-Cookie_ x_1.pdf"),
        ("..\\..\\boot.ini.txt", "boot.ini.txt"),
        ("report\u202etxt.pdf", "report_txt.pdf"),  # no right-to-left override
        ("...", "attachment"),
    ],
)
def test_names_lose_folders_quotes_and_controls(client, people, sent, kept):
    mid = _meeting(client, people)
    url = f"/api/v1/meetings/{mid}/files"
    r = client.post(url, headers=people["khm"].headers, json=_file(PDF, sent))
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == kept
    got = client.get(f"{url}/{r.json()['id']}", headers=people["khm"].headers)
    assert got.status_code == 200 and _name_of(got.headers["content-disposition"])[0] == kept


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_file(b"MZ\x90\x00 a Windows program"), "file"),  # claimed PDF, is not
        (_file(b"\xff\xfe not UTF-8 \x00", "notes.txt", "text/plain"), "file"),
        (_file(PDF + b"0" * LIMIT), "file"),  # over the limit
        (_file(b""), "file"),
        ({**_file(PDF), "data_base64": "not base64!"}, "data_base64"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(client, db, people, body, field):
    mid = _meeting(client, people)
    r = client.post(f"/api/v1/meetings/{mid}/files", headers=people["khm"].headers, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert count(db, StoredFile) == 0


def test_agreement_documents_follow_the_agreement(client, people):
    r = client.post(
        "/api/v1/agreements",
        headers=people["idn"].headers,
        json={"title": "IDN–KHM cooperation", "parties": ["IDN", "KHM"],
              "signed_on": "2026-03-01"},
    )  # fmt: skip
    url = f"/api/v1/agreements/{r.json()['id']}/documents"
    r = client.post(url, headers=people["khm"].headers, json=_file(PDF, "signed.pdf"))
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    for who in ("idn", "khm", "coordinator"):
        got = client.get(f"{url}/{fid}", headers=people[who].headers)
        assert got.status_code == 200 and got.content == PDF, who
    for who in ("tha", "partner"):
        assert client.get(url, headers=people[who].headers).status_code == 404
        assert client.get(f"{url}/{fid}", headers=people[who].headers).status_code == 404
    # the coordinator may add (the network's secretariat keeps the record)
    r = client.post(url, headers=people["coordinator"].headers, json=_file(PDF, "annex.pdf"))
    assert r.status_code == 201
    names = [f["filename"] for f in client.get(url, headers=people["idn"].headers).json()]
    assert names == ["signed.pdf", "annex.pdf"]


def test_the_meeting_page_uploads_lists_and_downloads(client, db, people):
    mid = _meeting(client, people)
    login(client, people["khm"].email, PASSWORD)
    page = client.get(f"/meetings/{mid}")
    assert page.status_code == 200 and 'id="file-form"' in page.text
    token = csrf_of(page.text)
    r = client.post(
        f"/meetings/{mid}/files",
        data={"csrf_token": token},
        files={"file": ("slides.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/meetings/{mid}")
    assert "slides.png" in page.text
    with db.read() as session:
        row = session.scalars(select(StoredFile)).one()
    got = client.get(f"/meetings/{mid}/files/{row.id}")
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")

    # a refused file: the page again, with the reason, and nothing stored
    r = client.post(
        f"/meetings/{mid}/files",
        data={"csrf_token": token},
        files={"file": ("tool.exe", b"MZ\x90\x00", "application/pdf")},
    )
    assert r.status_code == 422 and "PDF, PNG" in r.text
    assert count(db, StoredFile) == 1

    # another party's officer: no page, no file
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    login(client, people["idn"].email, PASSWORD)
    assert client.get(f"/meetings/{mid}/files/{row.id}").status_code == 404


def test_the_agreement_page_lists_and_takes_documents(client, db, people):
    r = client.post(
        "/api/v1/agreements",
        headers=people["khm"].headers,
        json={"title": "KHM–THA cooperation", "parties": ["KHM", "THA"]},
    )
    aid = r.json()["id"]
    login(client, people["tha"].email, PASSWORD)
    page = client.get(f"/agreements/{aid}")
    assert page.status_code == 200 and 'id="file-form"' in page.text
    r = client.post(
        f"/agreements/{aid}/documents",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("signed text.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/agreements/{aid}")
    assert "signed text.pdf" in page.text
    with db.read() as session:
        row = session.scalars(select(StoredFile)).one()
    assert client.get(f"/agreements/{aid}/documents/{row.id}").content == PDF
