"""eocnet's analytics against the numbers R computed.

tests/reference/make_reference.R ran R's surveillance (earsC,
farringtonFlexible) and EpiEstim (estimate_R) on datasets those packages
ship, with several option sets, and wrote the results in the format of
``eocnet analyze``. Here the CLI runs on the same inputs and must give the
same alarms and the same thresholds, expected counts and R estimates within
1e-6 relative. R is not needed to run these tests.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from eocnet.analytics.aberration import METHODS, AberrationMethod
from eocnet.analytics.farrington import FarringtonOptions
from tests.helpers import run_cli

REFERENCE = Path(__file__).parent / "reference"
TOLERANCE = 1e-6

FLAGS = {
    "baseline": "--baseline",
    "alpha": "--alpha",
    "minsigma": "--min-sigma",
    "noperiods": "--no-periods",
    "pastweeks": "--past-weeks-not-included",
    "b": "--b",
    "w": "--w",
}


def aberration_arguments(name: str) -> list[str]:
    """CLI arguments from a reference file name, e.g.
    ``farrington-flexible_noperiods10_pastweeks26_nbplugin``."""
    method, _, options = name.partition("_")
    args = ["--method", method]
    for part in options.split("_"):
        if part in ("default", ""):
            continue
        if part in ("nbplugin", "muan"):
            args += ["--threshold-method", {"nbplugin": "nbPlugin", "muan": "muan"}[part]]
            continue
        if part == "noufaily":
            args += ["--preset", "noufaily"]
            continue
        if part == "fallback":
            args += ["--fallback"]
            continue
        key = next(k for k in sorted(FLAGS, key=len, reverse=True) if part.startswith(k))
        args += [FLAGS[key], part[len(key) :]]
    return args


def close(mine: str, theirs: str) -> bool:
    if mine == "" or theirs == "":
        return mine == theirs
    a, b = float(mine), float(theirs)
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=1e-9)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


ABERRATION = sorted(
    p.stem.removeprefix("aberration_") for p in REFERENCE.glob("aberration_*_*.csv")
)
RT = sorted(p.stem.removeprefix("rt_") for p in REFERENCE.glob("rt_*parametric*.csv"))


def test_the_reference_covers_every_method_and_option():
    methods = {name.partition("_")[0] for name in ABERRATION}
    assert methods == {"ears-c1", "ears-c2", "ears-c3", "farrington-flexible"}
    joined = " ".join(ABERRATION)
    for option in (
        "noperiods",
        "pastweeks",
        "nbplugin",
        "muan",
        "_b3",
        "w2",
        "alpha",
        "baseline",
        "minsigma",
    ):
        assert option in joined
    assert any("nonparametric" in n for n in RT) and any("_parametric_" in n for n in RT)


@pytest.mark.parametrize("name", ABERRATION)
def test_aberration_matches_r(name, tmp_path, monkeypatch, capsys, database_url):
    theirs = read(REFERENCE / f"aberration_{name}.csv")
    # every reference holds every series; the filter keeps the check honest if not
    wanted = {r["series"] for r in theirs}
    source = tmp_path / "in.csv"
    with source.open("w") as fh:
        rows = read(REFERENCE / "aberration_input.csv")
        fh.write("series,period,count\n")
        fh.writelines(
            f"{r['series']},{r['period']},{r['count']}\n" for r in rows if r["series"] in wanted
        )
    out = tmp_path / "out.csv"
    result = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "analyze",
        "aberration",
        str(source),
        *aberration_arguments(name),
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    assert "alarms per 100 series-weeks on this history" in result.err
    mine = read(out)
    assert len(mine) == len(theirs)
    alarms = 0
    for a, b in zip(mine, theirs, strict=True):
        assert (a["series"], a["period"], a["count"]) == (b["series"], b["period"], b["count"])
        assert a["alarm"] == b["alarm"], (name, b)
        assert close(a["threshold"], b["threshold"]), (name, a, b)
        assert close(a["expected"], b["expected"]), (name, a, b)
        alarms += b["alarm"] == "1"
        if "fallback" in name and b["threshold"] and a["note"]:
            assert a["note"].startswith(
                ("fewer years", "less than a year", "Farrington with all")
            ), a
    assert alarms > 0  # the comparison includes alarms, not only quiet weeks


@pytest.mark.parametrize("name", RT)
def test_rt_matches_epiestim(name, tmp_path, monkeypatch, capsys, database_url):
    dataset, _, kind = name.partition("_")
    if kind == "nonparametric":
        si_file = REFERENCE / f"rt_{dataset.removesuffix('imported')}_si.csv"
        si = ["--si-distribution", str(si_file)]
    else:
        _, mean, sd, *rest = kind.split("_")
        si = ["--si-mean", mean, "--si-sd", sd]
        si += [a for part in rest for a in ("--window", part.removeprefix("window"))]
    out = tmp_path / "rt.csv"
    result = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "analyze",
        "rt",
        str(REFERENCE / f"rt_{dataset}_incidence.csv"),
        *si,
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    mine, theirs = read(out), read(REFERENCE / f"rt_{name}.csv")
    assert len(mine) == len(theirs) > 0
    for a, b in zip(mine, theirs, strict=True):
        # EpiEstim's columns, then eocnet's cv and note
        assert list(a) == [*b, "cv", "note"]
        for column in b:
            assert (
                close(a[column], b[column])
                if column not in ("window_start", "window_end")
                else a[column] == b[column]
            ), (name, column, a, b)
        if b["mean"]:
            # the posterior is gamma: its coefficient of variation is R's std / mean
            assert close(a["cv"], str(float(b["std"]) / float(b["mean"]))), (name, a, b)
            assert (a["note"] != "") == (float(a["cv"]) > 0.3), (name, a)
        else:
            assert a["cv"] == "" and a["note"] == "ends before the mean serial interval"
    if "imported" in name:
        assert any(int(r["imported"]) for r in read(REFERENCE / f"rt_{dataset}_incidence.csv"))


#: R's name of each option in the control list -> eocnet's
R_OPTION = {
    "baseline": "baseline",
    "alpha": "alpha",
    "minSigma": "min_sigma",
    "b": "b",
    "w": "w",
    "noPeriods": "no_periods",
    "pastWeeksNotIncluded": "past_weeks_not_included",
    "thresholdMethod": "threshold_method",
    "reweight": "reweight",
    "weightsThreshold": "weights_threshold",
    "trend": "trend",
    "pThresholdTrend": "p_threshold_trend",
    "limit54": "limit54",
    "powertrans": "powertrans",
}


def as_r(value: object) -> str:
    """A value as make_reference.R writes R's (numbers %.15g, vectors spaced)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"{value:.15g}"
    if isinstance(value, tuple):
        return " ".join(as_r(v) for v in value)
    return str(value)


