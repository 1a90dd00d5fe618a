"""Weekly surveillance through the API: diseases, reports with history and
per-row errors, who sees which figures, completeness, and signals."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from eocnet.db.models import (
    AggregateReport,
    AuditEntry,
    Disease,
    Event,
    StreamEntry,
    SurveillanceSignal,
)
from tests.helpers import count

API = "/api/v1/surveillance"
START = date(2020, 1, 6)  # a Monday
WEEKS = 300


@pytest.fixture
def people(client, make_person):
    coordinator = make_person("ASEC", "coordinator")
    for code, share, method in (
        ("DEN", "partners", {"name": "farrington-flexible"}),
        ("MEA", "network", {"name": "ears-c2", "baseline": 7}),
    ):
        r = client.put(
            f"{API}/diseases/{code}",
            headers=coordinator.headers,
            json={
                "name": {"DEN": "Dengue", "MEA": "Measles"}[code],
                "share_with": share,
                "method": method,
            },
        )
        assert r.status_code == 200, r.text
    return {
        "coordinator": coordinator,
        "idn": make_person("IDN", "officer"),
        "phl": make_person("PHL", "officer"),
        "tha_focal": make_person("THA", "officer", "focal_point"),
        "partner": make_person("JPN", "partner"),
        "reader": make_person("IDN", "officer", scope="read"),
    }


def weekly_rows(disease: str, counts, start: date = START) -> list[dict]:
    return [
        {
            "disease": disease,
            "period": (start + timedelta(weeks=i)).isoformat(),
            "cases_confirmed": int(c),
        }
        for i, c in enumerate(counts)
    ]


def history(seed: int = 1, weeks: int = WEEKS) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mean = 20 * (1 + 0.4 * np.sin(2 * np.pi * np.arange(weeks) / 52.18))
    return rng.poisson(mean)


def test_reports_are_saved_replaced_with_history_and_audited(client, db, people):
    idn = people["idn"]
    rows = weekly_rows("DEN", [5, 6, 7])
    rows.append(
        {
            "disease": "DEN",
            "period": "2020-W03",
            "area": "ID-JK",
            "age_group": "0-4",
            "sex": "F",
            "cases_suspected": 2,
        }
    )
    r = client.post(f"{API}/reports", headers=idn.headers, json={"rows": rows})
    assert r.status_code == 201, r.text
    assert r.json()["submission"]["saved"] == 4 and r.json()["submission"]["replaced"] == 0
    # re-submission of week 2 (the national row) replaces it, the stratum stays
    r = client.post(
        f"{API}/reports",
        headers=idn.headers,
        json={"rows": [{"disease": "den", "period": "2020-01-13", "cases_confirmed": 9}]},
    )
    assert r.status_code == 201 and r.json()["submission"]["replaced"] == 1
    current = client.get(
        f"{API}/reports",
        headers=idn.headers,
        params={"disease": "DEN", "first": "2020-01-01", "last": "2020-02-01"},
    )
    assert [
        (x["period"], x["area"], x["cases_confirmed"], x["cases_suspected"]) for x in current.json()
    ] == [
        ("2020-01-06", "", 5, 0),
        ("2020-01-13", "", 9, 0),
        ("2020-01-13", "ID-JK", 0, 2),
        ("2020-01-20", "", 7, 0),
    ]
    old = client.get(
        f"{API}/reports",
        headers=idn.headers,
        params={"disease": "DEN", "first": "2020-01-13", "last": "2020-01-13", "history": "true"},
    ).json()
    assert sorted((x["cases_confirmed"], x["current"]) for x in old if x["area"] == "") == [
        (6, False),
        (9, True),
    ]
    with db.read() as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "surveillance.submit")
        ).all()
        assert len(audits) == 2 and json.loads(audits[1].details)["replaced"] == 1
        assert session.scalar(
            select(StreamEntry.kind).where(StreamEntry.kind == "surveillance.reported").limit(1)
        )
    series = client.get(
        f"{API}/series", headers=idn.headers, params={"disease": "DEN", "party": "IDN"}
    ).json()
    assert [p["cases"] for p in series["points"]] == [5, 11, 7]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"disease": "XXX", "period": "2020-W02"}, "disease"),
        ({"disease": "DEN", "period": "2020-01-07"}, "period"),  # a Tuesday
        ({"disease": "DEN", "period": "2020-W60"}, "period"),
        ({"disease": "DEN", "period": "2020-W02", "area": "Jakarta"}, "area"),
        ({"disease": "DEN", "period": "2020-W02", "age_group": "young"}, "age_group"),
    ],
)
def test_any_bad_row_saves_nothing_and_names_row_and_field(client, db, people, row, field):
    rows = [*weekly_rows("DEN", [1, 2]), row]
    r = client.post(f"{API}/reports", headers=people["idn"].headers, json={"rows": rows})
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert body["errors"] == [{"row": 3, "field": field, "detail": body["errors"][0]["detail"]}]
    assert count(db, AggregateReport) == 0
    r = client.post(
        f"{API}/reports",
        headers=people["idn"].headers,
        json={"rows": rows},
        params={"drop_invalid": "true"},
    )
    assert r.status_code == 201 and r.json()["submission"]["saved"] == 2


def test_upload_previews_reports_errors_and_saves(client, db, people):
    csv_text = (
        "disease,period,cases_confirmed,deaths_confirmed\n"
        "DEN,2020-W02,4,0\nDEN,2020-W03,-1,0\nDEN,2020-W04,3,1\n"
    )
    files = {"file": ("week.csv", io.BytesIO(csv_text.encode()), "text/csv")}
    r = client.post(
        f"{API}/reports/upload",
        headers=people["idn"].headers,
        files=files,
        data={"dry_run": "true"},
    )
    assert r.status_code == 200
    assert r.json()["errors"] == [
        {"row": 2, "field": "cases_confirmed", "detail": "counts cannot be negative"}
    ]
    assert len(r.json()["preview"]) == 2 and count(db, AggregateReport) == 0
    files = {"file": ("week.csv", io.BytesIO(csv_text.encode()), "text/csv")}
    r = client.post(f"{API}/reports/upload", headers=people["idn"].headers, files=files)
    assert r.status_code == 422 and count(db, AggregateReport) == 0
    bad = {
        "file": (
            "w.csv",
            io.BytesIO(b"disease,period,cases_confirmd\nDEN,2020-W02,1\n"),
            "text/csv",
        )
    }
    r = client.post(f"{API}/reports/upload", headers=people["idn"].headers, files=bad)
    assert r.status_code == 422 and r.json()["field"] == "file"
    assert "cases_confirmd" in r.json()["detail"]


def test_who_may_submit(client, people):
    rows = {"rows": weekly_rows("DEN", [1])}
    for who in ("partner", "coordinator", "reader"):
        r = client.post(f"{API}/reports", headers=people[who].headers, json=rows)
        assert r.status_code == 403, who
    r = client.post(
        f"{API}/reports",
        headers=people["idn"].headers,
        json={"rows": [{**rows["rows"][0], "party": "THA"}]} if False else rows,
    )
    assert r.status_code == 201
    r = client.put(f"{API}/diseases/XYZ", headers=people["idn"].headers, json={"name": "X"})
    assert r.status_code == 403


def test_sharing_rules_for_totals_and_details(client, people):
    for who, seed in (("idn", 1), ("phl", 2)):
        for disease in ("DEN", "MEA"):
            r = client.post(
                f"{API}/reports",
                headers=people[who].headers,
                json={"rows": weekly_rows(disease, history(seed, 20))},
            )
            assert r.status_code == 201
    # a member sees the other member's totals, never its rows
    r = client.get(
        f"{API}/series", headers=people["idn"].headers, params={"disease": "MEA", "party": "PHL"}
    )
    assert r.status_code == 200 and r.json()["points"][0]["cases"] == int(history(2, 20)[0])
    phl_rows = client.get(
        f"{API}/reports",
        headers=people["phl"].headers,
        params={"disease": "MEA", "first": "2020-01-01"},
    ).json()
    idn_rows = client.get(
        f"{API}/reports",
        headers=people["idn"].headers,
        params={"disease": "MEA", "first": "2020-01-01"},
    ).json()
    assert {x["id"] for x in phl_rows}.isdisjoint({x["id"] for x in idn_rows})
    # the region is the sum of what the viewer may see
    region = client.get(
        f"{API}/series", headers=people["idn"].headers, params={"disease": "MEA"}
    ).json()
    assert region["points"][0]["cases"] == int(history(1, 20)[0] + history(2, 20)[0])
    # partners: dengue is shared with partners, measles is not
    partner = people["partner"].headers
    assert (
        client.get(
            f"{API}/series", headers=partner, params={"disease": "DEN", "party": "PHL"}
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"{API}/series", headers=partner, params={"disease": "MEA", "party": "PHL"}
        ).status_code
        == 404
    )
    assert (
        client.get(f"{API}/series", headers=partner, params={"disease": "MEA"}).status_code == 404
    )
    assert (
        client.get(f"{API}/completeness", headers=partner, params={"disease": "MEA"}).json() == []
    )
    assert (
        client.get(
            f"{API}/epicurve.png", headers=partner, params={"disease": "MEA", "party": "IDN"}
        ).status_code
        == 404
    )


def test_completeness_and_timeliness(client, db, people):
    first = date(2020, 1, 6)
    r = client.post(
        f"{API}/reports",
        headers=people["idn"].headers,
        json={"rows": weekly_rows("MEA", [1, 2, 3, 4], first)},
    )
    assert r.status_code == 201
    # week 1 was reported on time (Monday after it, before Tuesday 12:00 Jakarta),
    # week 2 late, weeks 3 and 4 in the same submission, week 5 never
    from sqlalchemy import update

    from eocnet.db.types import utcnow

    with db.transaction() as session:
        for week, when in (
            (0, "2020-01-13T08:00:00+00:00"),
            (1, "2020-01-25T08:00:00+00:00"),
            (2, "2020-01-27T01:00:00+00:00"),
            (3, "2020-02-03T04:59:00+00:00"),
        ):
            from datetime import datetime

            session.execute(
                update(AggregateReport)
                .where(AggregateReport.period_start == first + timedelta(weeks=week))
                .values(submitted_at=datetime.fromisoformat(when))
            )
    del utcnow
    r = client.get(
        f"{API}/completeness",
        headers=people["coordinator"].headers,
        params={"disease": "MEA", "first": "2020-01-06", "last": "2020-02-03"},
    )
    rows = {x["party"]: x for x in r.json()}
    assert len(rows) == 11 and "JPN" not in rows
    idn = rows["IDN"]
    assert (idn["expected"], idn["received"], idn["on_time"]) == (5, 4, 3)
    assert idn["periods"] == {
        "2020-01-06": "on_time",
        "2020-01-13": "late",
        "2020-01-20": "on_time",
        "2020-01-27": "on_time",
        "2020-02-03": "missing",
    }
    assert idn["completeness"] == 0.8 and idn["timeliness"] == 0.6
    assert rows["THA"]["received"] == 0 and rows["THA"]["expected"] == 5


def test_an_alarm_in_the_latest_week_opens_one_signal_event(client, db, people):
    counts = history(3)
    counts[-1] = 200  # an outbreak
    r = client.post(
        f"{API}/reports", headers=people["phl"].headers, json={"rows": weekly_rows("DEN", counts)}
    )
    assert r.status_code == 201, r.text
    signals = r.json()["submission"]["signals"]
    assert len(signals) == 1
    event_id = signals[0]
    # the reporting party and the coordinator see it; other members do not
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=people["phl"].headers).json()["status"]
        == "signal"
    )
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=people["coordinator"].headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=people["idn"].headers).status_code == 404
    )
    listed = client.get(f"{API}/signals", headers=people["coordinator"].headers).json()
    assert [(s["party"], s["disease"], s["observed"]) for s in listed] == [("PHL", "DEN", 200)]
    assert listed[0]["threshold"] < 200
    assert client.get(f"{API}/signals", headers=people["idn"].headers).json() == []
    # re-submitting the same week does not open a second event
    again = client.post(
        f"{API}/reports",
        headers=people["phl"].headers,
        json={"rows": weekly_rows("DEN", [201], START + timedelta(weeks=WEEKS - 1))},
    )
    assert again.json()["submission"]["signals"] == []
    assert count(db, SurveillanceSignal) == 1 and count(db, Event) == 1
    # the series shows the alarm; the curve renders
    series = client.get(
        f"{API}/series", headers=people["phl"].headers, params={"disease": "DEN", "party": "PHL"}
    ).json()
    assert series["points"][-1]["alarm"] is True
    assert series["points"][0]["threshold"] is None  # too little history
    png = client.get(
        f"{API}/epicurve.png",
        headers=people["phl"].headers,
        params={"disease": "DEN", "party": "PHL"},
    )
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(
        f"{API}/epicurve.svg", headers=people["coordinator"].headers, params={"disease": "DEN"}
    )
    assert svg.status_code == 200 and b"<svg" in svg.content


def test_disease_settings_are_checked(client, people):
    h = people["coordinator"].headers
    r = client.put(
        f"{API}/diseases/FLU",
        headers=h,
        json={"name": "Flu", "schedule": "daily", "method": {"name": "farrington-flexible"}},
    )
    assert r.status_code == 422 and r.json()["field"] == "method.name"
    r = client.put(
        f"{API}/diseases/FLU",
        headers=h,
        json={"name": "Flu", "method": {"name": "ears-c1", "b": 3}},
    )
    assert r.status_code == 422 and "--b does not apply" in r.json()["detail"]
    r = client.put(
        f"{API}/diseases/FLU",
        headers=h,
        json={
            "name": "Flu",
            "schedule": "mmwr_week",
            "method": {
                "name": "farrington-flexible",
                "no_periods": 10,
                "past_weeks_not_included": 26,
                "threshold_method": "nbPlugin",
            },
        },
    )
    assert r.status_code == 200
    assert r.json()["method"] == {
        "name": "farrington-flexible",
        "no_periods": 10,
        "past_weeks_not_included": 26,
        "threshold_method": "nbPlugin",
    }
    listed = client.get(f"{API}/diseases", headers=people["partner"].headers).json()
    assert {d["code"] for d in listed} == {"DEN", "MEA", "FLU"}


def test_a_period_that_has_not_begun_is_refused(client, people):
    from eocnet.db.types import utcnow

    next_week = utcnow().date() + timedelta(days=7 - utcnow().date().weekday())
    r = client.post(
        f"{API}/reports",
        headers=people["idn"].headers,
        json={"rows": [{"disease": "DEN", "period": next_week.isoformat()}]},
    )
    assert r.status_code == 422 and "has not begun" in r.json()["errors"][0]["detail"]


def test_cli_import(client, db, people, tmp_path, monkeypatch, capsys, database_url):
    from tests.helpers import run_cli

    path = tmp_path / "r.csv"
    path.write_text(
        "disease,period,area,cases_confirmed\nDEN,2020-W10,ID-JK,3\nDEN,2020-W10,ID-JB,x\n"
    )
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "surveillance",
        "import",
        str(path),
        "--user",
        people["idn"].email,
    )
    assert r.code == 1 and "row 2: cases_confirmed" in r.err and "nothing was saved" in r.err
    assert count(db, AggregateReport) == 0
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "surveillance",
        "import",
        str(path),
        "--user",
        people["idn"].email,
        "--drop-invalid",
    )
    assert r.code == 0 and "saved 1 rows for IDN" in r.out
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "surveillance",
        "import",
        str(path),
        "--user",
        people["partner"].email,
    )
    assert r.code == 1 and "officers and focal points" in r.err


ADX = b"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2020-03-10T08:00:00Z">
  <group orgUnit="IDN" period="2020-03-02/P7D" dataSet="DEN">
    <dataValue dataElement="cases_confirmed" value="12"/>
    <dataValue dataElement="deaths_confirmed" value="1"/>
    <dataValue dataElement="cases_confirmed" value="4" age_group="0-4" sex="F"/>
  </group>
  <group orgUnit="ID-JK" period="2020-W11" dataSet="DEN">
    <dataValue dataElement="cases_suspected" value="7"/>
    <dataValue dataElement="hospitalised" value="2"/>
  </group>
</adx>"""


