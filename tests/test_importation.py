"""The risk of spread by air travel: hand-computed cases, properties, the
command-line contract, the API, and a validation against what happened in
January 2020."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from eocnet.analytics.air_network import AirNetwork
from eocnet.analytics.importation import importation_risk
from eocnet.interop import openflights
from tests.helpers import run_cli

AIRPORTS = [("AAA", "XAA"), ("BBB", "XBB"), ("CCC", "XCC"), ("DDD", "XCC"), ("EEE", "XAA")]
ROUTES = [
    ("AAA", "BBB", 3),
    ("AAA", "CCC", 1),
    ("CCC", "DDD", 1),
    ("BBB", "DDD", 1),
    ("BBB", "AAA", 1),
    ("AAA", "EEE", 0),
]


def small() -> AirNetwork:
    return AirNetwork.build(AIRPORTS, ROUTES, "test")


def test_hand_computed_shares_and_effective_distances():
    table = importation_risk(small(), ["AAA"])
    rows = dict(
        zip(
            table.destinations,
            zip(table.share, table.effective_distance, table.rank, strict=True),
            strict=True,
        )
    )
    assert rows["BBB"][0] == pytest.approx(0.75) and rows["CCC"][0] == pytest.approx(0.25)
    assert rows["DDD"][0] == 0  # not a direct destination
    assert rows["BBB"][1] == pytest.approx(1 - math.log(0.75))
    assert rows["CCC"][1] == pytest.approx(1 + math.log(4))
    # D is reached through B (1 - ln 3/4 + 1 - ln 1/2), shorter than through C
    assert rows["DDD"][1] == pytest.approx(2 - math.log(0.75) + math.log(2))
    assert [rows[c][2] for c in ("BBB", "CCC", "DDD")] == [1, 2, 3]
    assert "AAA" not in rows and "EEE" not in rows  # the origin; no route, unreachable
    assert math.isnan(table.expected[0]) and math.isnan(table.probability[0])


def test_countries_weights_and_probabilities():
    by_country = importation_risk(small(), ["AAA"], by="country")
    assert by_country.destinations == ["XBB", "XCC"]  # the origin's own country left out
    assert by_country.share.tolist() == pytest.approx([0.75, 0.25])
    assert by_country.effective_distance[1] == pytest.approx(1 + math.log(4))  # least of C, D
    # two origins weighted by their cases: A (3 cases) and B (1 case)
    both = importation_risk(small(), ["AAA", "BBB"], origin_weights=[3, 1])
    shares = dict(zip(both.destinations, both.share, strict=True))
    # A: C 1/4 (B is an origin, left out); B: D 1/2 (A left out); renormalised
    raw = {"CCC": 0.75 * 0.25, "DDD": 0.25 * 0.5}
    total = sum(raw.values())
    assert shares["CCC"] == pytest.approx(raw["CCC"] / total)
    assert shares["DDD"] == pytest.approx(raw["DDD"] / total)
    # absolute volumes: λ = prevalence × passengers, P = 1 - exp(-λ)
    volumes = AirNetwork.build(
        AIRPORTS, [("AAA", "BBB", 30000.0), ("AAA", "CCC", 10000.0)], "volumes"
    )
    table = importation_risk(volumes, ["AAA"], prevalence=1e-4, absolute=True)
    rows = dict(
        zip(table.destinations, zip(table.expected, table.probability, strict=True), strict=True)
    )
    assert rows["BBB"][0] == pytest.approx(3.0)
    assert rows["BBB"][1] == pytest.approx(1 - math.exp(-3.0))
    assert rows["CCC"][1] == pytest.approx(1 - math.exp(-1.0))


def test_properties_on_the_openflights_network():
    network = openflights.default_network()
    assert network.skipped > 0  # rows with unknown airports are counted, not used
    graph = network.distance_graph()
    assert graph.data.min() >= 1.0  # d = 1 - ln P with P <= 1
    rng = np.random.default_rng(1)
    with_routes = np.flatnonzero(np.diff(network.weights.indptr) > 0)
    coo = graph.tocoo()
    for origin in rng.choice(with_routes, size=5, replace=False):
        code = network.codes[origin]
        table = importation_risk(network, [code])
        assert table.share.sum() == pytest.approx(1.0)
        assert (np.diff(table.share) <= 1e-12).all()  # ranked by share
        distance = network.effective_distance([origin])
        # the triangle inequality along every edge of the graph
        finite = np.isfinite(distance[coo.row])
        assert (
            distance[coo.col][finite] <= distance[coo.row][finite] + coo.data[finite] + 1e-9
        ).all()


#: Day (in January 2020) of the first confirmed case reported by each country or
#: territory, from the WHO novel coronavirus situation reports 1-11 (21-31 January
#: 2020) and the first cases they list.
FIRST_CASE_DAY = {
    "THA": 13,
    "JPN": 16,
    "KOR": 20,
    "USA": 21,
    "TWN": 21,
    "HKG": 22,
    "MAC": 22,
    "SGP": 23,
    "VNM": 23,
    "NPL": 24,
    "FRA": 24,
    "AUS": 25,
    "MYS": 25,
    "CAN": 26,
    "KHM": 27,
    "LKA": 27,
    "DEU": 28,
    "ARE": 29,
    "PHL": 30,
    "IND": 30,
    "FIN": 30,
    "ITA": 31,
    "GBR": 31,
    "RUS": 31,
    "SWE": 31,
    "ESP": 31,
}


def test_effective_distance_from_wuhan_orders_the_first_arrivals_of_2020():
    """Brockmann & Helbing's claim: arrival time grows with effective distance.
    On OpenFlights' 2014 routes, D_eff from Wuhan (WUH) and the day each country
    reported its first case in January 2020 have a rank correlation of 0.77."""
    table = importation_risk(openflights.default_network(), ["WUH"], by="country")
    distance = dict(zip(table.destinations, table.effective_distance, strict=True))
    rho = spearmanr([distance[c] for c in FIRST_CASE_DAY], list(FIRST_CASE_DAY.values()))
    assert rho.statistic == pytest.approx(0.768, abs=0.01)
    assert rho.pvalue < 1e-4


def _out(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_command_line_contract(monkeypatch, capsys, database_url, tmp_path):
    r = run_cli(monkeypatch, capsys, database_url, "risk", "importation", "--origin", "SIN")
    assert r.code == 0, r.err
    assert "OpenFlights" in r.err  # the attribution and the data's limits, on stderr
    assert "warning: 730 OpenFlights route rows" in r.err
    rows = _out(r.out)
    assert list(rows[0]) == [
        "destination",
        "share",
        "expected_importations",
        "probability_at_least_one",
        "effective_distance",
        "rank",
    ]
    assert "SIN" not in {x["destination"] for x in rows}
    assert sum(float(x["share"]) for x in rows) == pytest.approx(1.0)
    assert rows[0]["rank"] == "1" and rows[0]["expected_importations"] == ""
    assert float(rows[0]["share"]) == max(float(x["share"]) for x in rows)
    assert all(float(x["effective_distance"]) >= 1 for x in rows)

    volumes = tmp_path / "v.csv"
    volumes.write_text(
        "origin,destination,passengers\nSIN,CGK,20000\nSIN,KUL,20000\nSIN,BKK,10000\n"
    )
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "risk",
        "importation",
        "--origin",
        "SIN",
        "--volumes",
        str(volumes),
        "--cases",
        "600",
        "--population",
        "6000000",
        "--by",
        "country",
    )
    assert r.code == 0, r.err
    rows = {x["destination"]: x for x in _out(r.out)}
    assert set(rows) == {"IDN", "MYS", "THA"}
    assert float(rows["IDN"]["share"]) == pytest.approx(0.4)
    assert float(rows["IDN"]["expected_importations"]) == pytest.approx(2.0)
    assert float(rows["THA"]["probability_at_least_one"]) == pytest.approx(1 - math.exp(-1))


@pytest.mark.parametrize(
    ("args", "volumes", "reason"),
    [
        (["--origin", "ZZZ"], None, "unknown IATA airport code 'ZZZ'"),
        (["--origin", "SIN", "--prevalence", "1.5"], None, "between 0 and 1"),
        (["--origin", "SIN", "--prevalence", "-0.1"], None, "between 0 and 1"),
        (["--origin", "SIN", "--cases", "5"], None, "go together"),
        (["--origin", "SIN", "--by", "city"], None, "airport or country"),
        (["--origin", "SIN,KUL", "--origin-weights", "1"], None, "one origin weight per origin"),
        (["--origin", "SIN"], "origin,destination,passengers\nSIN,CGK,-5\n", "negative"),
        (["--origin", "SIN"], "origin,destination,passengers\nSIN,QQQ,5\n", "unknown IATA"),
        (["--origin", "SIN"], "origin,passengers\nSIN,5\n", "no column destination"),
    ],
)
def test_bad_input_is_one_clear_line(
    monkeypatch, capsys, database_url, tmp_path, args, volumes, reason
):
    if volumes is not None:
        (tmp_path / "v.csv").write_text(volumes)
        args = [*args, "--volumes", str(tmp_path / "v.csv")]
    r = run_cli(monkeypatch, capsys, database_url, "risk", "importation", *args)
    assert r.code == 1 and r.out == ""
    assert reason in r.err and r.err.count("\n") == 1, r.err


def test_api_returns_the_same_table(client, make_person, monkeypatch, capsys, database_url):
    officer = make_person("IDN", "officer")
    assert client.get("/api/v1/risk/importation", params={"origin": "CGK"}).status_code == 401
    r = client.get(
        "/api/v1/risk/importation",
        headers=officer.headers,
        params={"origin": "CGK", "by": "country"},
    )
    assert r.status_code == 200
    body = r.json()
    assert "2014" in body["network"] and "ODbL" in body["attribution"]
    cli = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "risk",
        "importation",
        "--origin",
        "CGK",
        "--by",
        "country",
    )
    expected = _out(cli.out)
    assert [x["destination"] for x in body["rows"]] == [x["destination"] for x in expected]
    assert body["rows"][0]["share"] == pytest.approx(float(expected[0]["share"]))
    bad = client.get(
        "/api/v1/risk/importation", headers=officer.headers, params={"origin": "CGK,XXQ"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "origin"


def test_the_page_ranks_destinations(client, make_person):
    from tests.conftest import PASSWORD
    from tests.web_helpers import login

    officer = make_person("THA", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/risk/importation", params={"origin": "BKK", "by": "country"})
    assert page.status_code == 200 and 'id="importation-table"' in page.text
    assert "OpenFlights" in page.text and "2014" in page.text
    assert ">THA<" not in page.text  # the origin's own country is left out
    bad = client.get("/risk/importation", params={"origin": "QQQ"})
    assert bad.status_code == 422 and "unknown IATA airport code" in bad.text
    client.cookies.clear()
    assert client.get("/risk/importation", follow_redirects=False).status_code == 303


def test_api_with_volumes(client, make_person):
    officer = make_person("MYS", "officer")
    files = {
        "volumes": (
            "v.csv",
            b"origin,destination,passengers\nKUL,SIN,40000\nKUL,CGK,10000\n",
            "text/csv",
        )
    }
    r = client.post(
        "/api/v1/risk/importation",
        headers=officer.headers,
        files=files,
        data={"origin": "KUL", "by": "country", "prevalence": "0.0001"},
    )
    assert r.status_code == 200, r.text
    rows = {x["destination"]: x for x in r.json()["rows"]}
    assert rows["SGP"]["share"] == pytest.approx(0.8)
    assert rows["SGP"]["expected_importations"] == pytest.approx(4.0)
    assert rows["IDN"]["probability_at_least_one"] == pytest.approx(1 - math.exp(-1))
    bad = {"volumes": ("v.csv", b"origin,destination,passengers\nKUL,SIN,-1\n", "text/csv")}
    r = client.post(
        "/api/v1/risk/importation", headers=officer.headers, files=bad, data={"origin": "KUL"}
    )
    assert r.status_code == 422 and r.json()["field"] == "volumes"
    r = client.post(
        "/api/v1/risk/importation",
        headers=officer.headers,
        files=files,
        data={"origin": "KUL", "prevalence": "2"},
    )
    assert r.status_code == 422 and r.json()["field"] == "prevalence"


def test_the_page_takes_passenger_volumes(client, make_person):
    from tests.conftest import PASSWORD
    from tests.web_helpers import csrf_of, login

    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/risk/importation")
    volumes = b"origin,destination,passengers\nCGK,SIN,30000\nCGK,KUL,10000\n"
    r = client.post(
        "/risk/importation",
        data={
            "csrf_token": csrf_of(page.text),
            "origin": "CGK",
            "by": "country",
            "prevalence": "0.0001",
        },
        files={"volumes": ("v.csv", volumes, "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert "Expected infected travellers per month" in r.text
    assert "3.00" in r.text and "95.0%" in r.text  # SGP: λ = 3, P = 1 - e^-3
    bad = client.post(
        "/risk/importation",
        data={"csrf_token": csrf_of(page.text), "origin": "CGK", "prevalence": "7"},
        files={"volumes": ("v.csv", volumes, "text/csv")},
    )
    assert bad.status_code == 422 and "between 0 and 1" in bad.text
    no_csrf = client.post(
        "/risk/importation",
        data={"origin": "CGK"},
        files={"volumes": ("v.csv", volumes, "text/csv")},
    )
    assert no_csrf.status_code == 403


def test_dissemination_report_for_open_events(client, make_person):
    idn, tha = make_person("IDN", "officer"), make_person("THA", "officer")
    client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={"title": "Dengue in Jakarta", "hazard": "Dengue", "country": "IDN"},
    )
    client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "Restricted cluster",
            "hazard": "Diphtheria",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    )
    html = client.get("/api/v1/risk/dissemination-report.html", headers=tha.headers)
    assert html.status_code == 200
    assert "Dengue in Jakarta" in html.text and "Restricted cluster" not in html.text
    assert "CGK" in html.text and "Singapore (SGP)" in html.text and "ODbL" in html.text
    indonesian = client.get(
        "/api/v1/risk/dissemination-report.html", headers=tha.headers, params={"lang": "id"}
    )
    assert "Risiko penyebaran internasional" in indonesian.text
    pdf = client.get("/api/v1/risk/dissemination-report.pdf", headers=idn.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/api/v1/risk/dissemination-report.html").status_code == 401


def _volumes_network() -> AirNetwork:
    return AirNetwork.build(
        AIRPORTS,
        [
            ("AAA", "CCC", 1000.0),
            ("AAA", "DDD", 3000.0),
            ("BBB", "CCC", 2000.0),
            ("BBB", "DDD", 500.0),
            ("AAA", "BBB", 400.0),
        ],
        "volumes",
    )


def test_expected_importations_sum_the_prevalence_of_each_origin():
    # λ_j = Σ_i p_i V_ij; P_j = 1 - exp(-λ_j); the origins' own airports left out
    table = importation_risk(
        _volumes_network(), ["AAA", "BBB"], prevalence=[1e-3, 1e-4], absolute=True
    )
    rows = {
        d: (s, e, p)
        for d, s, e, p in zip(
            table.destinations, table.share, table.expected, table.probability, strict=True
        )
    }
    assert set(rows) == {"CCC", "DDD"}
    assert rows["CCC"][1] == pytest.approx(1e-3 * 1000 + 1e-4 * 2000)
    assert rows["DDD"][1] == pytest.approx(1e-3 * 3000 + 1e-4 * 500)
    assert rows["DDD"][2] == pytest.approx(1 - math.exp(-3.05))
    # without weights the origins count by their expected infected travellers,
    # so the shares are those of the expected importations
    total = rows["CCC"][1] + rows["DDD"][1]
    assert rows["CCC"][0] == pytest.approx(rows["CCC"][1] / total)


def test_the_origins_prevalences_change_the_expected_counts():
    """The bug of issue 18: 0.99/0.01 and 0.01/0.99 gave identical counts."""

    def expected(p):
        t = importation_risk(_volumes_network(), ["AAA", "BBB"], prevalence=p, absolute=True)
        return dict(zip(t.destinations, t.expected, strict=True))

    one, other = expected([0.99e-3, 0.01e-3]), expected([0.01e-3, 0.99e-3])
    assert one["DDD"] == pytest.approx(0.99e-3 * 3000 + 0.01e-3 * 500)
    assert other["DDD"] == pytest.approx(0.01e-3 * 3000 + 0.99e-3 * 500)
    assert one["CCC"] != pytest.approx(other["CCC"])
    # explicit weights shape the shares only; the counts stay Σ p_i V_ij
    weighted = importation_risk(
        _volumes_network(),
        ["AAA", "BBB"],
        prevalence=[0.99e-3, 0.01e-3],
        origin_weights=[1, 1],
        absolute=True,
    )
    assert dict(zip(weighted.destinations, weighted.expected, strict=True)) == pytest.approx(one)
    with pytest.raises(ValueError, match="one prevalence per origin"):
        importation_risk(_volumes_network(), ["AAA", "BBB"], prevalence=[1e-3] * 3, absolute=True)
    with pytest.raises(ValueError, match="needs passenger volumes"):
        importation_risk(small(), ["AAA"], prevalence=1e-3)


CGK_DPS = (
    "origin,destination,passengers\n"
    "CGK,SIN,30000\nCGK,KUL,10000\nCGK,DPS,8000\nDPS,SIN,5000\nDPS,PER,20000\n"
)


def test_command_line_contract_with_a_prevalence_per_origin(
    monkeypatch, capsys, database_url, tmp_path
):
    volumes, out = tmp_path / "v.csv", tmp_path / "out.csv"
    volumes.write_text(CGK_DPS)
    args = ["risk", "importation", "--origin", "CGK,DPS", "--volumes", str(volumes)]
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        *args,
        "--origin-prevalence",
        "1e-4,1e-6",
        "--by",
        "airport",
        "-o",
        str(out),
    )
    assert r.code == 0, r.err
    rows = {x["destination"]: x for x in _out(out.read_text())}
    assert set(rows) == {"SIN", "KUL", "PER"}  # DPS is an origin
    lam = {"SIN": 1e-4 * 30000 + 1e-6 * 5000, "KUL": 1e-4 * 10000, "PER": 1e-6 * 20000}
    for code, value in lam.items():
        assert float(rows[code]["expected_importations"]) == pytest.approx(value)
        assert float(rows[code]["probability_at_least_one"]) == pytest.approx(1 - math.exp(-value))
    swapped = run_cli(monkeypatch, capsys, database_url, *args, "--origin-prevalence", "1e-6,1e-4")
    assert swapped.code == 0, swapped.err
    assert float(_out(swapped.out)[0]["expected_importations"]) != pytest.approx(lam["SIN"])


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--origin-prevalence", "1e-4"], "one value per origin: 2 origins, 1 values"),
        (["--origin-prevalence", "1e-4,x"], "numbers separated by commas"),
        (["--origin-prevalence", "1e-4,2"], "between 0 and 1"),
        (["--prevalence", "1e-4"], "for one origin"),
        (["--cases", "5", "--population", "100"], "for one origin"),
        (["--origin-prevalence", "1e-4,1e-4", "--prevalence", "1e-4"], "either"),
    ],
)
def test_bad_prevalences_are_one_clear_line(
    monkeypatch, capsys, database_url, tmp_path, args, reason
):
    (tmp_path / "v.csv").write_text(CGK_DPS)
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "risk",
        "importation",
        "--origin",
        "CGK,DPS",
        "--volumes",
        str(tmp_path / "v.csv"),
        *args,
    )
    assert r.code == 1 and r.out == ""
    assert reason in r.err and r.err.count("\n") == 1, r.err


def test_a_prevalence_needs_passenger_volumes(monkeypatch, capsys, database_url):
    r = run_cli(
        monkeypatch, capsys, database_url, "risk", "importation", "--origin", "SIN",
        "--prevalence", "1e-4",
    )  # fmt: skip
    assert r.code == 1 and "needs --volumes" in r.err and r.err.count("\n") == 1


def test_api_takes_a_prevalence_per_origin(client, make_person):
    officer = make_person("IDN", "officer")
    files = {"volumes": ("v.csv", CGK_DPS.encode(), "text/csv")}

    def post(**data):
        return client.post(
            "/api/v1/risk/importation",
            headers=officer.headers,
            files=files,
            data={"origin": "CGK,DPS", **data},
        )

    r = post(origin_prevalence="1e-4,1e-6")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["share_of"] == "share of passengers"
    rows = {x["destination"]: x for x in body["rows"]}
    assert rows["SIN"]["expected_importations"] == pytest.approx(3.005)
    assert rows["PER"]["probability_at_least_one"] == pytest.approx(1 - math.exp(-0.02))
    for data, field in (
        ({"origin_prevalence": "1e-4"}, "origin_prevalence"),
        ({"origin_prevalence": "1e-4,abc"}, "origin_prevalence"),
        ({"origin_prevalence": "1e-4,3"}, "origin_prevalence"),
        ({"prevalence": "1e-4"}, "prevalence"),
        ({"prevalence": "1e-4", "origin_prevalence": "1e-4,1e-4"}, "origin_prevalence"),
    ):
        bad = post(**data)
        assert bad.status_code == 422, (data, bad.text)
        problem = bad.json()
        assert problem["field"] == field and bad.headers["content-type"].startswith(
            "application/problem+json"
        ), (data, problem)
    plain = client.get(
        "/api/v1/risk/importation", headers=officer.headers, params={"origin": "CGK"}
    )
    assert plain.json()["share_of"] == "share of direct airline routes (OpenFlights, June 2014)"


def test_labels_say_what_the_share_is_of(client, make_person):
    from tests.conftest import PASSWORD
    from tests.web_helpers import csrf_of, login

    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/risk/importation", params={"origin": "CGK", "by": "country"})
    assert "Share of direct airline routes (OpenFlights, June 2014)" in page.text
    assert "air travel" not in page.text and "not cumulative reported cases" in page.text
    r = client.post(
        "/risk/importation",
        data={
            "csrf_token": csrf_of(page.text),
            "origin": "CGK,DPS",
            "by": "airport",
            "prevalence": "0.0001,0.000001",
        },
        files={"volumes": ("v.csv", CGK_DPS.encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert "Share of passengers" in r.text and "3.00" in r.text  # SIN: λ = 3.005
    bad = client.post(
        "/risk/importation",
        data={"csrf_token": csrf_of(page.text), "origin": "CGK,DPS", "prevalence": "0.0001"},
        files={"volumes": ("v.csv", CGK_DPS.encode(), "text/csv")},
    )
    assert bad.status_code == 422 and "one prevalence per origin" in bad.text
    report = client.get("/api/v1/risk/dissemination-report.html", headers=officer.headers)
    assert "air travel" not in report.text
    assert "direct airline routes" in report.text
