"""The disease table of contact follow-up (eocnet/data/follow_up.yaml) and the day a
person's follow-up ends."""

from datetime import date

import pytest

from eocnet.domain import follow_up
from eocnet.domain.follow_up import DEFAULT_DAYS, find, rules


@pytest.mark.parametrize(
    "code, days",
    [
        ("measles", 21),
        ("ebola", 21),
        ("marburg", 21),
        ("mpox", 21),
        ("nipah", 21),
        ("lassa", 21),
        ("mers", 14),
        ("cchf", 14),
        ("covid19", 14),
        ("diphtheria", 10),
        ("meningococcal", 10),
        ("avian_influenza", 10),
        ("sars", 10),
        ("pneumonic_plague", 7),
    ],
)
def test_periods_from_the_last_exposure(code, days):
    rule = find(code)
    assert rule is not None and rule.code == code and rule.follow_up_days == days


def test_every_entry_has_symptoms_and_a_who_or_ecdc_source():
    for rule in rules():
        assert rule.symptoms and all(s.strip() for s in rule.symptoms), rule.code
        assert "WHO" in rule.source or "ECDC" in rule.source, rule.code
        assert rule.name == rule.names[0]
    assert "rash" in " ".join(find("measles").symptoms)


@pytest.mark.parametrize(
    "code, cited",
    [
        # RAGIDA part 2's second edition (ECDC, December 2010) added the haemorrhagic
        # fevers, measles and rubella to the first edition's TB, SARS, meningococcal
        ("measles", ["WHO, Measles outbreak guide (2022)", "second edition (2010)"]),
        ("ebola", ["Contact tracing during an outbreak of Ebola virus disease (2014)"]),
        ("lassa", ["incubation 2 to 21 days", "second edition (2010)"]),
        # WHO's Nipah fact sheet gives 4 to 14 days (up to 45): the 21 days of
        # follow-up come from outbreak guidance, not from the usual incubation
        ("nipah", ["4 to 14 days", "up to 45", "21 days"]),
        ("mpox", ["interim guidance (2024)", "monkeypox outbreak in Europe (2022)"]),
        ("covid19", ["1 February 2021", "14 days"]),
        ("sars", ["October 2004", "10 days"]),
    ],
)
def test_sources_cite_what_the_guidance_says(code, cited):
    source = find(code).source
    for text in cited:
        assert text in source, (code, text)
    assert "2020 update" not in source  # RAGIDA's measles chapter is of 2010


def test_a_range_keeps_its_upper_end():
    assert find("diphtheria").range == (7, 10) and find("diphtheria").follow_up_days == 10


def test_the_default_is_the_longest_period():
    assert max(r.follow_up_days for r in rules()) == DEFAULT_DAYS


@pytest.mark.parametrize(
    "text, code",
    [
        ("Measles", "measles"),
        ("MEASLES", "measles"),
        ("Ebola virus disease", "ebola"),
        ("EVD", "ebola"),
        ("MERS-CoV", "mers"),
        ("Monkeypox", "mpox"),
        ("A(H5N1)", "avian_influenza"),
        ("flu burung", "avian_influenza"),
        ("Measles on flight QZ7521", "measles"),
        ("Suspected Nipah virus infection, Kerala", "nipah"),
        ("Invasive meningococcal disease", "meningococcal"),
    ],
)
def test_names_officers_use(text, code):
    assert find(text).code == code


@pytest.mark.parametrize("text", ["", "   ", None, "Dengue", "Disease X", "Mersey flu"])
def test_unknown(text):
    assert find(text) is None


def test_bad_tables_are_refused(tmp_path):
    good = "diseases:\n  - {code: a_b, names: [A], follow_up_days: 5, symptoms: [x], source: WHO}\n"
    assert rules(_write(tmp_path, "good.yaml", good))[0].follow_up_days == 5
    for name, text in [
        (
            "dup.yaml",
            good + "  - {code: c, names: [a b], follow_up_days: 5, symptoms: [x], source: WHO}\n",
        ),
        ("range.yaml", good.replace("source: WHO", "source: WHO, range: [6, 9]")),
        ("zero.yaml", good.replace("follow_up_days: 5", "follow_up_days: 0")),
        ("code.yaml", good.replace("a_b", "A B")),
        ("nosource.yaml", good.replace("source: WHO", "source: ''")),
    ]:
        with pytest.raises(ValueError):
            rules(_write(tmp_path, name, text))


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


SENT = date(2026, 12, 1)


@pytest.mark.parametrize(
    "kwargs, disease, until",
    [
        # the person's disease and last exposure
        ({"disease": "measles", "last_exposure": date(2026, 11, 20)}, "measles", "2026-12-11"),
        # the person's disease wins over the notice's and the event's
        (
            {
                "disease": "MERS",
                "notice_disease": "Ebola",
                "hazard": "Measles",
                "last_exposure": date(2026, 11, 20),
            },
            "mers",
            "2026-12-04",
        ),
        # the notice's, then the event's hazard
        (
            {"notice_disease": "Ebola", "hazard": "MERS", "last_exposure": SENT},
            "ebola",
            "2026-12-22",
        ),
        ({"hazard": "Measles", "last_exposure": SENT}, "measles", "2026-12-22"),
        # an unrecognised hazard is not a disease; the default period applies
        ({"hazard": "Unknown respiratory illness", "last_exposure": SENT}, "", "2026-12-22"),
        # a named disease the table does not know is kept as named
        (
            {"disease": "Disease X", "hazard": "Measles", "last_exposure": SENT},
            "Disease X",
            "2026-12-22",
        ),
        # without a last exposure: the exposure date, the journey, the day of sending
        (
            {
                "disease": "mers",
                "exposure_date": date(2026, 11, 28),
                "travel_date": date(2026, 11, 27),
            },
            "mers",
            "2026-12-12",
        ),
        ({"disease": "mers", "travel_date": date(2026, 11, 27)}, "mers", "2026-12-11"),
        ({"disease": "mers"}, "mers", "2026-12-15"),
    ],
)
def test_follow_up_until_and_its_fallbacks(kwargs, disease, until):
    got = follow_up.follow_up(**{"disease": None, "last_exposure": None, **kwargs}, sent_on=SENT)
    assert (got.disease, got.until.isoformat()) == (disease, until)


def test_the_docs_table_agrees_with_the_data():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "tracing.md").read_text()
    rows = [line.lower() for line in text.splitlines() if line.startswith("| ")]
    for rule in rules():
        row = [r for r in rows if rule.code in r]
        assert len(row) == 1 and row[0].endswith(f"| {rule.follow_up_days} |"), rule.code