def test_adx_upload(client, db, people):
    files = {"file": ("dhis2.xml", io.BytesIO(ADX), "application/xml")}
    r = client.post(
        f"{API}/reports/upload",
        headers=people["idn"].headers,
        files=files,
        data={"dry_run": "true"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["errors"] == [
        {"row": 5, "field": "dataElement", "detail": body["errors"][0]["detail"]}
    ]
    assert sorted(
        (
            p["period"],
            p["area"],
            p["age_group"],
            p["cases_confirmed"],
            p["deaths_confirmed"],
            p["cases_suspected"],
        )
        for p in body["preview"]
    ) == [
        ("2020-03-02", "", "", 12, 1, 0),
        ("2020-03-02", "", "0-4", 4, 0, 0),
        ("2020-03-09", "ID-JK", "", 0, 0, 7),
    ]
    files = {"file": ("dhis2.xml", io.BytesIO(ADX), "application/xml")}
    r = client.post(
        f"{API}/reports/upload",
        headers=people["idn"].headers,
        files=files,
        data={"drop_invalid": "true"},
    )
    assert r.status_code == 201 and r.json()["submission"]["saved"] == 3
    # another party's orgUnit is refused, row by row
    files = {
        "file": (
            "x.xml",
            io.BytesIO(ADX.replace(b'orgUnit="IDN"', b'orgUnit="THA"')),
            "application/xml",
        )
    }
    r = client.post(
        f"{API}/reports/upload",
        headers=people["idn"].headers,
        files=files,
        data={"dry_run": "true"},
    )
    assert {e["field"] for e in r.json()["errors"]} == {"party", "dataElement"}


def test_adx_never_expands_entities(client, db, people):
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="IDN" period="2020-W11" '
        b'dataSet="&x;"><dataValue dataElement="cases_confirmed" value="1"/></group></adx>'
    )
    files = {"file": ("evil.xml", io.BytesIO(evil), "application/xml")}
    r = client.post(
        f"{API}/reports/upload",
        headers=people["idn"].headers,
        files=files,
        data={"dry_run": "true"},
    )
    assert "root:" not in r.text
    # the DTD is refused before the document is parsed
    assert r.status_code == 422 and "DOCTYPE" in r.json()["detail"]
    bad = {"file": ("broken.xml", io.BytesIO(b"<adx><group>"), "application/xml")}
    r = client.post(f"{API}/reports/upload", headers=people["idn"].headers, files=bad)
    assert r.status_code == 422 and r.json()["field"] == "file"
    assert "not well-formed" in r.json()["detail"]


def test_rt_for_a_daily_emergency_matches_epiestim(client, people):
    from eocnet.analytics.rt import estimate_rt_parametric

    h = people["coordinator"].headers
    r = client.put(
        f"{API}/diseases/ARI",
        headers=h,
        json={"name": "ARI", "method": {"name": "ears-c2"}, "si_mean": 4.7, "si_sd": 2.9},
    )
    assert r.status_code == 422 and "daily schedule" in r.json()["detail"]
    r = client.put(
        f"{API}/diseases/ARI",
        headers=h,
        json={"name": "ARI", "schedule": "daily", "method": {"name": "ears-c2"}, "si_mean": 4.7},
    )
    assert r.status_code == 422 and r.json()["field"] == "si_mean"
    r = client.put(
        f"{API}/diseases/ARI",
        headers=h,
        json={
            "name": "ARI",
            "schedule": "daily",
            "method": {"name": "ears-c2"},
            "si_mean": 4.7,
            "si_sd": 2.9,
        },
    )
    assert r.status_code == 200 and r.json()["si_mean"] == 4.7
    counts = [int(3 * 1.08**i) for i in range(30)]
    start = date(2020, 3, 1)
    rows = [
        {"disease": "ARI", "period": str(start + timedelta(days=i)), "cases_confirmed": c}
        for i, c in enumerate(counts)
    ]
    assert (
        client.post(
            f"{API}/reports", headers=people["idn"].headers, json={"rows": rows}
        ).status_code
        == 201
    )
    rt = client.get(
        f"{API}/rt", headers=people["idn"].headers, params={"disease": "ARI", "party": "IDN"}
    ).json()
    expected = estimate_rt_parametric(np.array(counts, dtype=float), 4.7, 2.9)
    assert len(rt["windows"]) == 23
    assert rt["windows"][0]["window_start"] == "2020-03-02"
    assert rt["windows"][-1]["window_end"] == "2020-03-30"
    assert rt["windows"][-1]["mean"] == pytest.approx(expected.mean[-1], rel=1e-6)
    assert rt["windows"][-1]["q975"] == pytest.approx(expected.q975[-1], rel=1e-6)
    assert rt["windows"][-1]["mean"] > 1  # a growing outbreak
    # weekly diseases have no Rt; partners do not see ARI (shared with the network)
    assert (
        client.get(
            f"{API}/rt", headers=people["idn"].headers, params={"disease": "DEN", "party": "IDN"}
        ).status_code
        == 422
    )
    assert (
        client.get(
            f"{API}/rt",
            headers=people["partner"].headers,
            params={"disease": "ARI", "party": "IDN"},
        ).status_code
        == 404
    )


def test_a_continuing_signal_is_one_event_updated_week_after_week(client, db, people):
    counts = history(3)
    counts[-1] = 200
    phl = people["phl"].headers

    def submit(values, weeks_on):
        rows = weekly_rows("DEN", values, START + timedelta(weeks=weeks_on))
        r = client.post(f"{API}/reports", headers=phl, json={"rows": rows})
        assert r.status_code == 201, r.text
        return r.json()["submission"]["signals"]

    (event_id,) = submit(counts, 0)
    assert submit([230], WEEKS) == [event_id]  # the next week: the same event
    assert submit([250], WEEKS + 1) == [event_id]
    assert count(db, Event) == 1 and count(db, SurveillanceSignal) == 3
    assert submit([0], WEEKS + 2) == []  # quiet again: the run ends
    assert submit([0], WEEKS + 2) == []  # a re-submission says nothing twice
    updates = client.get(f"/api/v1/events/{event_id}/updates", headers=phl).json()
    bodies = [u["body"] for u in (updates if isinstance(updates, list) else updates["items"])]
    assert sum("The alarm continues" in b for b in bodies) == 2
    assert "(3 periods in a row)" in " ".join(bodies)
    assert sum(b.startswith("Alarms stopped") for b in bodies) == 1
    # another member sees neither the event nor its updates
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=people["idn"].headers).status_code == 404
    )


