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
    out = tmp_path / "out.csv"
    result = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "analyze",
        "aberration",
        str(REFERENCE / "aberration_input.csv"),
        *aberration_arguments(name),
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    mine, theirs = read(out), read(REFERENCE / f"aberration_{name}.csv")
    assert len(mine) == len(theirs)
    alarms = 0
    for a, b in zip(mine, theirs, strict=True):
        assert (a["series"], a["period"], a["count"]) == (b["series"], b["period"], b["count"])
        assert a["alarm"] == b["alarm"], (name, b)
        assert close(a["threshold"], b["threshold"]), (name, a, b)
        assert close(a["expected"], b["expected"]), (name, a, b)
        alarms += b["alarm"] == "1"
    assert alarms > 0  # the comparison includes alarms, not only quiet weeks


@pytest.mark.parametrize("name", RT)
def test_rt_matches_epiestim(name, tmp_path, monkeypatch, capsys, database_url):
    dataset, _, kind = name.partition("_")
    if kind == "nonparametric":
        si = ["--si-distribution", str(REFERENCE / f"rt_{dataset}_si.csv")]
    else:
        _, mean, sd = kind.split("_")
        si = ["--si-mean", mean, "--si-sd", sd]
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
        assert a.keys() == b.keys()
        for column in a:
            assert (
                close(a[column], b[column])
                if column not in ("window_start", "window_end")
                else a[column] == b[column]
            ), (name, column, a, b)
