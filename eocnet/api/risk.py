"""The risk of international spread by air: direct airline routes
(OpenFlights) or the user's passenger volumes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from eocnet.actions.errors import Invalid
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.domain.importation import share_label

router = APIRouter(prefix="/risk", tags=["risk"])


class ImportationRow(BaseModel):
    destination: str = Field(description="IATA airport code, or ISO 3166-1 alpha-3 (by=country)")
    share: float | None = Field(
        description="Share of the origins' direct airline routes (OpenFlights, June 2014), "
        "or of their passengers with your volumes (sums to 1)"
    )
    expected_importations: float | None = Field(
        description="Σ_i p_i·V_ij infected travellers in a month; only with passenger volumes "
        "and a prevalence"
    )
    probability_at_least_one: float | None = Field(
        description="1 − exp(−expected_importations); only with volumes and a prevalence"
    )
    effective_distance: float | None = Field(description="Brockmann & Helbing (2013)")
    rank: int = Field(description="1 = highest share")


class ImportationOut(BaseModel):
    origins: list[str]
    by: str
    network: str = Field(description="Where the weights come from")
    share_of: str = Field(description="What the share is a share of")
    attribution: str
    rows: list[ImportationRow]


@router.get(
    "/importation",
    response_model=ImportationOut,
    summary="Where infected travellers from an outbreak are likely to go",
)
def importation(
    actor: CurrentActor,
    origin: Annotated[str, Query(max_length=200, description="IATA code(s), comma-separated")],
    by: Literal["airport", "country"] = "airport",
    origin_weights: Annotated[
        str | None, Query(max_length=400, description="One weight per origin, comma-separated")
    ] = None,
) -> dict[str, Any]:
    """The destinations ranked by their share of the origins' direct airline
    routes, with the effective distance, on the OpenFlights network (routes of
    June 2014 weighted by the number of airlines; no passenger counts, so the
    expected importations and probabilities are empty here; POST your own
    volumes to this path for them). The same table as the command line's."""
    del actor
    return _table(origin, by, origin_weights, None, None, None)


def _numbers(text: str, field: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise Invalid(f"{field} must be numbers separated by commas", field=field) from None
    return values


def _table(
    origin: str,
    by: str,
    origin_weights: str | None,
    volumes_text: str | None,
    prevalence: float | None,
    origin_prevalence: str | None,
) -> dict[str, Any]:
    from eocnet.analytics.importation import importation_risk
    from eocnet.interop import openflights
    from eocnet.interop.importation_files import table_rows

    airports = openflights.default_airports()
    try:
        origins = openflights.parse_codes(origin, airports)
    except openflights.AirDataError as exc:
        raise Invalid(str(exc), field="origin") from None
    weights = _numbers(origin_weights, "origin_weights") if origin_weights else None
    prevalences: list[float] | None = None
    prevalence_field = "origin_prevalence" if origin_prevalence else "prevalence"
    if origin_prevalence:
        if prevalence is not None:
            raise Invalid("give either origin_prevalence or prevalence", field="origin_prevalence")
        prevalences = _numbers(origin_prevalence, "origin_prevalence")
        if len(prevalences) != len(origins):
            raise Invalid(
                f"origin_prevalence needs one value per origin: {len(origins)} origins, "
                f"{len(prevalences)} values",
                field="origin_prevalence",
            )
    elif prevalence is not None:
        if len(origins) > 1:
            raise Invalid(
                f"prevalence is for one origin; with {len(origins)} give origin_prevalence, "
                "one value per origin",
                field="prevalence",
            )
        prevalences = [prevalence]
    try:
        network = openflights.network_for(volumes_text)
    except openflights.AirDataError as exc:
        raise Invalid(str(exc), field="volumes") from None
    try:
        table = importation_risk(
            network,
            origins,
            origin_weights=weights,
            by=by,  # type: ignore[arg-type]
            prevalence=prevalences,
            absolute=volumes_text is not None,
        )
    except ValueError as exc:
        text = str(exc)
        field = (
            "origin_weights"
            if "weight" in text
            else prevalence_field
            if "prevalence" in text
            else "origin"
        )
        raise Invalid(text, field=field) from None
    return {
        "origins": origins,
        "by": by,
        "network": network.source,
        "share_of": share_label(volumes_text is not None),
        "attribution": openflights.ATTRIBUTION if volumes_text is None else "",
        "rows": table_rows(table),
    }


@router.post(
    "/importation",
    response_model=ImportationOut,
    summary="Importation risk from your own passenger volumes",
)
def importation_with_volumes(
    actor: CurrentActor,
    volumes: Annotated[
        UploadFile,
        File(description="CSV origin,destination,passengers (IATA codes, passengers per month)"),
    ],
    origin: Annotated[str, Form(max_length=200, description="IATA code(s), comma-separated")],
    by: Annotated[Literal["airport", "country"], Form()] = "airport",
    origin_weights: Annotated[str | None, Form(max_length=400)] = None,
    origin_prevalence: Annotated[
        str | None,
        Form(
            max_length=400,
            description="Prevalence at each origin, comma-separated, one per origin: the "
            "share of its population infectious while travelling this month, not cumulative "
            "reported cases over population",
        ),
    ] = None,
    prevalence: Annotated[
        float | None, Form(ge=0, le=1, description="The same for a single origin")
    ] = None,
) -> dict[str, Any]:
    """The same table from passenger volumes, which replace the OpenFlights
    weights: with a prevalence p_i per origin it also gives the expected number
    of infected travellers in a month, Σ_i p_i·V_ij, and the probability of at
    least one, 1 − exp(−expected)."""
    del actor
    try:
        text = volumes.file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the volumes file is not UTF-8", field="volumes") from None
    return _table(origin, by, origin_weights, text, prevalence, origin_prevalence)


@router.get(
    "/dissemination-report.{fmt}",
    summary="The risk of international dissemination for the open events",
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
    response_class=Response,
)
def dissemination_report(
    fmt: Literal["html", "pdf"],
    actor: CurrentActor,
    db: DbDep,
    lang: Annotated[Literal["en", "id"], Query(description="Language of the document")] = "en",
) -> Response:
    """For every open event you may see (signal, verified, ongoing): the ten
    countries that receive the largest share of the direct airline routes
    (OpenFlights, June 2014) leaving the event's country, with the effective
    distance, and the data's date and licence."""
    from eocnet.render.documents import dissemination_html, html_to_pdf
    from eocnet.reports.dissemination import build

    with db.read() as session:
        report = build(session, actor)
        html = dissemination_html(report, lang)
    if fmt == "html":
        return HTMLResponse(html)
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="dissemination-risk.pdf"'},
    )