def test_a_short_history_falls_back_and_the_signal_says_so(client, db, people):
    """Two years of Dengue (Farrington asks for five): detection uses the two
    years it has, says so on the curve, and the signal names the fallback."""
    counts = history(5, weeks=2 * 52 + 10)
    counts[-1] = 200
    r = client.post(
        f"{API}/reports", headers=people["phl"].headers, json={"rows": weekly_rows("DEN", counts)}
    )
    assert r.status_code == 201, r.text
    (event_id,) = r.json()["submission"]["signals"]
    event = client.get(f"/api/v1/events/{event_id}", headers=people["coordinator"].headers).json()
    assert "Short history, fewer years: Farrington with b=2, not 5." in event["summary"]
    series = client.get(
        f"{API}/series", headers=people["phl"].headers, params={"disease": "DEN", "party": "PHL"}
    ).json()
    points = series["points"]
    assert points[-1]["alarm"] is True
    assert points[-1]["note"] == "fewer years: Farrington with b=2, not 5"
    assert points[30]["threshold"] is not None
    assert points[30]["note"].startswith("less than a year of history: EARS C3")
    assert points[3]["threshold"] is None and points[3]["note"].startswith("too little history")
    # the signal is as restricted as before: another member does not see it
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=people["idn"].headers).status_code == 404
    )


