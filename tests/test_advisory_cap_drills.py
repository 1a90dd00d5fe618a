"""CAP messages of advisories: description and instruction as plain text made from the
Markdown; audience and area descriptions per language; status Exercise / Test and scope
Restricted for regional drills, never on the public site or in the public feeds."""

from __future__ import annotations

import copy

import pytest

from eocnet.interop import cap
from eocnet.render.markdown import to_plain_text
from tests.test_advisories import BODY, _draft, _publish, people  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Cases have **doubled** in *three* weeks.", "Cases have doubled in three weeks."),
        ("Line one\r\nline two\r\n\r\nNext", "Line one\nline two\n\nNext"),
        ("- Remove standing water\n- See a doctor", "- Remove standing water\n- See a doctor"),
        ("1. Boil\n2. Drink", "1. Boil\n2. Drink"),
        ("See [the ministry](https://kemkes.go.id).", "See the ministry (https://kemkes.go.id)."),
        ("## Where\n\n`ID-JK` __only__", "Where\n\nID-JK only"),
        ("<b>bold</b> & more", "<b>bold</b> & more"),
    ],
)
def test_markdown_to_plain_text(markdown, plain):
    assert to_plain_text(markdown) == plain


def _body(**extra):
    body = copy.deepcopy(BODY)
    body["translations"][0]["body"] = "Cases have **doubled** in three weeks.\r\n\r\n- *Rising*"
    body["translations"][0]["instruction"] = "Remove **standing** water;\r\nsee a doctor."
    body["translations"][1]["audience"] = "Warga dan pelancong"
    body["translations"][1]["area_descriptions"] = ["Daerah Khusus Ibukota Jakarta"]
    body["areas"][0]["description"] = "Jakarta Special Capital Region"
    body.update(extra)
    return body


def test_cap_text_is_plain_and_audience_and_areas_are_translated(client, people):  # noqa: F811
    draft = _draft(client, people["idn"], _body())
    assert draft["translations"][1]["audience"] == "Warga dan pelancong"
    published = _publish(client, people, draft["id"])
    [message] = published["messages"]
    assert message["public"] is True
    xml = client.get(message["url"]).content
    assert cap.validate(xml) == []
    assert b"&#13;" not in xml and b"**" not in xml and b"*Rising" not in xml
    en, id_ = cap.read(xml).infos
    assert en.description == "Cases have doubled in three weeks.\n\n- Rising"
    assert en.instruction == "Remove standing water;\nsee a doctor."
    assert en.audience == "Residents and travellers"
    assert id_.audience == "Warga dan pelancong"
    assert en.areas[0].description == "Jakarta Special Capital Region"
    assert id_.areas[0].description == "Daerah Khusus Ibukota Jakarta"
    # the public page in Indonesian names the area and the audience in Indonesian
    page = client.get(f"/public/advisories/{draft['id']}?lang=id").text
    assert "Daerah Khusus Ibukota Jakarta" in page and "Warga dan pelancong" in page


def test_more_area_names_than_areas_names_the_field(client, people):  # noqa: F811
    body = _body()
    body["translations"][1]["area_descriptions"] = ["A", "B"]
    r = client.post("/api/v1/advisories", headers=people["idn"].headers, json=body)
    assert r.status_code == 422 and r.json()["field"] == "translations[1].area_descriptions"


@pytest.mark.parametrize(
    ("extra", "status", "scope"),
    [
        ({"cap_status": "Exercise"}, "Exercise", "Public"),
        ({"cap_status": "Test"}, "Test", "Public"),
        (
            {"scope": "Restricted", "restriction": "EOC network duty officers only"},
            "Actual",
            "Restricted",
        ),
    ],
)
def test_drills_are_issued_but_never_public(client, people, extra, status, scope):  # noqa: F811
    real = _draft(client, people["idn"])
    _publish(client, people, real["id"])
    drill = _draft(client, people["idn"], _body(event_type="Regional drill: dengue", **extra))
    assert drill["cap_status"] == status and drill["scope"] == scope
    published = _publish(client, people, drill["id"])
    [message] = published["messages"]
    assert message["public"] is False and message["url"] is None
    # the message is a valid CAP message with its status and scope (the API preview)
    preview = client.get(
        f"/api/v1/advisories/{drill['id']}/cap-preview", headers=people["idn"].headers
    )
    if preview.status_code == 200:
        alert = cap.read(preview.content)
        assert alert.status == status and alert.scope == scope
    # nowhere on the public site or in its feeds
    assert client.get(f"/public/cap/{message['identifier']}.xml").status_code == 404
    assert client.get(f"/public/advisories/{drill['id']}").status_code == 404
    for path in ("/public/", "/public/feeds/cap.atom", "/public/feeds/advisories.en.atom"):
        r = client.get(path)
        if r.status_code == 404:
            continue
        assert "Regional drill" not in r.text and message["identifier"] not in r.text, path
        assert "Dengue cases are rising" in r.text or path.endswith("cap.atom"), path
    # a cancelled drill stays off the public site too
    r = client.post(
        f"/api/v1/advisories/{drill['id']}/cancel",
        headers=people["idn_fp"].headers,
        json={"reason": "Drill over"},
    )
    assert r.status_code == 200, r.text
    assert client.get(f"/public/advisories/{drill['id']}").status_code == 404
    assert "Drill over" not in client.get("/public/").text


def test_restricted_needs_a_restriction_and_bad_values_name_the_field(client, people):  # noqa: F811
    for extra, field in (
        ({"scope": "Restricted"}, "restriction"),
        ({"restriction": "duty officers"}, "restriction"),
        ({"cap_status": "System"}, "cap_status"),
        ({"scope": "Private"}, "scope"),
    ):
        r = client.post("/api/v1/advisories", headers=people["idn"].headers, json=_body(**extra))
        assert r.status_code == 422, (extra, r.text)
        assert r.json()["field"] == field or r.json()["errors"][0]["field"].endswith(field)


def test_public_pages_name_the_zone_of_their_times(client, people):  # noqa: F811
    draft = _draft(client, people["idn"], _body(expires_at="2030-01-01T05:00:00+00:00"))
    _publish(client, people, draft["id"])
    page = client.get(f"/public/advisories/{draft['id']}").text
    # the areas are in Indonesia: Jakarta's zone, named, and the UTC instant for the script
    assert "2030-01-01 12:00 WIB, Asia/Jakarta" in page
    assert '<time datetime="2030-01-01T05:00:00+00:00" data-local>' in page
    assert '<script src="/static/public-time.js" defer></script>' in page
    assert client.get("/static/public-time.js").status_code == 200
    # areas in countries of different zones: UTC, named
    body = _body()
    body["areas"] = [{"countries": ["IDN", "MMR"]}]
    body["translations"][1]["area_descriptions"] = []
    other = _draft(client, people["idn"], body)
    _publish(client, people, other["id"])
    listing = client.get("/public/").text
    item = listing.split(f"/public/advisories/{other['id']}?")[0].rsplit("<article", 1)[1]
    assert " UTC</time>" in item
