"""Search and rumour grouping in every script of the region.

Thai, Lao, Khmer and Burmese are written without spaces between words: a word is
found inside a sentence only because the words are segmented (ICU's word break
iterator, ``domain/search_text``) when the document is indexed and when the query
is read, on SQLite and PostgreSQL alike. Vietnamese, Malay and Bahasa Indonesia
are written with spaces; Vietnamese is also found without its accents.
"""

import pytest

from eocnet.domain import fact_checks, search_text
from tests.conftest import PASSWORD
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