def r_defaults() -> dict[str, dict[str, str]]:
    """Each method's control list as R fills it in when given only the method
    (tests/reference/r_defaults.csv, written by make_reference.R: earsC's as
    the fit returns it, farringtonFlexible's formal control list)."""
    table: dict[str, dict[str, str]] = {}
    for row in read(REFERENCE / "r_defaults.csv"):
        table.setdefault(row["method"], {})[row["option"]] = row["value"]
    return table


def test_every_default_is_r_s_method_by_method():
    defaults = r_defaults()
    assert set(defaults) == set(METHODS)
    assert defaults["ears-c3"]["alpha"] == "0.025"  # earsC: C3's own default
    for name in METHODS:
        method = AberrationMethod(name)
        mine = method.settings()
        if not method.is_ears:
            options = FarringtonOptions()
            mine = {
                k: getattr(options, k)
                for k in R_OPTION.values()
                if hasattr(options, k) and k not in mine
            } | mine
        for option, value in defaults[name].items():
            if option == "populationOffset":  # not supported: always without
                assert value == "false"
                continue
            if value == "w":  # pastWeeksNotIncluded NULL: the body sets it to w
                value = defaults[name]["w"]
            assert as_r(mine[R_OPTION[option]]) == value, (name, option)


def test_the_help_states_r_s_defaults():
    import typer.main

    from eocnet.cli import app

    group = typer.main.get_command(app)
    command = group.commands["analyze"].commands["aberration"]  # type: ignore[attr-defined]
    helps = {p.name: p.help or "" for p in command.params}
    defaults = r_defaults()
    assert f"{defaults['ears-c1']['alpha']} for EARS C1 and C2" in helps["alpha"]
    assert defaults["ears-c1"]["alpha"] == defaults["ears-c2"]["alpha"]
    assert f"{defaults['ears-c3']['alpha']} for C3" in helps["alpha"]
    assert f"{defaults['farrington-flexible']['alpha']} for Farrington" in helps["alpha"]
    for method, option in (
        ("ears-c1", "baseline"),
        ("ears-c1", "minSigma"),
        ("farrington-flexible", "b"),
        ("farrington-flexible", "w"),
        ("farrington-flexible", "noPeriods"),
        ("farrington-flexible", "thresholdMethod"),
    ):
        assert f"(R: {defaults[method][option]})" in helps[R_OPTION[option]], option
    assert "(R: w)" in helps["past_weeks_not_included"]


def test_ears_c3_without_alpha_is_r_s_earsc_c3(tmp_path, monkeypatch, capsys, database_url):
    """The contract: --method ears-c3 without --alpha gives R's
    earsC(method = "C3"), whose alpha is 0.025, not C1's 0.001."""
    out = tmp_path / "c3.csv"
    args = ["analyze", "aberration", str(REFERENCE / "aberration_input.csv")]
    result = run_cli(
        monkeypatch, capsys, database_url, *args, "--method", "ears-c3", "-o", str(out)
    )
    assert result.code == 0, result.err
    theirs = read(REFERENCE / "aberration_ears-c3_default.csv")
    assert theirs == read(REFERENCE / "aberration_ears-c3_alpha0.025.csv")
    mine = read(out)
    assert [a["alarm"] for a in mine] == [b["alarm"] for b in theirs]
    assert all(close(a["threshold"], b["threshold"]) for a, b in zip(mine, theirs, strict=True))
    c1 = AberrationMethod("ears-c1").settings()["alpha"]
    assert AberrationMethod("ears-c3").settings()["alpha"] == 0.025 != c1