def _daily_ari(client, people, counts_by_party, start=date(2020, 3, 1)):
    r = client.put(
        f"{API}/diseases/ARI",
        headers=people["coordinator"].headers,
        json={
            "name": "ARI",
            "schedule": "daily",
            "method": {"name": "ears-c2"},
            "si_mean": 4.7,
            "si_sd": 2.9,
        },
    )
    assert r.status_code == 200, r.text
    for who, counts in counts_by_party.items():
        rows = [
            {"disease": "ARI", "period": str(start + timedelta(days=i)), "cases_confirmed": c}
            for i, c in enumerate(counts)
            if c is not None
        ]
        r = client.post(f"{API}/reports", headers=people[who].headers, json={"rows": rows})
        assert r.status_code == 201, r.text


def test_regional_rt_is_a_panel_of_national_estimates(client, db, people):
    from eocnet.analytics.rt import estimate_rt_parametric
    from eocnet.reports import sections
    from eocnet.reports.common import Reader

    growing = [int(3 * 1.1**i) for i in range(30)]
    waning = [int(60 * 0.93**i) for i in range(30)]
    waning[5] = None  # 6 March not reported: missing, not zero
    _daily_ari(client, people, {"idn": growing, "phl": waning})
    h = people["coordinator"].headers
    rt = client.get(f"{API}/rt", headers=h, params={"disease": "ARI"}).json()
    assert rt["party"] is None and rt["windows"] == [] and rt["window"] == 7
    panel = {e["party"]: e["windows"] for e in rt["panel"]}
    assert set(panel) == {"IDN", "PHL"}
    assert panel["IDN"][-1]["mean"] == pytest.approx(
        estimate_rt_parametric(np.array(growing, dtype=float), 4.7, 2.9).mean[-1], rel=1e-6
    )
    assert panel["IDN"][-1]["mean"] > 1
    by_end = {w["window_end"]: w for w in panel["PHL"]}
    assert by_end["2020-03-08"]["mean"] is None
    assert by_end["2020-03-08"]["note"] == "missing days in the window"
    # 99% of the serial interval (4.7 ± 2.9 days) lies within 14 days back
    assert by_end["2020-03-26"]["note"].startswith("missing days within the serial interval")
    assert by_end["2020-03-30"]["mean"] < 1 and by_end["2020-03-30"]["cv"] > 0
    # no estimate on the pooled series: the regional sum is never used
    summed = np.array(growing, dtype=float) + np.nan_to_num(np.array(waning, dtype=float))
    pooled = estimate_rt_parametric(summed, 4.7, 2.9).mean[-1]
    assert all(w["mean"] != pytest.approx(pooled) for e in rt["panel"] for w in e["windows"])
    # a window length of 14 days
    rt14 = client.get(
        f"{API}/rt", headers=h, params={"disease": "ARI", "party": "IDN", "window": 14}
    )
    assert rt14.json()["window"] == 14 and len(rt14.json()["windows"]) == 30 - 14
    bad = client.get(f"{API}/rt", headers=h, params={"disease": "ARI", "window": 0})
    assert bad.status_code == 422
    # the regional report's panel: one row per country, with its credible interval
    with db.read() as session:
        disease = session.get(Disease, "ARI")
        readers = [Reader("ASEC", "coordinator"), Reader("IDN", "member")]
        made = sections.curve(session, readers, disease, None, "region")
    assert made is not None and made.rt_figure == ""
    rows = {r.party: r for r in made.rt_panel}
    assert set(rows) == {"IDN", "PHL"}
    assert rows["IDN"].q025 < rows["IDN"].mean < rows["IDN"].q975
    # a partner sees no panel of ARI (shared with the network only)
    assert (
        client.get(
            f"{API}/rt", headers=people["partner"].headers, params={"disease": "ARI"}
        ).status_code
        == 404
    )


