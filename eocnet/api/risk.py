"""The risk of international spread by air travel."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from eocnet.actions.errors import Invalid
from eocnet.api.deps import CurrentActor, DbDep

router = APIRouter(prefix="/risk", tags=["risk"])


class ImportationRow(BaseModel):
    destination: str = Field(description="IATA airport code, or ISO 3166-1 alpha-3 (by=country)")
    share: float | None = Field(description="Share of the origins' outbound travel (sums to 1)")
    expected_importations: float | None = Field(description="Only with passenger volumes")
    probability_at_least_one: float | None = Field(description="Only with passenger volumes")
    effective_distance: float | None = Field(description="Brockmann & Helbing (2013)")
    rank: int = Field(description="1 = highest share")


class ImportationOut(BaseModel):
    origins: list[str]
    by: str
    network: str = Field(description="Where the weights come from")
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
    """The destinations ranked by their share of the origins' outbound air
    travel, with the effective distance, on the OpenFlights network (routes of
    June 2014 weighted by the number of airlines; no passenger counts, so the
    expected importations and probabilities are empty here; POST your own
    volumes to this path for them). The same table as the command line's."""
    del actor
    return _table(origin, by, origin_weights, None, None)


def _table(
    origin: str,
    by: str,
    origin_weights: str | None,
    volumes_text: str | None,
    prevalence: float | None,
) -> dict[str, Any]:
    from eocnet.analytics.importation import importation_risk
    from eocnet.interop import openflights
    from eocnet.interop.importation_files import table_rows

    airports = openflights.default_airports()
    try:
        origins = openflights.parse_codes(origin, airports)
    except openflights.AirDataError as exc:
        raise Invalid(str(exc), field="origin") from None
    weights = None
    if origin_weights:
        try:
            weights = [float(w) for w in origin_weights.split(",")]
        except ValueError:
            raise Invalid(
                "origin_weights must be numbers separated by commas", field="origin_weights"
            ) from None
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
            prevalence=prevalence,
            absolute=volumes_text is not None,
        )
    except ValueError as exc:
        field = "origin_weights" if "weight" in str(exc) else "origin"
        raise Invalid(str(exc), field=field) from None
    return {
        "origins": origins,
        "by": by,
        "network": network.source,
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
    prevalence: Annotated[float | None, Form(ge=0, le=1, description="At the origin")] = None,
) -> dict[str, Any]:
    """The same table from passenger volumes, which replace the OpenFlights
    weights: with a prevalence it also gives the expected number of infected
    travellers in a month and the probability of at least one."""
    del actor
    try:
        text = volumes.file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the volumes file is not UTF-8", field="volumes") from None
    return _table(origin, by, origin_weights, text, prevalence)


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
    countries that receive the largest share of the outbound air travel of the
    event's country, with the effective distance, and the data's date and licence."""
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
