"""Search and rumour grouping in every script of the region.

Thai, Lao, Khmer and Burmese are written without spaces between words: a word is
found inside a sentence only because the words are segmented (ICU's word break
iterator, ``domain/search_text``) when the document is indexed and when the query
is read, on SQLite and PostgreSQL alike. Vietnamese, Malay and Bahasa Indonesia
are written with spaces; Vietnamese is also found without its accents.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from eocnet.db import migrate
from eocnet.domain import fact_checks, search_text
from tests.conftest import BACKEND, PASSWORD, create_pg_database, drop_pg_database, pg_url_for
from tests.helpers import run_cli
from tests.web_helpers import login

# (language, sentence as reported, words of it to find, word that is not in it)
SENTENCES = [
    (
        "th",
        "พบผู้ป่วยไข้เลือดออกเพิ่มขึ้นในจังหวัดเชียงใหม่หลังฝนตกหนัก",
        ["ไข้เลือดออก", "เชียงใหม่", "ผู้ป่วย"],
        "อหิวาตกโรค",
    ),
    (
        "lo",
        "ພົບຜູ້ປ່ວຍໄຂ້ເລືອດອອກເພີ່ມຂຶ້ນຢູ່ແຂວງຫຼວງພະບາງ",
        ["ໄຂ້ເລືອດອອກ", "ຫຼວງພະບາງ", "ຜູ້ປ່ວຍ"],
        "ອະຫິວາ",
    ),
    (
        "km",
        "ក្រសួងសុខាភិបាលរកឃើញករណីផ្តាសាយបក្សីថ្មីនៅខេត្តតាកែវ",
        ["ផ្តាសាយបក្សី", "ក្រសួងសុខាភិបាល", "ករណី"],
        "គ្រុនឈាម",
    ),
    (
        "my",
        "ရန်ကုန်မြို့တွင်ကာလဝမ်းရောဂါဖြစ်ပွားမှုများတိုးလာသည်",
        ["ကာလဝမ်းရောဂါ", "ရန်ကုန်", "ဖြစ်ပွား"],
        "သွေးလွန်တုပ်ကွေး",
    ),
    (
        "vi",
        "Bộ Y tế ghi nhận ca bệnh sốt xuất huyết tăng mạnh tại Hà Nội",
        ["sốt xuất huyết", "Hà Nội", "sot xuat huyet"],
        "bạch hầu",
    ),
    (
        "ms",
        "Kementerian Kesihatan melaporkan peningkatan kes denggi di Selangor",
        ["denggi", "Kesihatan", "peningkatan"],
        "kolera",
    ),
    (
        "id",
        "Dinas Kesehatan mencatat lonjakan kasus demam berdarah di Jawa Barat",
        ["demam berdarah", "lonjakan", "Jawa"],
        "kolera",
    ),
]


def test_unspaced_scripts_are_segmented_into_words():
    # the word alone and the word inside a sentence are the same words
    for _, sentence, found, _ in SENTENCES:
        terms = search_text.index_terms(sentence).split()
        for q in found:
            assert set(search_text.words(q)) <= set(terms), (q, terms)
    assert search_text.words("ไข้เลือดออก") == ["ไข้", "เลือด", "ออก"]
    assert len(search_text.words("ພົບຜູ້ປ່ວຍໄຂ້ເລືອດອອກ")) == 3
    # an emoji (outside the 16-bit range ICU counts in) does not shift the words after it
    assert search_text.words("😷 ไข้เลือดออก") == ["ไข้", "เลือด", "ออก"]


@pytest.fixture
def posted(client, make_person):
    officer = make_person("THA", "officer")
    ids = {}
    for language, sentence, _, _ in SENTENCES:
        r = client.post(
            "/api/v1/events",
            headers=officer.headers,
            json={
                "title": f"Report ({language})",
                "hazard": "outbreak",
                "country": "THA",
                "summary": sentence,
                "visibility": "restricted",
                "parties": ["LAO"],
            },
        )
        assert r.status_code == 201, r.text
        ids[language] = r.json()["id"]
    return officer, ids


def test_api_finds_a_word_inside_a_sentence_of_each_script(client, posted, make_person):
    officer, ids = posted
    for language, _, found, absent in SENTENCES:
        for q in found:
            r = client.get("/api/v1/search", params={"q": q}, headers=officer.headers)
            assert r.status_code == 200, r.text
            assert [h["event_id"] for h in r.json()["items"]] == [ids[language]], (language, q)
        r = client.get("/api/v1/search", params={"q": absent}, headers=officer.headers)
        assert r.json()["items"] == [], (language, absent)
    # a restricted event stays out of sight of the parties it is not shared with
    outsider = make_person("MYS", "officer")
    for _, _, found, _ in SENTENCES:
        r = client.get("/api/v1/search", params={"q": found[0]}, headers=outsider.headers)
        assert r.json()["items"] == []


def test_page_finds_a_word_inside_a_sentence_of_each_script(client, posted):
    officer, ids = posted
    login(client, officer.email, PASSWORD)
    for language, _, found, absent in SENTENCES:
        page = client.get("/search", params={"q": found[0]})
        assert page.status_code == 200
        assert f"/events/{ids[language]}" in page.text, (language, found[0])
        assert f"Report ({language})" in page.text
        page = client.get("/search", params={"q": absent})
        assert f"/events/{ids[language]}" not in page.text


# One hoax told twice in Thai (hot lemon water kills the COVID-19 virus), and
# another one (the vaccine makes you sterile).
LEMON_1 = "ดื่มน้ำมะนาวผสมน้ำอุ่นทุกเช้าช่วยฆ่าเชื้อไวรัสโควิด-19 ในลำคอได้"
LEMON_2 = "น้ำอุ่นผสมมะนาว ดื่มตอนเช้าทุกวัน ฆ่าเชื้อไวรัสโควิด-19 ได้"
STERILE = "ฉีดวัคซีนโควิด-19 แล้วทำให้เป็นหมัน มีลูกไม่ได้"


def test_two_thai_paraphrases_of_one_hoax_are_grouped():
    assert (
        fact_checks.similarity(fact_checks.words(LEMON_1), fact_checks.words(LEMON_2))
        >= fact_checks.SIMILAR
    )
    assert fact_checks.group([LEMON_1, STERILE, LEMON_2]) == [[0, 2], [1]]
    # short words of spaced scripts say nothing about the claim; Thai ones do
    assert "of" not in fact_checks.words("a cure of dengue")
    assert "นก" in fact_checks.words("ไข้หวัดนก")


def test_rumour_log_groups_the_thai_paraphrases(client, make_person):
    officer = make_person("THA", "officer")
    for claim in (LEMON_1, STERILE, LEMON_2):
        r = client.post(
            "/api/v1/rumours",
            headers=officer.headers,
            json={"claim": claim, "country": "THA", "first_seen": "2026-11-30"},
        )
        assert r.status_code == 201, r.text
    r = client.get("/api/v1/rumours/groups", headers=officer.headers)
    assert r.status_code == 200, r.text
    sizes = sorted(len(g["rumour_ids"]) for g in r.json())
    assert sizes == [1, 2]


def _matching(engine, q: str) -> list[int]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q"
            arg = search_text.fts5_query(q)
        else:
            sql = "SELECT id FROM search_document WHERE tsv @@ CAST(:q AS tsquery)"
            arg = search_text.tsquery(q)
        return [r[0] for r in conn.execute(text(sql), {"q": arg})]


def test_db_upgrade_segments_the_documents_indexed_before(tmp_path, monkeypatch, capsys):
    """Documents indexed before 0019 (whole Thai sentences as one token) are segmented
    again and the engines' indexes rebuilt."""
    name = create_pg_database() if BACKEND == "postgresql" else ""
    url = pg_url_for(name) if name else f"sqlite:///{tmp_path}/before.db"
    engine = create_engine(url)
    try:
        migrate.upgrade(url, "0014")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO search_document (kind, object_id, title, body, country, "
                    "hazard, status, created_at, visibility, owner_party, parties_key, "
                    "users_key) VALUES ('event', 1, 'Report', :body, 'THA', '', '', :at, "
                    "'network', 'THA', ',', '')"
                ),
                {"body": SENTENCES[0][1], "at": datetime.now(UTC)},
            )
        assert run_cli(monkeypatch, capsys, url, "db", "upgrade").code == 0
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT segmenter FROM search_document")) == (
                search_text.SEGMENTER
            )
        for q in SENTENCES[0][2]:
            assert len(_matching(engine, q)) == 1, q
        assert _matching(engine, SENTENCES[0][3]) == []
    finally:
        engine.dispose()
        if name:
            drop_pg_database(name)
