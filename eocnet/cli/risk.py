"""``eocnet risk``: risk of international spread by air."""

from __future__ import annotations

from typing import Annotated

import typer

from eocnet.cli.common import OutputCsv, fail, group, read_input, write_output

app = group("Risk of international spread by air (OpenFlights routes or your own volumes).")


@app.command("importation")
def risk_importation(
    origin: Annotated[str, typer.Option(help="Origin airport(s), IATA codes separated by commas.")],
    origin_weights: Annotated[
        str | None,
        typer.Option(help="One weight per origin (e.g. its cases) for the shares, by commas."),
    ] = None,
    volumes: Annotated[
        str | None,
        typer.Option(
            help="CSV origin,destination,passengers (per month, final "
            "destinations); replaces the OpenFlights weights."
        ),
    ] = None,
    origin_prevalence: Annotated[
        str | None,
        typer.Option(
            help="Prevalence at each origin, one per --origin, separated by commas: the "
            "share of its population infectious while travelling this month (e.g. daily "
            "new infections x infectious days / population), NOT cumulative reported cases "
            "/ population. Needs --volumes."
        ),
    ] = None,
    prevalence: Annotated[
        float | None,
        typer.Option(help="The same for a single origin (0-1)."),
    ] = None,
    cases: Annotated[
        int | None,
        typer.Option(
            help="A single origin: people infectious there now, not cumulative reported "
            "cases (with --population)."
        ),
    ] = None,
    population: Annotated[int | None, typer.Option(help="Population at the origin.")] = None,
    by: Annotated[str, typer.Option(help="airport or country (ISO alpha-3).")] = "airport",
    output: OutputCsv = "-",
) -> None:
    """Rank destinations by the risk that infected travellers reach them.

    Columns: destination,share,expected_importations,probability_at_least_one,
    effective_distance,rank. The share (rank 1 = highest; the origins' own
    airports, or country, left out): without --volumes, of the origins' direct
    airline routes (OpenFlights, June 2014, weighted by the number of airlines:
    no passenger counts); with --volumes, of their passengers. With --volumes
    and a prevalence p_i per origin: expected_importations = sum_i p_i x V_ij
    infected travellers in a month, probability_at_least_one = 1 - exp(-expected);
    the origins then count in the shares by their expected infected travellers
    unless --origin-weights is given. The effective distance is Brockmann &
    Helbing's (2013).
    """
    from eocnet.analytics.importation import importation_risk
    from eocnet.interop import openflights
    from eocnet.interop.importation_files import write_importation

    if by not in ("airport", "country"):
        fail(f"--by must be airport or country, not {by!r}")
    single = prevalence is not None or cases is not None or population is not None
    if single and origin_prevalence is not None:
        fail("give either --origin-prevalence or --prevalence (or --cases and --population)")
    if prevalence is not None and (cases is not None or population is not None):
        fail("give either --prevalence or --cases and --population")
    if (cases is None) != (population is None):
        fail("--cases and --population go together")
    if cases is not None and population is not None:
        if cases < 0 or population <= 0 or cases > population:
            fail("--cases must lie between 0 and --population, which must be positive")
        prevalence = cases / population
    if prevalence is not None and not 0 <= prevalence <= 1:
        fail(f"--prevalence must lie between 0 and 1, not {prevalence}")
    prevalences: list[float] | None = None if prevalence is None else [prevalence]
    if origin_prevalence is not None:
        try:
            prevalences = [float(p) for p in origin_prevalence.split(",")]
        except ValueError:
            fail(f"--origin-prevalence must be numbers separated by commas: {origin_prevalence!r}")
        bad = [p for p in prevalences or [] if not 0 <= p <= 1]
        if bad:
            fail(f"--origin-prevalence values must lie between 0 and 1, not {bad[0]:g}")
    airports = openflights.default_airports()
    try:
        origins = openflights.parse_codes(origin, airports)
        if prevalences is not None and len(prevalences) != len(origins):
            if origin_prevalence is None:
                fail(
                    "--prevalence and --cases/--population are for one origin; with "
                    f"{len(origins)} give --origin-prevalence, one value per origin"
                )
            fail(
                f"--origin-prevalence needs one value per origin: {len(origins)} origins, "
                f"{len(prevalences)} values"
            )
        if prevalences is not None and volumes is None:
            fail(
                "a prevalence needs --volumes (passengers per month): the OpenFlights "
                "network counts airlines per direct route, not travellers"
            )
        weights = None
        if origin_weights is not None:
            try:
                weights = [float(w) for w in origin_weights.split(",")]
            except ValueError:
                fail(f"--origin-weights must be numbers separated by commas: {origin_weights!r}")
        network = openflights.network_for(None if volumes is None else read_input(volumes))
        table = importation_risk(
            network,
            origins,
            origin_weights=weights,
            prevalence=prevalences,
            absolute=volumes is not None,
            by=by,  # type: ignore[arg-type]
        )
    except (openflights.AirDataError, ValueError) as exc:
        fail(str(exc))
    write_output(output, write_importation(table))
    if volumes is None:
        typer.echo(openflights.ATTRIBUTION, err=True)
        if network.skipped:
            typer.echo(
                f"warning: {network.skipped} OpenFlights route rows name airports without a "
                "known IATA code and were left out",
                err=True,
            )
