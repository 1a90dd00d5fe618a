"""``eocnet analyze``: signal detection and Rt on CSV files, no database."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from eocnet.cli.common import OutputCsv, fail, group, read_input, write_output

app = group(
    "Signal detection and the reproduction number on CSV files, with the same numbers "
    "as R's surveillance and EpiEstim packages. No database needed."
)


@app.command("aberration")
def analyze_aberration(
    input_file: Annotated[
        str, typer.Argument(metavar="INPUT.csv", help="Columns series,period,count; - for stdin.")
    ],
    method: Annotated[
        str,
        typer.Option(help="ears-c1, ears-c2, ears-c3 or farrington-flexible."),
    ] = "farrington-flexible",
    output: OutputCsv = "-",
    preset: Annotated[
        str | None,
        typer.Option(
            help="r-default (R's own defaults, as without this option) or noufaily "
            "(Farrington: Noufaily et al. 2013 as Salmon et al. 2016: --no-periods 10, "
            "--past-weeks-not-included 26, nbPlugin, trend kept unless it extrapolates, "
            "all past years)."
        ),
    ] = None,
    fallback: Annotated[
        bool,
        typer.Option(
            "--fallback",
            help="Farrington: where a week has fewer than b years of history, use the years "
            "it has, and EARS C3 with less than one year (the note column says so). "
            "Without it such weeks have no result, as in R.",
        ),
    ] = False,
    b: Annotated[int | None, typer.Option("--b", help="Farrington: years back (R: 5).")] = None,
    w: Annotated[
        int | None, typer.Option("--w", help="Farrington: half-window in weeks (R: 3).")
    ] = None,
    alpha: Annotated[
        float | None,
        typer.Option(
            help="Significance level (R: 0.001 for EARS C1 and C2, 0.025 for C3, "
            "0.05 for Farrington)."
        ),
    ] = None,
    no_periods: Annotated[
        int | None,
        typer.Option(help="Farrington: blocks per year for the seasonal factor (R: 1)."),
    ] = None,
    past_weeks_not_included: Annotated[
        int | None,
        typer.Option(help="Farrington: recent weeks left out of the fit (R: w)."),
    ] = None,
    threshold_method: Annotated[
        str | None,
        typer.Option(help="Farrington: delta, nbPlugin or muan (R: delta)."),
    ] = None,
    baseline: Annotated[
        int | None, typer.Option(help="EARS: periods in the baseline (R: 7).")
    ] = None,
    min_sigma: Annotated[
        float | None, typer.Option(help="EARS: smallest standard deviation used (R: 0).")
    ] = None,
) -> None:
    """Flag unusual counts in weekly series, as R's earsC or farringtonFlexible.

    INPUT has columns series,period,count: one or more series, period the ISO
    date of the week's first day, rows in any order, gaps allowed. The output
    has columns series,period,count,expected,threshold,alarm,note, one row per
    input row; threshold and alarm are empty where the method has too little
    history, and note says why, or which fallback was used. Options left out
    take R's defaults. On stderr: the alarm rate on this history, alarms per
    100 series-weeks with a threshold (the expected false-alarm rate where the
    history holds no outbreak).
    """
    from eocnet.analytics.aberration import AberrationMethod, alarm_rate
    from eocnet.interop.series_files import SeriesFileError, read_weekly_series, write_detections

    if threshold_method is not None and threshold_method not in ("delta", "nbPlugin", "muan"):
        fail(f"--threshold-method must be delta, nbPlugin or muan, not {threshold_method!r}")
    if preset is not None and preset not in ("r-default", "noufaily"):
        fail(f"--preset must be r-default or noufaily, not {preset!r}")
    try:
        chosen = AberrationMethod(
            name=method,  # type: ignore[arg-type]
            preset=preset,  # type: ignore[arg-type]
            b=b,
            w=w,
            alpha=alpha,
            no_periods=no_periods,
            past_weeks_not_included=past_weeks_not_included,
            threshold_method=threshold_method,  # type: ignore[arg-type]
            baseline=baseline,
            min_sigma=min_sigma,
        )
    except ValueError as exc:
        fail(str(exc))
    try:
        data = read_weekly_series(read_input(input_file))
    except SeriesFileError as exc:
        fail(f"{input_file}: {exc}")
    names = list(data.series)
    if fallback and chosen.is_ears:
        fail("--fallback applies to farrington-flexible")
    results = chosen.detect_many(
        [(data.series[n].dates, data.series[n].counts) for n in names], fallback=fallback
    )
    write_output(output, write_detections(data, dict(zip(names, results, strict=True))))
    rate = alarm_rate(results)
    typer.echo(
        f"{chosen.label()}: {rate.per_100:.2f} alarms per 100 series-weeks on this history "
        f"({rate.alarms} alarms in {rate.weeks} weeks with a threshold)",
        err=True,
    )


@app.command("rt")
def analyze_rt(
    input_file: Annotated[
        str, typer.Argument(metavar="INPUT.csv", help="Columns date,count (daily); - for stdin.")
    ],
    si_mean: Annotated[
        float | None, typer.Option(help="Mean of the serial interval in days (parametric).")
    ] = None,
    si_sd: Annotated[
        float | None, typer.Option(help="Its standard deviation in days (parametric).")
    ] = None,
    si_distribution: Annotated[
        str | None,
        typer.Option(help="CSV with columns day,p from day 0 (non-parametric)."),
    ] = None,
    window: Annotated[
        int, typer.Option(help="Length of the sliding windows in days (EpiEstim: 7).", min=1)
    ] = 7,
    cv_threshold: Annotated[
        float,
        typer.Option(
            help="Mark windows whose posterior coefficient of variation is above this "
            "(EpiEstim's cv_posterior: 0.3).",
        ),
    ] = 0.3,
    output: OutputCsv = "-",
) -> None:
    """Estimate the reproduction number, as R's EpiEstim::estimate_R.

    Cori et al. (2013) over sliding windows (7 days unless --window) with a
    gamma prior of mean 5 and sd 5. INPUT has columns date,count, or
    date,local,imported to separate imported cases (they infect others but
    are not counted as offspring, as EpiEstim's incid with local and
    imported). Give the serial interval either as --si-mean and --si-sd
    (offset gamma, "parametric_si") or as --si-distribution
    ("non_parametric_si"). A day absent from INPUT, or with an empty count,
    is missing, not zero. The output has columns
    window_start,window_end,mean,std,q025,median,q975 (the 95% credible
    interval is q025 to q975), cv (the posterior coefficient of variation)
    and note: why a window is empty (it ends before the mean serial
    interval; a day in it, or within the serial interval before it, is
    missing) or marked (few cases: cv above --cv-threshold).
    """
    from eocnet.analytics.rt import estimate_rt, estimate_rt_parametric
    from eocnet.interop.series_files import (
        SeriesFileError,
        read_daily_incidence,
        read_si_distribution,
        write_rt,
    )

    parametric = si_mean is not None or si_sd is not None
    if parametric == (si_distribution is not None):
        fail("give either --si-mean and --si-sd, or --si-distribution")
    if parametric and (si_mean is None or si_sd is None):
        fail("--si-mean and --si-sd go together")
    try:
        incidence = read_daily_incidence(read_input(input_file))
    except SeriesFileError as exc:
        fail(f"{input_file}: {exc}")
    options: dict[str, Any] = {
        "imported": incidence.imported,
        "window": window,
        "cv_threshold": cv_threshold,
    }
    try:
        if si_distribution is not None:
            try:
                si = read_si_distribution(read_input(si_distribution))
            except SeriesFileError as exc:
                fail(f"{si_distribution}: {exc}")
            estimate = estimate_rt(incidence.counts, si, **options)
        else:
            assert si_mean is not None and si_sd is not None
            estimate = estimate_rt_parametric(incidence.counts, si_mean, si_sd, **options)
    except ValueError as exc:
        fail(str(exc))
    write_output(output, write_rt(incidence.first, estimate))
