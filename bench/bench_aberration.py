"""Signal detection on 1,000 weekly series x 520 weeks, the last 104 weeks
evaluated: Farrington flexible and EARS, and the ratio to R's farringtonFlexible
on the same data in the same run (when Rscript with surveillance is installed:
make bench-deps). Target: at least 10x faster than R with identical alarms."""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from eocnet.analytics.aberration import AberrationMethod

SERIES = 1000
WEEKS = 520
EVALUATED = 104
R_SERIES = 20  # R takes seconds per series; it runs on a subset, compared per series
TARGET = 10.0


def make_series(seed: int = 2026) -> list[tuple[list[date], np.ndarray]]:
    """Seasonal negative-binomial counts with a trend, of very different sizes,
    and outbreaks in some series."""
    rng = np.random.default_rng(seed)
    start = date(2016, 1, 4)
    dates = [start + timedelta(weeks=i) for i in range(WEEKS)]
    weeks = np.arange(WEEKS)
    out = []
    for _ in range(SERIES):
        level = rng.choice([0.3, 2.0, 10.0, 60.0, 400.0])
        season = 1 + 0.5 * np.sin(2 * np.pi * (weeks / 52.18 + rng.random()))
        trend = np.exp(rng.normal(0, 0.0008) * weeks)
        mean = level * season * trend
        counts = rng.negative_binomial(5, 5 / (5 + mean)).astype(float)
        if rng.random() < 0.3:
            at = rng.integers(WEEKS - EVALUATED, WEEKS - 3)
            counts[at : at + 3] += rng.poisson(3 * mean[at : at + 3] + 5)
        out.append((dates, counts))
    return out


def _run_r(series: list[tuple[list[date], np.ndarray]], tmp: Path) -> tuple[float, dict] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    check = subprocess.run([rscript, "-e", "library(surveillance)"], capture_output=True)
    if check.returncode != 0:
        return None
    source = tmp / "input.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series", "period", "count"])
        for i, (dates, counts) in enumerate(series):
            writer.writerows(
                (f"s{i}", d.isoformat(), int(c)) for d, c in zip(dates, counts, strict=True)
            )
    result = tmp / "r.csv"
    script = Path(__file__).with_name("farrington_flexible.R")
    done = subprocess.run(
        [rscript, str(script), str(source), str(result), str(EVALUATED)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = float(done.stdout.split()[-1])
    with result.open() as handle:
        rows = {(r["series"], r["period"]): r for r in csv.DictReader(handle)}
    return seconds, rows


def run() -> None:
    series = make_series()
    fits = SERIES * EVALUATED
    print(f"   {SERIES} series x {WEEKS} weeks, last {EVALUATED} evaluated ({fits:,} periods)")
    for name in ("ears-c1", "ears-c2", "ears-c3"):
        started = time.perf_counter()
        AberrationMethod(name).detect_many(series)  # type: ignore[arg-type]
        print(f"   {name:22s} {time.perf_counter() - started:7.2f} s (every week of every series)")

    farrington = AberrationMethod("farrington-flexible")
    started = time.perf_counter()
    results = farrington.detect_many(series, last=EVALUATED)
    ours = time.perf_counter() - started
    alarms = int(sum(np.nansum(r.alarm) for r in results))
    print(
        f"   farrington-flexible    {ours:7.2f} s  ({ours / fits * 1e6:.0f} us per period, "
        f"{alarms} alarms)"
    )

    subset = series[:R_SERIES]
    started = time.perf_counter()
    ours_subset = farrington.detect_many(subset, last=EVALUATED)
    ours_subset_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        r = _run_r(subset, Path(tmp))
    if r is None:
        print(
            "   R: Rscript with the surveillance package is not installed (make bench-deps); "
            "no ratio"
        )
        return
    r_seconds, r_rows = r
    same = differ = 0
    for i, (dates, _) in enumerate(subset):
        for k in range(WEEKS - EVALUATED, WEEKS):
            row = r_rows[(f"s{i}", dates[k].isoformat())]
            mine = ours_subset[i].alarm[k]
            theirs = float(row["alarm"]) if row["alarm"] != "NA" else float("nan")
            if mine == theirs or (np.isnan(mine) and np.isnan(theirs)):
                same += 1
            else:
                differ += 1
    r_full = r_seconds / R_SERIES * SERIES
    ratio = r_full / ours
    print(
        f"   R farringtonFlexible   {r_seconds:7.2f} s for {R_SERIES} series "
        f"(eocnet: {ours_subset_s:.2f} s) -> {r_full:.0f} s for {SERIES} (per-series rate)"
    )
    print(f"   alarms identical to R on {same} of {same + differ} periods")
    verdict = "meets" if ratio >= TARGET and differ == 0 else "MISSES"
    print(
        f"   ratio R / eocnet: {ratio:.1f}x  ({verdict} the target of >= {TARGET:.0f}x with "
        "identical alarms)"
    )
