"""The importation-risk page: where travellers from an outbreak's airports go."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eocnet.web.auth import current_viewer
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)
SHOWN = 30


@router.get("/risk/importation")
def importation_page(request: Request) -> Response:
    """A form (origins, by airport or country) and the ranked table, with the
    data's source and limits; the full table as CSV from the command line/API."""
    viewer = current_viewer(request)
    origin = (request.query_params.get("origin") or "").strip().upper()
    by = request.query_params.get("by") or "country"
    context: dict[str, Any] = {
        "origin": origin,
        "by": by,
        "rows": [],
        "error": None,
        "attribution": "",
        "network": "",
        "total": 0,
    }
    status = 200
    if origin:
        from eocnet.analytics.importation import importation_risk
        from eocnet.interop import openflights

        try:
            if by not in ("airport", "country"):
                raise ValueError("choose airports or countries")
            origins = openflights.parse_codes(origin, openflights.default_airports())
            network = openflights.default_network()
            table = importation_risk(network, origins, by=by)  # type: ignore[arg-type]
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
                    }
                )
            context.update(
                attribution=openflights.ATTRIBUTION,
                network=network.source,
                total=len(table.destinations),
            )
    return render(request, "risk_importation.html", context, user=viewer.user, status_code=status)
