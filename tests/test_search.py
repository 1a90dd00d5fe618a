"""Search accepts any text: the query is reduced to words and quoted for the engine."""

import pytest

from eocnet.domain import search_text
from tests.conftest import PASSWORD
from tests.web_helpers import login

HOSTILE = [
    "'",
    '"',
    "?",
    "-",
    "*",
    "(",
    ")",
    "%",
    "^",
    "\\",
    "😷",
    "🦠 dengue",
    "dengue'",
    'say "cholera',
    "-cholera",
    "cholera*",
    "(cholera OR dengue)",
    "NEAR(cholera dengue)",
    "cholera AND NOT",
    "col:cholera",
    "title:cholera",
    "100%",
    "^cholera",
    "C:\\temp\\x",
    "a\\'b",
    "_",
    "__init__",
    "\x00",
    "cholera\x00",
    "' OR 1=1 --",
    "''; DROP TABLE search_document; --",
    "& | ! <-> :*",
    "{}[]",
    "+",
    "ไข้เลือดออก'",
]


def test_words_are_letters_marks_and_digits_of_any_script():
    assert search_text.words("A(H5N1) in 'Kampong Cham'!") == ["a", "h5n1", "in", "kampong", "cham"]
    assert search_text.words("😷?*^%\\") == []
    # Thai is segmented into words by ICU's dictionary; vowel signs and tone marks
    # are combining marks and stay inside the word
    assert search_text.words("ไข้หวัดนก ระบาด") == ["ไข้", "หวัด", "นก", "ระบาด"]
    # accents come off Latin letters only
    assert search_text.words("Sốt xuất huyết, đau") == ["sot", "xuat", "huyet", "dau"]
    assert search_text.fts5_query('say "x') == '"say" "x"*'
    assert search_text.tsquery("cholera dengue") == "'cholera' & 'dengue':*"
    assert search_text.fts5_query("?!") == "" and search_text.tsquery("?!") == ""


@pytest.fixture
def officer(client, make_person):
    person = make_person("IDN", "officer")
    r = client.post(
        "/api/v1/events",
        headers=person.headers,
        json={
            "title": "Cholera in Kampung Melayu",
            "hazard": "cholera",
            "country": "IDN",
            "summary": "Acute watery diarrhoea, 100% of samples positive (O1 Ogawa).",
        },
    )
    assert r.status_code == 201
    return person


@pytest.mark.parametrize("q", HOSTILE, ids=[repr(q) for q in HOSTILE])
def test_any_text_answers_200_or_4xx_on_the_api(client, officer, q):
    r = client.get("/api/v1/search", params={"q": q}, headers=officer.headers)
    assert r.status_code < 500, r.text
    if r.status_code == 200:
        assert isinstance(r.json()["items"], list)


def test_any_text_answers_200_or_4xx_on_the_page(client, officer):
    login(client, officer.email, PASSWORD)
    for q in HOSTILE:
        r = client.get("/search", params={"q": q})
        assert r.status_code < 500, (q, r.text[:300])


def test_quoted_words_still_find(client, officer):
    for q in (
        "cholera",
        "'cholera'",
        '"cholera"',
        "(cholera)",
        "cholera*",
        "-cholera",
        "chol",
        "Kampung-Melayu",
        "100%",
        "cholera 😷",
    ):
        items = client.get("/api/v1/search", params={"q": q}, headers=officer.headers).json()
        assert items["items"], q
    assert (
        client.get(
            "/api/v1/search", params={"q": "cholera measles"}, headers=officer.headers
        ).json()["items"]
        == []
    )
    login(client, officer.email, PASSWORD)
    assert "Cholera in Kampung Melayu" in client.get("/search", params={"q": "'cholera'"}).text
