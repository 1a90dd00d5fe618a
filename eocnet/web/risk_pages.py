"""The importation-risk page: where travellers from an outbreak's airports go."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eocnet.web.auth import check_csrf, current_viewer
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)
SHOWN = 30


@lru_cache(maxsize=1)
def map_points() -> dict[str, list[float]]:
    """Where to mark a country too small for the atlas' shapes (Singapore,
    Bahrain, Macao…): the mean position of its airports; computed once."""
    from eocnet.interop.openflights import default_airports

    airports = default_airports()
    sums: dict[str, list[float]] = {}
    for airport in airports.values():
        entry = sums.setdefault(airport.country, [0.0, 0.0, 0.0])
        entry[0] += airport.latitude
        entry[1] += airport.longitude
        entry[2] += 1
    return {
        numeric: [round(lat / n, 3), round(lon / n, 3)]
        for code, (lat, lon, n) in sums.items()
        if (numeric := numeric_code(code))
    }


def numeric_code(alpha3: str) -> str:
    """ISO 3166-1 numeric code (as world-atlas names its shapes), '' if none."""
    import pycountry

    country = pycountry.countries.get(alpha_3=alpha3) if alpha3 else None
    return str(country.numeric) if country is not None else ""


@router.get("/risk/importation")
def importation_page(request: Request) -> Response:
    """A form (origins, by airport or country) and the ranked table, with the
    data's source and limits; the full table as CSV from the command line/API."""
    viewer = current_viewer(request)
    origin = (request.query_params.get("origin") or "").strip().upper()
    by = request.query_params.get("by") or "country"
    return _importation(request, viewer, origin, by, None, None)


@router.post("/risk/importation")
async def importation_volumes(request: Request) -> Response:
    """The same with the user's passenger volumes (and a prevalence)."""
    viewer = current_viewer(request)
    async with request.form() as form:
        check_csrf(request, str(form.get("csrf_token", "")))
        origin = str(form.get("origin") or "").strip().upper()
        by = str(form.get("by") or "country")
        upload = form.get("volumes")
        text = ""
        if upload is not None and not isinstance(upload, str):
            try:
                text = (await upload.read()).decode("utf-8-sig")
            except UnicodeDecodeError:
                text = ""  # reported as "choose a UTF-8 CSV file" below
        prevalence = str(form.get("prevalence") or "").strip()
    return _importation(request, viewer, origin, by, text, prevalence or None)


def _importation(
    request: Request,
    viewer: Any,
    origin: str,
    by: str,
    volumes: str | None,
    prevalence: str | None,
) -> Response:
    """``prevalence``: one value per origin, separated by commas, as typed."""
    context: dict[str, Any] = {
        "origin": origin,
        "by": by,
        "rows": [],
        "error": None,
        "attribution": "",
        "network": "",
        "total": 0,
        "with_volumes": volumes is not None,
        "prevalence": prevalence or "",
    }
    status = 200
    if origin:
        from eocnet.analytics.importation import importation_risk
        from eocnet.interop import openflights

        try:
            if by not in ("airport", "country"):
                raise ValueError("choose airports or countries")
            origins = openflights.parse_codes(origin, openflights.default_airports())
            if volumes is not None and not volumes.strip():
                raise ValueError("choose a UTF-8 CSV file of passenger volumes")
            prevalences = _prevalences(prevalence, len(origins))
            network = openflights.network_for(volumes)
            table = importation_risk(
                network,
                origins,
                by=by,  # type: ignore[arg-type]
                prevalence=prevalences,
                absolute=volumes is not None,
            )
        except (openflights.AirDataError, ValueError) as exc:
            context["error"] = str(exc)
            status = 422
        else:
            airports = openflights.default_airports()
            top = float(table.share[0]) if len(table.share) else 1.0
            for i in range(min(SHOWN, len(table.destinations))):
                code = table.destinations[i]
                place = airports.get(code)
                context["rows"].append(
                    {
                        "rank": int(table.rank[i]),
                        "destination": code,
                        "place": f"{place.city}, {place.country}"
                        if place and by == "airport"
                        else "",
                        "share": float(table.share[i]),
                        "bar": 0 if top <= 0 else round(100 * float(table.share[i]) / top),
                        "distance": ""
                        if math.isnan(table.effective_distance[i])
                        else f"{table.effective_distance[i]:.2f}",
                        "expected": ""
                        if math.isnan(table.expected[i])
                        else f"{table.expected[i]:.2f}",
                        "probability": ""
                        if math.isnan(table.probability[i])
                        else f"{100 * table.probability[i]:.1f}%",
                    }
                )
            context.update(
                attribution=openflights.ATTRIBUTION if volumes is None else "",
                network=network.source,
                total=len(table.destinations),
            )
            if by == "country":
                context["map_shares"] = json.dumps(
                    {
                        numeric: round(float(share), 6)
                        for code, share in zip(table.destinations, table.share, strict=True)
                        if share > 0 and (numeric := numeric_code(code))
                    }
                )
                context["map_origins"] = json.dumps(
                    sorted(
                        {numeric for o in origins if (numeric := numeric_code(airports[o].country))}
                    )
                )
                context["map_points"] = json.dumps(map_points())
    return render(request, "risk_importation.html", context, user=viewer.user, status_code=status)


def _prevalences(text: str | None, origins: int) -> list[float] | None:
    """The prevalence field: one number from 0 to 1 per origin, by commas."""
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError("the prevalence must be numbers separated by commas") from None
    if any(not 0 <= v <= 1 for v in values):
        raise ValueError("the prevalence must lie between 0 and 1")
    if len(values) != origins:
        raise ValueError(f"give one prevalence per origin: {origins} origins, {len(values)} values")
    return values