def test_rt_of_given_counts_with_imported_cases_matches_epiestim(client, db, people):
    from tests.test_analytics_reference import REFERENCE, read

    incidence = read(REFERENCE / "rt_Flu2009imported_incidence.csv")
    body = {
        "first_day": incidence[0]["date"],
        "local": [int(r["local"]) for r in incidence],
        "imported": [int(r["imported"]) for r in incidence],
        "si_mean": 2.6,
        "si_sd": 1.5,
    }
    before = count(db, AuditEntry)
    r = client.post(f"{API}/rt/estimate", headers=people["idn"].headers, json=body)
    assert r.status_code == 200, r.text
    theirs = read(REFERENCE / "rt_Flu2009imported_parametric_2.6_1.5.csv")
    mine = r.json()["windows"]
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        assert a["window_end"] == b["window_end"]
        for k in ("mean", "q025", "q975"):
            if b[k] == "":
                assert a[k] is None
            else:  # the API rounds to 6 decimals
                assert a[k] == pytest.approx(float(b[k]), abs=1e-6), (k, a, b)
    assert count(db, AuditEntry) == before  # nothing is stored
    for change, field in (
        ({"imported": [1, 2]}, "imported"),
        ({"local": [1, -1, *body["local"][2:]]}, "local"),
        ({"si_sd": None}, "si_sd"),
        ({"si_distribution": [0, 1]}, "si_mean"),
        ({"window": 40}, "window"),
    ):
        r = client.post(f"{API}/rt/estimate", headers=people["idn"].headers, json=body | change)
        assert r.status_code == 422, (change, r.text)
        errors = r.json().get("errors") or [{"field": r.json().get("field")}]
        assert field in json.dumps(errors) or r.json().get("field") == field, (change, r.json())
    assert client.post(f"{API}/rt/estimate", json=body).status_code == 401


# ---------------------------------------------------------------- hostile spreadsheets


def _xlsx(rows_xml: str, shared: list[str] | None = None, sheet_xml: str | None = None) -> bytes:
    """A minimal XLSX made by hand, so that a test can put anything in the sheet."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{kinds}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{kinds}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml
        or f'<worksheet xmlns="{main}"><sheetData>{rows_xml}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">'
        + "".join(f"<si><t>{s}</t></si>" for s in shared or [])
        + "</sst>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()


def _row(number: int, *cells: str) -> str:
    inline = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in cells)
    return f'<row r="{number}">{inline}</row>'


def _upload(client, person, data: bytes, name: str = "week.xlsx"):
    return client.post(
        f"{API}/reports/upload",
        headers=person.headers,
        files={"file": (name, io.BytesIO(data), "application/octet-stream")},
        data={"dry_run": "true"},
    )


def test_rows_are_counted_while_reading():
    """Reading stops at the limit: an endless table is refused, not read to its end."""
    import itertools

    from eocnet.interop.tables import TableError, _collect

    with pytest.raises(TableError, match="at most 10 rows"):
        _collect(itertools.repeat(("DEN", "2020-W02")), 10)
    with pytest.raises(TableError, match="at most 10 rows"):  # empty rows count too
        _collect(itertools.repeat(("", "")), 10)
    assert len(_collect(itertools.repeat(("DEN", "1"), 11), 10)) == 11  # header + 10


def test_spreadsheet_bombs_are_refused_early_and_answers_stay_small(client, db, people):
    from eocnet.interop.tables import MAX_XLSX_UNCOMPRESSED, TableError, read_table

    idn = people["idn"]
    header = _row(1, "disease", "period", "cases_confirmed")
    ok = _upload(client, idn, _xlsx(header + _row(2, "DEN", "2020-W02", "4")))
    assert ok.status_code == 200 and len(ok.json()["preview"]) == 1, ok.text
    # one row more than allowed (the readers' limit, here 50 rows)
    rows = "".join(_row(n, "DEN", "2020-W02", "1") for n in range(2, 53))
    with pytest.raises(TableError, match="at most 50 rows"):
        read_table(_xlsx(header + rows), "week.xlsx", max_rows=50)
    assert len(read_table(_xlsx(header + rows), "week.xlsx", max_rows=51)[1]) == 51
    # a decompression bomb: a few hundred KB that unpack past the limit
    filler = '<row r="2"/>' * (MAX_XLSX_UNCOMPRESSED // 12 + 1000)
    bomb = _xlsx(header + filler)
    assert len(bomb) < 1024 * 1024
    r = _upload(client, idn, bomb)
    assert r.status_code == 422 and "unpacks to more than" in r.json()["detail"], r.text
    # a zip that understates the size of its sheet is refused, not read past it
    small = _xlsx(header + _row(2, "DEN", "2020-W02", "4") * 200)
    name = b"xl/worksheets/sheet1.xml"
    lying = bytearray(small)
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := lying.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if lying[name_at : name_at + len(name)] == name:
                lying[start + size_at : start + size_at + 4] = (100).to_bytes(4, "little")
            start += 4
    r = _upload(client, idn, bytes(lying))
    assert r.status_code == 422 and r.json()["field"] == "file", r.text
    # a sheet declaring 16,384 columns is not padded to them
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    wide = (
        f'<worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"/><sheetData>'
        + header
        + _row(2, "DEN", "2020-W02", "4")
        + "</sheetData></worksheet>"
    )
    r = _upload(client, idn, _xlsx("", sheet_xml=wide))
    assert r.status_code == 200 and len(r.json()["preview"]) == 1, r.text
    # one huge shared string in every row: refused (no spreadsheet cell is that long)
    huge = "A" * 5_000_000
    cells = "".join(
        f'<row r="{n}"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>' for n in (2, 3)
    )
    r = _upload(client, idn, _xlsx(header + cells, shared=[huge, "2020-W02"]))
    assert r.status_code == 422 and "longer than 32,767 characters" in r.json()["detail"]
    assert len(r.content) < 2000
    # long values that are allowed are quoted shortened in the errors of every row
    long_value = "Z" * 30_000
    rows = "".join(_row(n, long_value, long_value, long_value) for n in range(2, 102))
    r = _upload(client, idn, _xlsx(header + rows))
    assert r.status_code == 200, r.text
    errors = r.json()["errors"]
    assert len(errors) == 100 and all("30,000 characters" in e["detail"] for e in errors)
    assert len(r.content) < 100 * 1000  # each row's error is short (was 30 KB or more)
    too_long_csv = b"disease,period\n" + b"B" * 40_000 + b",2020-W02\n"
    r = _upload(client, idn, too_long_csv, name="week.csv")
    assert r.status_code == 422 and r.json()["field"] == "file", r.text
    assert len(r.content) < 2000
    assert count(db, AggregateReport) == 0
